"""The simulator serves the 2026 lineup as the Kimi page describes it, over
real HTTP on both endpoints, read with a raw HTTP client (what the service
would send, not what an SDK makes of it)."""

import json
from typing import Any

import dashscope
import httpx
import openai
import pytest

from langchain_kimi.testing import Behaviour, KimiSimulator, Reply
from langchain_kimi.testing.content import TOKENIZATION_FAILED
from langchain_kimi.testing.rules import (
    MODEL_NOT_EXIST_MESSAGE,
    THINKING_RESTRICTED_MESSAGE,
    WRONG_PATH_MESSAGE,
)
from langchain_kimi.testing.simulator import (
    COMPATIBLE_ROUTE,
    MULTIMODAL_ROUTE,
    NATIVE_ROUTE,
)

ENDPOINTS = ("compatible", "native")
LINEUP = ("kimi-k3", "kimi-k2.7-code", "kimi-k2.6", "kimi-k2.5")
ALWAYS_THINKING = ("kimi-k3", "kimi-k2.7-code")
HYBRID = ("kimi-k2.6", "kimi-k2.5")
SEED = ("kimi-k2-thinking", "Moonshot-Kimi-K2-Instruct")
IMAGE = "https://example.com/cat.png"
FRAMES = [f"https://example.com/frame{i}.jpg" for i in range(4)]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
ASK_WEATHER = "What is the weather in Beijing?"


def _native_content(content: Any) -> Any:
    return [{"text": content}] if isinstance(content, str) else content


def _post(
    sim: KimiSimulator,
    endpoint: str,
    model: str,
    messages: list[dict[str, Any]],
    *,
    stream: bool = False,
    route: str | None = None,
    **params: Any,
) -> httpx.Response:
    """One request in ``endpoint``'s protocol; the native one goes where the
    page says the model is served (multimodal-generation for the lineup)."""
    headers = {"Authorization": f"Bearer {sim.api_key}"}
    if endpoint == "compatible":
        body: dict[str, Any] = {"model": model, "messages": messages, **params}
        if stream:
            body["stream"] = True
        path = COMPATIBLE_ROUTE
    else:
        multimodal = model in LINEUP
        if multimodal:
            messages = [
                {**m, "content": _native_content(m["content"])}
                if m.get("role") == "user"
                else m
                for m in messages
            ]
        parameters = {"result_format": "message", **params}
        if stream:
            parameters["incremental_output"] = True
            headers["X-DashScope-SSE"] = "enable"
        body = {
            "model": model,
            "input": {"messages": messages},
            "parameters": parameters,
        }
        path = MULTIMODAL_ROUTE if multimodal else NATIVE_ROUTE
    return httpx.post(sim.url + (route or path), json=body, headers=headers, timeout=10)


def _ask(
    sim: KimiSimulator, endpoint: str, model: str, text: str = "Hi", **params: Any
) -> httpx.Response:
    return _post(sim, endpoint, model, [{"role": "user", "content": text}], **params)


