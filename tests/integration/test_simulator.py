"""The simulator speaks both protocols faithfully to the raw SDKs."""

import json

import dashscope
import openai
import pytest

from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL
from langchain_kimi.testing import KimiSimulator, RecordedRequest, Reply
from langchain_kimi.testing.rules import JSON_WORD_MESSAGE


@pytest.fixture
def client(kimi_simulator: KimiSimulator) -> openai.OpenAI:
    return openai.OpenAI(
        api_key=kimi_simulator.api_key,
        base_url=kimi_simulator.openai_base_url,
        max_retries=0,
    )


def _status(client: openai.OpenAI, **body: object) -> openai.APIStatusError:
    with pytest.raises(openai.APIStatusError) as info:
        client.chat.completions.create(**body)  # type: ignore[call-overload]
    return info.value


def test_json_mode_without_json_word_gets_the_real_400(client: openai.OpenAI) -> None:
    error = _status(
        client,
        model=THINKING_MODEL,
        messages=[{"role": "user", "content": "hi"}],
        response_format={"type": "json_object"},
    )
    assert error.status_code == 400
    assert error.body["message"] == JSON_WORD_MESSAGE  # type: ignore[index]


def test_orphan_tool_message_gets_400(client: openai.OpenAI) -> None:
    error = _status(
        client,
        model=THINKING_MODEL,
        messages=[
            {"role": "user", "content": "hi"},
            {"role": "tool", "content": "x", "tool_call_id": "nope"},
        ],
    )
    assert error.status_code == 400
    assert error.body["code"] == "invalid_parameter_error"  # type: ignore[index]


@pytest.mark.parametrize(
    ("model", "extra"),
    [
        (THINKING_MODEL, {"top_p": 0.5}),
        (THINKING_MODEL, {"enable_search": True}),
        (INSTRUCT_MODEL, {"response_format": {"type": "json_object"}}),
    ],
)
def test_unsupported_parameters_get_invalid_parameter(
    client: openai.OpenAI, model: str, extra: dict
) -> None:
    error = _status(
        client,
        model=model,
        messages=[{"role": "user", "content": "json please"}],
        extra_body=extra,
    )
    assert error.status_code == 400
    assert error.body["code"] == "invalid_parameter_error"  # type: ignore[index]


def test_missing_key_gets_401(kimi_simulator: KimiSimulator) -> None:
    client = openai.OpenAI(
        api_key="wrong", base_url=kimi_simulator.openai_base_url, max_retries=0
    )
    error = _status(
        client, model=THINKING_MODEL, messages=[{"role": "user", "content": "x"}]
    )
    assert error.status_code == 401
    assert error.body["code"] == "invalid_api_key"  # type: ignore[index]


def test_openai_sdk_parses_streamed_reasoning(
    client: openai.OpenAI, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(content="answer", reasoning="thought"))
    stream = client.chat.completions.create(
        model=THINKING_MODEL,
        messages=[{"role": "user", "content": "x"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    reasoning, content, usage = "", "", None
    for chunk in stream:
        if chunk.choices:
            delta = chunk.choices[0].delta
            reasoning += getattr(delta, "reasoning_content", None) or ""
            content += delta.content or ""
        if chunk.usage:
            usage = chunk.usage
    assert (reasoning, content) == ("thought", "answer")
    assert usage is not None and usage.completion_tokens > 0


def test_native_sdk_cumulative_and_incremental_streams(
    kimi_simulator: KimiSimulator,
) -> None:
    common = {
        "model": THINKING_MODEL,
        "messages": [{"role": "user", "content": "x"}],
        "api_key": kimi_simulator.api_key,
        "base_address": kimi_simulator.native_base_url,
        "result_format": "message",
        "stream": True,
    }
    kimi_simulator.queue(Reply(content=["a", "b", "c"]), Reply(content=["a", "b", "c"]))
    incremental = [
        r.output.choices[0].message.content
        for r in dashscope.Generation.call(**common, incremental_output=True)
    ]
    cumulative = [
        r.output.choices[0].message.content
        for r in dashscope.Generation.call(**common, incremental_output=False)
    ]
    assert "".join(incremental) == "abc"
    assert cumulative[:3] == ["a", "ab", "abc"]
    events = [
        r.output.choices[0].finish_reason
        for r in dashscope.Generation.call(**common, incremental_output=True)
    ]
    assert events[:-1] == ["null"] * (len(events) - 1) and events[-1] == "stop"


def test_requests_are_recorded_with_headers(
    client: openai.OpenAI, kimi_simulator: KimiSimulator
) -> None:
    client.chat.completions.create(
        model=THINKING_MODEL, messages=[{"role": "user", "content": "hello"}]
    )
    request = kimi_simulator.last_request
    assert request.protocol == "openai"
    assert request.headers["Authorization"] == f"Bearer {kimi_simulator.api_key}"
    assert request.messages == [{"role": "user", "content": "hello"}]
    assert json.dumps(request.body)


def test_default_responder_answers_json_mode_from_prompt_schema(
    client: openai.OpenAI,
) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}}
    reply = client.chat.completions.create(
        model=THINKING_MODEL,
        messages=[
            {
                "role": "system",
                "content": f"Reply in JSON matching {json.dumps(schema)}",
            },
            {"role": "user", "content": "I live in Hangzhou."},
        ],
        response_format={"type": "json_object"},
    )
    assert json.loads(reply.choices[0].message.content or "") == {"city": "Hangzhou"}


def _ask(client: openai.OpenAI, text: str) -> str:
    reply = client.chat.completions.create(
        model=THINKING_MODEL, messages=[{"role": "user", "content": text}]
    )
    return reply.choices[0].message.content or ""


def test_responder_answers_when_nothing_is_queued(
    client: openai.OpenAI, kimi_simulator: KimiSimulator
) -> None:
    seen: list[RecordedRequest] = []

    def shout(request: RecordedRequest) -> Reply:
        seen.append(request)
        return Reply(content=str(request.messages[-1]["content"]).upper())

    kimi_simulator.responder = shout
    kimi_simulator.queue(Reply(content="queued first"))
    assert _ask(client, "one") == "queued first"
    assert _ask(client, "two") == "TWO"
    assert seen == [kimi_simulator.last_request]
    kimi_simulator.reset()
    assert kimi_simulator.responder is None
    assert _ask(client, "three") == "You said: three. (Simulated Kimi reply.)"


def test_reset_restores_the_constructor_responder() -> None:
    def fixed(request: RecordedRequest) -> Reply:
        return Reply(content="fixed")

    with KimiSimulator(responder=fixed) as sim:
        client = openai.OpenAI(
            api_key=sim.api_key, base_url=sim.openai_base_url, max_retries=0
        )
        assert _ask(client, "hi") == "fixed"
        sim.responder = lambda request: Reply(content="other")
        assert _ask(client, "hi") == "other"
        sim.reset()
        assert sim.responder is fixed
        assert _ask(client, "hi") == "fixed"
