"""ChatKimi works under either reading of each switch a probe can settle, over
real HTTP on both transports: forced tool choice on the thinking model,
"required", streamed usage placement, error code spelling, the framing of a
stream request's error body, and the form of an unknown-model refusal.

(The first four switches, from issue 11, are tested both ways in
test_tool_choice, test_structured_degrade, test_stream_tool_calls and
test_reasoning_history.)
"""

import warnings
from collections.abc import Callable
from typing import Any

import dashscope
import openai
import pytest
from langchain_core.messages import AIMessageChunk
from pydantic import BaseModel

from langchain_kimi import ChatKimi
from langchain_kimi.errors import (
    AuthenticationError,
    BadRequestError,
    KimiError,
    NotFoundError,
)
from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL
from langchain_kimi.testing import Behaviour, KimiSimulator, Reply
from langchain_kimi.testing.rules import (
    FORCED_IN_THINKING_MESSAGE,
    TOOL_CHOICE_STRING_MESSAGE,
)
from tests.integration.city_tools import get_population, get_weather


class Person(BaseModel):
    name: str


def _both_endpoints(stem: str, value: Any) -> Behaviour:
    return Behaviour(**{f"{stem}_compatible": value, f"{stem}_native": value})


def _quiet_bind(llm: ChatKimi, tools: list[Any], choice: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return llm.bind_tools(tools, tool_choice=choice)


def _raw_choice(simulator: KimiSimulator, model: str, choice: Any) -> tuple[int, Any]:
    """The status and message (or tool calls) a raw openai client gets."""
    client = openai.OpenAI(
        api_key=simulator.api_key, base_url=simulator.openai_base_url, max_retries=0
    )
    try:
        reply = client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "What is the weather in Paris?"}],
            tools=[
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "parameters": {"type": "object", "properties": {}},
                    },
                }
            ],
            tool_choice=choice,
        )
    except openai.APIStatusError as error:
        return error.status_code, error.body["message"]  # type: ignore[index]
    return 200, [c.function.name for c in reply.choices[0].message.tool_calls or ()]


# -- forced tool choice on the thinking model -------------------------------------


@pytest.mark.parametrize("accepted", [False, True])
def test_the_simulator_takes_a_forced_choice_on_thinking_only_when_switched(
    kimi_simulator: KimiSimulator, accepted: bool
) -> None:
    kimi_simulator.behaviour = Behaviour(forced_tool_choice_on_thinking=accepted)
    forced = {"type": "function", "function": {"name": "get_weather"}}
    status, said = _raw_choice(kimi_simulator, THINKING_MODEL, forced)
    assert (status, said) == (
        (200, ["get_weather"]) if accepted else (400, FORCED_IN_THINKING_MESSAGE)
    )


@pytest.mark.parametrize("accepted", [False, True])
@pytest.mark.parametrize("choice", ["get_weather", "any", True])
def test_chatkimi_calls_the_tool_on_thinking_either_way(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    accepted: bool,
    choice: Any,
) -> None:
    kimi_simulator.behaviour = Behaviour(forced_tool_choice_on_thinking=accepted)
    bound = _quiet_bind(make_llm(model=THINKING_MODEL), [get_weather], choice)
    message = bound.invoke("Tell me about Paris.")
    assert [call["name"] for call in message.tool_calls] == ["get_weather"]
    assert kimi_simulator.last_request.params["tool_choice"] == "auto"


# -- the string "required" ---------------------------------------------------------


@pytest.mark.parametrize("accepted", [False, True])
@pytest.mark.parametrize("model", [INSTRUCT_MODEL, THINKING_MODEL])
def test_the_simulator_takes_required_only_when_switched(
    kimi_simulator: KimiSimulator, accepted: bool, model: str
) -> None:
    kimi_simulator.behaviour = Behaviour(required_tool_choice=accepted)
    status, said = _raw_choice(kimi_simulator, model, "required")
    if not accepted:
        assert (status, said) == (400, TOOL_CHOICE_STRING_MESSAGE)
    elif model == THINKING_MODEL:  # "required" forces a tool: not with thinking on
        assert (status, said) == (400, FORCED_IN_THINKING_MESSAGE)
    else:
        assert (status, said) == (200, ["get_weather"])


def test_required_on_thinking_follows_the_forced_choice_switch(
    kimi_simulator: KimiSimulator,
) -> None:
    kimi_simulator.behaviour = Behaviour(
        required_tool_choice=True, forced_tool_choice_on_thinking=True
    )
    assert _raw_choice(kimi_simulator, THINKING_MODEL, "required") == (
        200,
        ["get_weather"],
    )


