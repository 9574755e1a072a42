"""Request building's degrade paths: tool choice as an instruction, JSON mode
dropped after a refusal, and the notices a model instance warns about."""

from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from langchain_kimi.errors import BadRequestError, ContentModerationError
from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL
from langchain_kimi.request.build import (
    ChatRequest,
    build_request,
    is_json_mode_refusal,
)
from langchain_kimi.request.tools import tool_definition

WEATHER = tool_definition(
    {"name": "get_weather", "description": "Weather.", "parameters": {}}
)
SCHEMA = {"type": "object", "properties": {"a": {"type": "integer"}}}
JSON_SCHEMA = {"type": "json_schema", "json_schema": {"name": "A", "schema": SCHEMA}}


def build(
    model: str,
    messages: list[BaseMessage] | None = None,
    *,
    json_mode: bool = True,
    keep_reasoning: Any = "tool_calls",
    **params: Any,
) -> ChatRequest:
    return build_request(
        messages or [HumanMessage("hi")],
        {},
        params,
        model=model,
        stop=None,
        stream=False,
        stream_usage=True,
        keep_reasoning=keep_reasoning,
        json_mode=json_mode,
    )


def test_unforceable_choice_is_auto_plus_an_instruction_in_the_system_message() -> None:
    request = build(
        THINKING_MODEL,
        [SystemMessage("Be brief."), HumanMessage("hi")],
        tools=[WEATHER],
        tool_choice="get_weather",
    )
    assert request.params["tool_choice"] == "auto"
    assert request.messages[0]["role"] == "system"
    assert request.messages[0]["content"].startswith("Be brief.\n\n")
    assert "You must call the tool 'get_weather'" in request.messages[0]["content"]
    assert [n.key for n in request.notices] == ["tool_choice"]


def test_forceable_choice_is_the_object_without_instruction_or_notice() -> None:
    request = build(INSTRUCT_MODEL, tools=[WEATHER], tool_choice="any")
    assert request.params["tool_choice"] == {
        "type": "function",
        "function": {"name": "get_weather"},
    }
    assert request.messages == [{"role": "user", "content": "hi"}]
    assert request.notices == ()


def test_unknown_models_can_be_forced() -> None:
    request = build("kimi-k9-preview", tools=[WEATHER], tool_choice="get_weather")
    assert request.params["tool_choice"]["function"]["name"] == "get_weather"


def test_a_per_call_choice_naming_no_tool_is_refused_before_the_request() -> None:
    with pytest.raises(ValueError, match=r"kimi-k2-thinking: tool_choice='nope'"):
        build(THINKING_MODEL, tools=[WEATHER], tool_choice="nope")


def test_without_json_mode_the_instruction_stays_and_the_format_goes() -> None:
    request = build(THINKING_MODEL, json_mode=False, response_format=JSON_SCHEMA)
    assert "response_format" not in request.params
    assert '"properties"' in request.messages[0]["content"]
    plain = build(
        THINKING_MODEL,
        [HumanMessage("Reply in JSON")],
        json_mode=False,
        response_format={"type": "json_object"},
    )
    assert "response_format" not in plain.params
    assert build(THINKING_MODEL, response_format=JSON_SCHEMA).params[
        "response_format"
    ] == {"type": "json_object"}


def _tool_turn(reasoning: str | None) -> list[BaseMessage]:
    extra = {"reasoning_content": reasoning} if reasoning else {}
    return [
        HumanMessage("Weather?"),
        AIMessage(
            "",
            additional_kwargs=extra,
            tool_calls=[{"name": "get_weather", "args": {}, "id": "c1"}],
        ),
    ]


def test_a_thinking_tool_turn_without_reasoning_is_a_notice() -> None:
    request = build(THINKING_MODEL, _tool_turn(None))
    assert [n.key for n in request.notices] == ["reasoning"]
    assert "keep_reasoning" in request.notices[0].text
    assert build(THINKING_MODEL, _tool_turn("because")).notices == ()
    dropped = build(THINKING_MODEL, _tool_turn("because"), keep_reasoning="none")
    assert [n.key for n in dropped.notices] == ["reasoning"]
    assert build(INSTRUCT_MODEL, _tool_turn(None)).notices == ()


def _refusal(message: str, status: int = 400) -> BadRequestError:
    return BadRequestError(message, status_code=status, code="InvalidParameter")


@pytest.mark.parametrize(
    "message",
    [
        "<400> InternalError.Algo.InvalidParameter: Json mode response is not "
        "supported when enable_thinking is true",
        "The response_format parameter is invalid.",
        "json_mode is not available for this model",
    ],
)
def test_refusals_naming_response_format_or_json_mode(message: str) -> None:
    request = build(THINKING_MODEL, response_format=JSON_SCHEMA)
    assert is_json_mode_refusal(request, _refusal(message))


def test_other_errors_are_not_json_mode_refusals() -> None:
    with_format = build(THINKING_MODEL, response_format=JSON_SCHEMA)
    without = build(THINKING_MODEL, [HumanMessage("json")])
    word = (
        "'messages' must contain the word 'json' in some form, to use "
        "'response_format' of type 'json_object'."
    )
    assert not is_json_mode_refusal(without, _refusal("json mode refused"))
    assert not is_json_mode_refusal(with_format, _refusal(word))
    assert not is_json_mode_refusal(with_format, _refusal("Range of max_tokens"))
    assert not is_json_mode_refusal(
        with_format, ContentModerationError("response_format", status_code=400)
    )
    assert not is_json_mode_refusal(with_format, ValueError("response_format"))