def _message(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    data = response.json()
    holder = data.get("output", data)
    message: dict[str, Any] = holder["choices"][0]["message"]
    return message


def _events(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return [
        json.loads(line.split(":", 1)[1])
        for line in response.text.splitlines()
        if line.startswith("data:") and "[DONE]" not in line
    ]


def _error(response: httpx.Response) -> tuple[int, str, str]:
    data = response.json()
    error = data.get("error", data)
    return response.status_code, error["code"], error["message"]


def _usage(response: httpx.Response) -> dict[str, Any]:
    usage: dict[str, Any] = response.json()["usage"]
    return usage


# -- the lineup ------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("model", LINEUP)
def test_every_lineup_model_answers_on_both_endpoints(
    kimi_simulator: KimiSimulator, endpoint: str, model: str
) -> None:
    message = _message(_ask(kimi_simulator, endpoint, model, "Say OK."))
    content = message["content"]
    text = content if endpoint == "compatible" else content[0]["text"]
    assert "Say OK." in text


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("model", ALWAYS_THINKING)
def test_thinking_only_models_reason_on_every_call(
    kimi_simulator: KimiSimulator, endpoint: str, model: str
) -> None:
    assert _message(_ask(kimi_simulator, endpoint, model))["reasoning_content"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("model", HYBRID)
@pytest.mark.parametrize("enable", [None, False, True])
def test_hybrid_models_reason_only_when_thinking_is_enabled(
    kimi_simulator: KimiSimulator, endpoint: str, model: str, enable: bool | None
) -> None:
    params = {} if enable is None else {"enable_thinking": enable}
    message = _message(_ask(kimi_simulator, endpoint, model, **params))
    assert ("reasoning_content" in message) is (enable is True)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("model", [*ALWAYS_THINKING, "kimi-k2-thinking"])
def test_thinking_only_models_refuse_enable_thinking_false(
    kimi_simulator: KimiSimulator, endpoint: str, model: str
) -> None:
    response = _ask(kimi_simulator, endpoint, model, enable_thinking=False)
    status, _, message = _error(response)
    assert (status, message) == (400, THINKING_RESTRICTED_MESSAGE)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("model", ["kimi-k2.7-code", *HYBRID])
def test_thinking_budget_is_taken_where_the_page_publishes_it(
    kimi_simulator: KimiSimulator, endpoint: str, model: str
) -> None:
    response = _ask(
        kimi_simulator, endpoint, model, enable_thinking=True, thinking_budget=256
    )
    assert _message(response)["reasoning_content"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("setting", ["refused", "ignored"])
def test_thinking_budget_on_kimi_k3_follows_the_switch(
    kimi_simulator: KimiSimulator, endpoint: str, setting: str
) -> None:
    kimi_simulator.behaviour = Behaviour(thinking_budget_unsupported=setting)  # type: ignore[arg-type]
    response = _ask(kimi_simulator, endpoint, "kimi-k3", thinking_budget=256)
    if setting == "ignored":
        assert _message(response)["reasoning_content"]
    else:
        status, _, message = _error(response)
        assert status == 400 and "thinking_budget" in message


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_preserve_thinking_is_taken_and_must_be_a_boolean(
    kimi_simulator: KimiSimulator, endpoint: str
) -> None:
    ok = _ask(
        kimi_simulator,
        endpoint,
        "kimi-k2.6",
        enable_thinking=True,
        preserve_thinking=True,
    )
    assert _message(ok)["reasoning_content"]
    bad = _ask(kimi_simulator, endpoint, "kimi-k2.6", preserve_thinking="yes")
    assert _error(bad)[0] == 400


# -- tool choice -----------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_kimi_k3_takes_required_tool_choice_while_thinking(
    kimi_simulator: KimiSimulator, endpoint: str
) -> None:
    response = _ask(
        kimi_simulator,
        endpoint,
        "kimi-k3",
        "Hello there",
        tools=[WEATHER],
        tool_choice="required",
    )
    message = _message(response)
    assert message["reasoning_content"]
    assert message["tool_calls"][0]["function"]["name"] == "get_weather"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("enable", [False, True])
def test_a_named_tool_can_be_forced_only_when_the_call_does_not_think(
    kimi_simulator: KimiSimulator, endpoint: str, enable: bool
) -> None:
    force = {"type": "function", "function": {"name": "get_weather"}}
    response = _ask(
        kimi_simulator,
        endpoint,
        "kimi-k2.6",
        ASK_WEATHER,
        tools=[WEATHER],
        tool_choice=force,
        enable_thinking=enable,
    )
    if enable:
        status, _, message = _error(response)
        assert status == 400 and "thinking mode" in message
    else:
        assert _message(response)["tool_calls"][0]["function"]["name"] == "get_weather"


# -- the native endpoint's two paths ---------------------------------------------


@pytest.mark.parametrize("model", LINEUP)
def test_a_multimodal_model_on_text_generation_gets_the_url_error(
    kimi_simulator: KimiSimulator, model: str
) -> None:
    response = _ask(kimi_simulator, "native", model, route=NATIVE_ROUTE)
    assert _error(response) == (400, "InvalidParameter", WRONG_PATH_MESSAGE)


@pytest.mark.parametrize("model", SEED)
def test_a_text_model_on_multimodal_generation_gets_the_url_error(
    kimi_simulator: KimiSimulator, model: str
) -> None:
    response = _ask(kimi_simulator, "native", model, route=MULTIMODAL_ROUTE)
    assert _error(response) == (400, "InvalidParameter", WRONG_PATH_MESSAGE)


def test_multimodal_generation_wants_user_content_as_a_list(
    kimi_simulator: KimiSimulator,
) -> None:
    body = {
        "model": "kimi-k3",
        "input": {"messages": [{"role": "user", "content": "Hi"}]},
        "parameters": {"result_format": "message"},
    }
    response = httpx.post(
        kimi_simulator.url + MULTIMODAL_ROUTE,
        json=body,
        headers={"Authorization": f"Bearer {kimi_simulator.api_key}"},
    )
    assert _error(response)[0] == 400


def test_multimodal_streams_carry_content_as_lists_of_text_items(
    kimi_simulator: KimiSimulator,
) -> None:
    whole = _message(_ask(kimi_simulator, "native", "kimi-k2.6", "Say OK."))
    events = _events(
        _post(
            kimi_simulator,
            "native",
            "kimi-k2.6",
            [{"role": "user", "content": "Say OK."}],
            stream=True,
        )
    )
    contents = [e["output"]["choices"][0]["message"]["content"] for e in events]
    assert all(isinstance(content, list) for content in contents)
    streamed = "".join(item["text"] for content in contents for item in content)
    assert streamed == whole["content"][0]["text"]


# -- images and video --------------------------------------------------------------


def _image(endpoint: str, url: str = IMAGE) -> dict[str, Any]:
    if endpoint == "native":
        return {"image": url}
    return {"type": "image_url", "image_url": {"url": url}}


def _video(endpoint: str, frames: list[str] | None = None) -> dict[str, Any]:
    if frames is not None:
        if endpoint == "native":
            return {"video": frames, "fps": 2}
        return {"type": "video", "video": frames, "fps": 2}
    url = "https://example.com/clip.mp4"
    if endpoint == "native":
        return {"video": url, "fps": 2}
    return {"type": "video_url", "video_url": {"url": url}, "fps": 2}


def _with(endpoint: str, *items: dict[str, Any]) -> list[dict[str, Any]]:
    text = {"text": "Describe this."}
    if endpoint == "compatible":
        text = {"type": "text", **text}
    return [{"role": "user", "content": [text, *items]}]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("model", LINEUP)
def test_images_are_taken_by_every_lineup_model(
    kimi_simulator: KimiSimulator, endpoint: str, model: str
) -> None:
    messages = _with(endpoint, _image(endpoint))
    assert _message(_post(kimi_simulator, endpoint, model, messages))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("frames", [None, FRAMES], ids=["url", "frames"])
def test_video_is_taken_by_kimi_k2_6_as_a_url_or_frames(
    kimi_simulator: KimiSimulator, endpoint: str, frames: list[str] | None
) -> None:
    messages = _with(endpoint, _video(endpoint, frames))
    assert _message(_post(kimi_simulator, endpoint, "kimi-k2.6", messages))


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_video_is_refused_by_kimi_k3(
    kimi_simulator: KimiSimulator, endpoint: str
) -> None:
    messages = _with(endpoint, _video(endpoint))
    status, _, message = _error(_post(kimi_simulator, endpoint, "kimi-k3", messages))
    assert status == 400 and "video" in message


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_frame_list_needs_four_frames(
    kimi_simulator: KimiSimulator, endpoint: str
) -> None:
    messages = _with(endpoint, _video(endpoint, FRAMES[:3]))
    response = _post(kimi_simulator, endpoint, "kimi-k2.5", messages)
    assert _error(response)[0] == 400


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("model", SEED)
def test_images_are_refused_by_the_text_only_seed_models(
    kimi_simulator: KimiSimulator, endpoint: str, model: str
) -> None:
    messages = _with(endpoint, _image(endpoint))
    response = _post(kimi_simulator, endpoint, model, messages)
    status, _, message = _error(response)
    assert status == 400 and "image" in message


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_image_over_10_mb_is_refused(
    kimi_simulator: KimiSimulator, endpoint: str
) -> None:
    data = "data:image/png;base64," + "A" * (10 * 1024 * 1024)
    messages = _with(endpoint, _image(endpoint, data))
    response = _post(kimi_simulator, endpoint, "kimi-k3", messages)
    status, _, message = _error(response)
    assert status == 400 and "10 MB" in message


# -- dynamically loaded tools -----------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_kimi_k3_calls_a_tool_loaded_by_a_system_message(
    kimi_simulator: KimiSimulator, endpoint: str
) -> None:
    messages = [
        {"role": "system", "tools": [WEATHER]},
        {"role": "user", "content": ASK_WEATHER},
    ]
    message = _message(_post(kimi_simulator, endpoint, "kimi-k3", messages))
    assert message["tool_calls"][0]["function"]["name"] == "get_weather"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("model", ["kimi-k2.6", "kimi-k2.7-code"])
def test_tools_in_a_system_message_fail_tokenization_off_kimi_k3(
    kimi_simulator: KimiSimulator, endpoint: str, model: str
) -> None:
    messages = [
        {"role": "system", "tools": [WEATHER]},
        {"role": "user", "content": ASK_WEATHER},
    ]
    response = _post(kimi_simulator, endpoint, model, messages)
    assert _error(response)[::2] == (400, TOKENIZATION_FAILED)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_system_message_with_tools_and_content_is_refused(
    kimi_simulator: KimiSimulator, endpoint: str
) -> None:
    messages = [
        {"role": "system", "tools": [WEATHER], "content": "Use tools."},
        {"role": "user", "content": ASK_WEATHER},
    ]
    response = _post(kimi_simulator, endpoint, "kimi-k3", messages)
    assert _error(response)[0] == 400


# -- context cache -----------------------------------------------------------------


def _marked(endpoint: str, question: str) -> list[dict[str, Any]]:
    block: dict[str, Any] = {
        "text": "You are a careful assistant. " * 20,
        "cache_control": {"type": "ephemeral"},
    }
    if endpoint == "compatible":
        block["type"] = "text"
    return [
        {"role": "system", "content": [block]},
        {"role": "user", "content": question},
    ]


def _stream_usage(response: httpx.Response) -> dict[str, Any]:
    usage: dict[str, Any] = _events(response)[-1]["usage"]
    return usage


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_a_cache_marked_prefix_is_read_from_cache_when_sent_again(
    kimi_simulator: KimiSimulator, endpoint: str, stream: bool
) -> None:
    extra = (
        {"stream_options": {"include_usage": True}} if endpoint == "compatible" else {}
    )
    usages = []
    for question in ("First question?", "Second question?"):
        response = _post(
            kimi_simulator,
            endpoint,
            "kimi-k2.6",
            _marked(endpoint, question),
            stream=stream,
            **(extra if stream else {}),
        )
        usages.append(_stream_usage(response) if stream else _usage(response))
    first, second = (u["prompt_tokens_details"] for u in usages)
    assert first["cached_tokens"] == 0 and first["cache_creation_input_tokens"] > 0
    assert second["cached_tokens"] == first["cache_creation_input_tokens"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_long_prefix_sent_again_is_cached_without_marks(
    kimi_simulator: KimiSimulator, endpoint: str
) -> None:
    system = {"role": "system", "content": "Background facts. " * 800}
    first = _post(
        kimi_simulator,
        endpoint,
        "kimi-k3",
        [system, {"role": "user", "content": "One?"}],
    )
    assert "prompt_tokens_details" not in _usage(first)
    second = _post(
        kimi_simulator,
        endpoint,
        "kimi-k3",
        [system, {"role": "user", "content": "Two?"}],
    )
    cached = _usage(second)["prompt_tokens_details"]["cached_tokens"]
    input_key = "prompt_tokens" if endpoint == "compatible" else "input_tokens"
    assert 1024 <= cached < _usage(second)[input_key]


def test_a_short_unmarked_prompt_reports_no_cache(
    kimi_simulator: KimiSimulator,
) -> None:
    for _ in range(2):
        usage = _usage(_ask(kimi_simulator, "compatible", "kimi-k3", "Again?"))
    assert "prompt_tokens_details" not in usage


# -- retired models ------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("model", SEED)
def test_retired_models_are_served_by_default(
    kimi_simulator: KimiSimulator, endpoint: str, model: str
) -> None:
    assert _message(_ask(kimi_simulator, endpoint, model))["content"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("model", SEED)
@pytest.mark.parametrize("form", ["not_found", "model_not_exist"])
def test_retired_models_answer_as_unknown_when_switched_off(
    kimi_simulator: KimiSimulator, endpoint: str, model: str, form: str
) -> None:
    kimi_simulator.behaviour = Behaviour(
        retired_models="not_found",
        **{f"unknown_model_{endpoint}": form},  # type: ignore[arg-type]
    )
    status, code, message = _error(_ask(kimi_simulator, endpoint, model))
    if form == "model_not_exist":
        assert (status, message) == (400, MODEL_NOT_EXIST_MESSAGE)
    else:
        assert status == 404
        assert code == (
            "model_not_found" if endpoint == "compatible" else "ModelNotFound"
        )
    assert _message(_ask(kimi_simulator, endpoint, "kimi-k3"))["content"]


# -- the SDKs read it ----------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_dashscopes_multimodal_conversation_reads_the_replies(
    kimi_simulator: KimiSimulator, stream: bool
) -> None:
    kimi_simulator.queue(Reply(content="A cat.", reasoning="Look closely."))
    answer = dashscope.MultiModalConversation.call(
        model="kimi-k2.6",
        messages=[{"role": "user", "content": [{"text": "What?"}, {"image": IMAGE}]}],
        api_key=kimi_simulator.api_key,
        base_address=kimi_simulator.native_base_url,
        enable_thinking=True,
        stream=stream,
        incremental_output=stream,
    )
    events = list(answer) if stream else [answer]
    assert all(event.status_code == 200 for event in events)
    messages = [event.output.choices[0].message for event in events]
    text = "".join(item["text"] for m in messages for item in m["content"])
    reasoning = "".join(m.get("reasoning_content") or "" for m in messages)
    assert (text, reasoning) == ("A cat.", "Look closely.")
    assert kimi_simulator.last_request.path == MULTIMODAL_ROUTE


def test_the_openai_sdk_reads_cached_tokens(kimi_simulator: KimiSimulator) -> None:
    client = openai.OpenAI(
        api_key=kimi_simulator.api_key,
        base_url=kimi_simulator.openai_base_url,
        max_retries=0,
    )
    for question in ("First?", "Second?"):
        reply = client.chat.completions.create(
            model="kimi-k3",
            messages=_marked("compatible", question),  # type: ignore[arg-type]
        )
    details = reply.usage.prompt_tokens_details  # type: ignore[union-attr]
    assert details is not None and details.cached_tokens