@pytest.mark.parametrize("accepted", [False, True])
@pytest.mark.parametrize("choice", ["any", "required"])
def test_chatkimi_never_sends_required_and_works_either_way(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    accepted: bool,
    choice: str,
) -> None:
    kimi_simulator.behaviour = Behaviour(required_tool_choice=accepted)
    bound = _quiet_bind(
        make_llm(model=INSTRUCT_MODEL), [get_weather, get_population], choice
    )
    message = bound.invoke("Tell me about Paris.")
    assert len(message.tool_calls) == 1
    assert kimi_simulator.last_request.params["tool_choice"] == "auto"


# -- where streamed usage sits ------------------------------------------------------


@pytest.mark.parametrize("placement", ["trailing", "choice", "both"])
def test_streamed_usage_is_counted_once_wherever_the_service_puts_it(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, placement: str
) -> None:
    kimi_simulator.behaviour = Behaviour(stream_usage=placement)  # type: ignore[arg-type]
    kimi_simulator.queue(
        Reply(content="ok", usage={"input_tokens": 3, "output_tokens": 4})
    )
    chunks = list(make_llm().stream("hi"))
    assert [c.usage_metadata is not None for c in chunks].count(True) == 1
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert isinstance(total, AIMessageChunk)
    assert total.usage_metadata == {
        "input_tokens": 3,
        "output_tokens": 4,
        "total_tokens": 7,
    }


