from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL
from langchain_kimi.protocols import native, openai
from langchain_kimi.request.build import ChatRequest, build_request

USER: list[BaseMessage] = [HumanMessage("hi")]


def _request(
    model: str,
    messages: list[BaseMessage] | None = None,
    *,
    stream: bool = False,
    stream_usage: bool = True,
    **params: Any,
) -> ChatRequest:
    return build_request(
        messages or USER,
        {},
        params,
        model=model,
        stop=None,
        stream=stream,
        stream_usage=stream_usage,
        keep_reasoning="tool_calls",
    )


def _checked(
    model: str, messages: list[BaseMessage] | None = None, **params: Any
) -> dict[str, Any]:
    return openai.request_body(_request(model, messages, **params))


def test_unset_parameters_are_not_sent() -> None:
    body = _checked(THINKING_MODEL, temperature=None, seed=3)
    assert body == {
        "model": THINKING_MODEL,
        "messages": [{"role": "user", "content": "hi"}],
        "seed": 3,
    }


def test_stream_asks_for_usage_only_when_wanted() -> None:
    with_usage = openai.request_body(_request("m", stream=True))
    without = openai.request_body(_request("m", stream=True, stream_usage=False))
    assert with_usage["stream_options"] == {"include_usage": True}
    assert "stream_options" not in without and without["stream"] is True


@pytest.mark.parametrize("name", ["top_p", "presence_penalty"])
def test_thinking_refuses_fixed_sampling(name: str) -> None:
    with pytest.raises(ValueError, match=rf"kimi-k2-thinking.*\({name}\).*Remove"):
        _checked(THINKING_MODEL, **{name: 0.5})


def test_instruct_accepts_sampling() -> None:
    assert _checked(INSTRUCT_MODEL, top_p=0.9, presence_penalty=0.1)["top_p"] == 0.9


def test_max_tokens_above_max_response_is_refused() -> None:
    with pytest.raises(ValueError, match=r"at most 8192.*\(max_tokens\)"):
        _checked(INSTRUCT_MODEL, max_tokens=9000)
    assert _checked(THINKING_MODEL, max_tokens=16_384)["max_tokens"] == 16_384


@pytest.mark.parametrize(
    "params", [{"enable_search": True}, {"search_options": {"forced_search": True}}]
)
def test_web_search_refused_on_thinking(params: dict) -> None:
    with pytest.raises(ValueError, match="kimi-k2-thinking has no web search"):
        _checked(THINKING_MODEL, **params)
    assert _checked(INSTRUCT_MODEL, **params)


def test_partial_mode_refused_on_both_models() -> None:
    messages = [*USER, AIMessage("Once", additional_kwargs={"partial": True})]
    for model in (THINKING_MODEL, INSTRUCT_MODEL):
        with pytest.raises(ValueError, match=rf"{model} has no partial mode"):
            _checked(model, messages)
    assert _checked("kimi-future", messages)


def test_json_mode_needs_the_word_json() -> None:
    fmt = {"type": "json_object"}
    with pytest.raises(ValueError, match="word 'json'"):
        _checked(THINKING_MODEL, response_format=fmt)
    ok: list[BaseMessage] = [HumanMessage("Reply in JSON")]
    assert _checked(THINKING_MODEL, ok, response_format=fmt)


def test_json_schema_format_is_json_mode_plus_the_schema_in_a_system_message() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    fmt = {"type": "json_schema", "json_schema": {"name": "A", "schema": schema}}
    body = _checked(THINKING_MODEL, response_format=fmt)
    assert body["response_format"] == {"type": "json_object"}
    system = body["messages"][0]
    assert system["role"] == "system" and '"properties"' in system["content"]
    assert "JSON" in system["content"]


def test_json_mode_refused_on_instruct() -> None:
    ok: list[BaseMessage] = [HumanMessage("Reply in JSON")]
    with pytest.raises(ValueError, match="function_calling"):
        _checked(INSTRUCT_MODEL, ok, response_format={"type": "json_object"})


def test_unknown_models_skip_client_checks() -> None:
    assert _checked("kimi-future", top_p=0.2, max_tokens=10**6)


def test_native_parameters_always_message_format_and_incremental_streams() -> None:
    streamed = _request(THINKING_MODEL, stream=True, max_tokens=5)
    assert native.parameters(streamed) == {
        "max_tokens": 5,
        "result_format": "message",
        "incremental_output": True,
    }
    assert native.parameters(_request(THINKING_MODEL)) == {"result_format": "message"}


def test_a_calls_extra_body_is_merged_last_not_sent_as_a_field() -> None:
    body = _checked(INSTRUCT_MODEL, extra_body={"enable_search": True})
    assert body["enable_search"] is True and "extra_body" not in body
    with pytest.raises(ValueError, match="web search"):
        _checked(THINKING_MODEL, extra_body={"enable_search": True})


def test_a_response_format_that_is_not_a_dict_is_refused() -> None:
    class Answer:
        pass

    for model in (THINKING_MODEL, "kimi-future"):
        with pytest.raises(ValueError, match="with_structured_output"):
            _checked(model, response_format=Answer)


def test_an_unknown_thinking_model_is_not_forced_to_call_a_tool() -> None:
    tool = {"type": "function", "function": {"name": "f", "parameters": {}}}
    body = _checked("kimi-k3-thinking", tools=[tool], tool_choice="f")
    assert body["tool_choice"] == "auto"
    assert "f" in body["messages"][0]["content"]
    forced = _checked("kimi-k3-instruct", tools=[tool], tool_choice="f")
    assert forced["tool_choice"] == {"type": "function", "function": {"name": "f"}}