def _usage_places(simulator: KimiSimulator) -> tuple[bool, bool]:
    """Whether a raw stream had a trailing usage chunk, and usage in the
    finishing chunk's choice."""
    client = openai.OpenAI(
        api_key=simulator.api_key, base_url=simulator.openai_base_url, max_retries=0
    )
    chunks = list(
        client.chat.completions.create(
            model=INSTRUCT_MODEL,
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    trailing = chunks[-1].choices == [] and chunks[-1].usage is not None
    finishing = next(c for c in chunks if c.choices and c.choices[0].finish_reason)
    return trailing, getattr(finishing.choices[0], "usage", None) is not None


@pytest.mark.parametrize(
    ("placement", "places"),
    [("trailing", (True, False)), ("choice", (False, True)), ("both", (True, True))],
)
def test_the_simulator_places_streamed_usage_as_switched(
    kimi_simulator: KimiSimulator, placement: str, places: tuple[bool, bool]
) -> None:
    kimi_simulator.behaviour = Behaviour(stream_usage=placement)  # type: ignore[arg-type]
    assert _usage_places(kimi_simulator) == places


def test_a_scripted_placement_overrides_the_switch(
    kimi_simulator: KimiSimulator,
) -> None:
    kimi_simulator.behaviour = Behaviour(stream_usage="trailing")
    kimi_simulator.queue(Reply(content="ok", usage_in="choice"))
    assert _usage_places(kimi_simulator) == (False, True)


# -- error spelling -------------------------------------------------------------------

SPELLINGS = ["snake_case", "CamelCase"]
SPELLED = {
    "snake_case": ("invalid_api_key", "model_not_found", "invalid_parameter_error"),
    "CamelCase": ("InvalidApiKey", "ModelNotFound", "InvalidParameter"),
}


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_refusals_raise_the_same_classes_in_either_spelling(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, spelling: str
) -> None:
    kimi_simulator.behaviour = _both_endpoints("error_codes", spelling)
    key, model, _ = SPELLED[spelling]
    with pytest.raises(AuthenticationError) as auth:
        make_llm(api_key="sk-wrong").invoke("hi")
    assert (auth.value.status_code, auth.value.code) == (401, key)
    with pytest.raises(NotFoundError) as missing:
        make_llm(model="kimi-no-such-model").invoke("hi")
    assert (missing.value.status_code, missing.value.code) == (404, model)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_json_mode_refusal_is_recognised_in_either_spelling(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, spelling: str
) -> None:
    kimi_simulator.behaviour = Behaviour(
        json_mode_on_thinking=False,
        **{f"error_codes_{ep}": spelling for ep in ("compatible", "native")},  # type: ignore[arg-type]
    )
    structured = make_llm().with_structured_output(Person, method="json_mode")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        person = structured.invoke("Give me a person named Ann as JSON.")
    assert isinstance(person, Person)
    refused, retried = kimi_simulator.requests
    assert refused.status == 400 and "response_format" in refused.params
    assert retried.status == 200 and "response_format" not in retried.params


def test_the_simulator_spells_per_endpoint(kimi_simulator: KimiSimulator) -> None:
    """Defaults: snake_case on the compatible endpoint, CamelCase on the native
    one (the error-code page); a scripted fault's code is sent as given."""
    client = openai.OpenAI(
        api_key="wrong", base_url=kimi_simulator.openai_base_url, max_retries=0
    )
    with pytest.raises(openai.AuthenticationError) as info:
        client.chat.completions.create(
            model=INSTRUCT_MODEL, messages=[{"role": "user", "content": "hi"}]
        )
    assert info.value.body["code"] == "invalid_api_key"  # type: ignore[index]
    native = dashscope.Generation.call(
        model=INSTRUCT_MODEL,
        api_key="wrong",
        base_address=kimi_simulator.native_base_url,
        messages=[{"role": "user", "content": "hi"}],
        result_format="message",
    )
    assert (native.status_code, native.code) == (401, "InvalidApiKey")
    kimi_simulator.fail(429, "Throttling.RateQuota")
    with pytest.raises(openai.RateLimitError) as limited:
        openai.OpenAI(
            api_key=kimi_simulator.api_key,
            base_url=kimi_simulator.openai_base_url,
            max_retries=0,
        ).chat.completions.create(
            model=INSTRUCT_MODEL, messages=[{"role": "user", "content": "hi"}]
        )
    assert limited.value.body["code"] == "Throttling.RateQuota"  # type: ignore[index]


# -- how a stream request's error body is framed --------------------------------------


@pytest.mark.parametrize("framing", ["json", "sse"])
def test_a_stream_requests_error_keeps_code_and_message_either_way(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    transport: str,
    framing: str,
) -> None:
    kimi_simulator.behaviour = _both_endpoints("stream_error_framing", framing)
    code = {"openai": "invalid_api_key", "dashscope": "InvalidApiKey"}[transport]
    with pytest.raises(AuthenticationError) as info:
        list(make_llm(api_key="sk-wrong").stream("hi"))
    error = info.value
    assert (error.status_code, error.code) == (401, code)
    assert error.message == "Invalid API-key provided."
    assert error.request_id  # from the header or the framed body


@pytest.mark.parametrize("framing", ["json", "sse"])
async def test_an_async_stream_requests_error_either_way(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, framing: str
) -> None:
    kimi_simulator.behaviour = _both_endpoints("stream_error_framing", framing)
    with pytest.raises(NotFoundError) as info:
        async for _ in make_llm(model="kimi-no-such-model").astream("hi"):
            pass
    assert info.value.status_code == 404
    assert "does not exist" in info.value.message


@pytest.mark.parametrize("framing", ["json", "sse"])
def test_json_mode_refusal_in_a_stream_is_recognised_either_way(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, framing: str
) -> None:
    kimi_simulator.behaviour = Behaviour(
        json_mode_on_thinking=False,
        stream_error_framing_compatible=framing,  # type: ignore[arg-type]
        stream_error_framing_native=framing,  # type: ignore[arg-type]
    )
    structured = make_llm().with_structured_output(Person, method="json_mode")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = list(structured.stream("Give me a person named Ann as JSON."))
    assert isinstance(parts[-1], Person)
    assert [r.status for r in kimi_simulator.requests] == [400, 200]


def test_only_stream_requests_get_a_framed_error(kimi_simulator: KimiSimulator) -> None:
    kimi_simulator.behaviour = _both_endpoints("stream_error_framing", "sse")
    client = openai.OpenAI(
        api_key="wrong", base_url=kimi_simulator.openai_base_url, max_retries=0
    )
    with pytest.raises(openai.AuthenticationError) as whole:
        client.chat.completions.create(
            model=INSTRUCT_MODEL, messages=[{"role": "user", "content": "hi"}]
        )
    assert whole.value.response.headers["content-type"].startswith("application/json")
    with pytest.raises(openai.AuthenticationError) as streamed:
        client.chat.completions.create(
            model=INSTRUCT_MODEL,
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
        )
    response = streamed.value.response
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.startswith('data: {"error":')


# -- how an unknown model is refused -----------------------------------------------------


def test_an_unknown_model_is_not_found_by_default(
    make_llm: Callable[..., ChatKimi],
) -> None:
    with pytest.raises(NotFoundError) as info:
        make_llm(model="kimi-no-such-model").invoke("hi")
    assert info.value.status_code == 404


@pytest.mark.parametrize("streamed", [False, True])
def test_an_unknown_model_refused_as_model_not_exist_is_a_clear_error(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, streamed: bool
) -> None:
    """400 "Model not exist.": the service's words, never retried."""
    kimi_simulator.behaviour = _both_endpoints("unknown_model", "model_not_exist")
    llm = make_llm(model="kimi-no-such-model", max_retries=2)
    with pytest.raises(KimiError) as info:
        if streamed:
            list(llm.stream("hi"))
        else:
            llm.invoke("hi")
    assert isinstance(info.value, (BadRequestError, NotFoundError))
    assert (info.value.status_code, info.value.message) == (400, "Model not exist.")
    assert len(kimi_simulator.requests) == 1


def test_an_unknown_model_refused_with_400_is_not_found(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.behaviour = _both_endpoints("unknown_model", "model_not_exist")
    with pytest.raises(NotFoundError):
        make_llm(model="kimi-no-such-model").invoke("hi")
