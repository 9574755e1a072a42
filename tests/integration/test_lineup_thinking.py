"""Today's lineup over real HTTP: thinking on and off, and what follows from it.

kimi-k3 and kimi-k2.7-code always think; kimi-k2.6 and kimi-k2.5 think only
with ``enable_thinking=True``. Tool choice, the reasoning sent back and the
structured-output method follow each call's effective thinking state.
"""

import warnings
from collections.abc import Callable

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from pydantic import BaseModel

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import CODE_MODEL, K3_MODEL, K25_MODEL, K26_MODEL
from langchain_kimi.testing import Behaviour, KimiSimulator
from tests.integration.calls import MODES, reply
from tests.integration.city_tools import WEATHER

TIME = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Local time in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
THINKING_FIELDS = ("enable_thinking", "thinking_budget", "preserve_thinking")


def test_the_default_model_is_kimi_k3_and_it_reasons(
    kimi_simulator: KimiSimulator, transport: str
) -> None:
    llm = ChatKimi(
        api_key=kimi_simulator.api_key,
        base_url=kimi_simulator.base_url_for(transport),
        transport=transport,
        max_retries=0,
    )
    message = llm.invoke("Who are you?")
    assert kimi_simulator.last_request.model == "kimi-k3"
    assert message.content and message.additional_kwargs["reasoning_content"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("model", [K3_MODEL, CODE_MODEL])
def test_always_thinking_models_reason_with_nothing_sent(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    model: str,
    mode: str,
) -> None:
    message = reply(make_llm(model=model), mode, "Is 1001 prime?")
    assert message.additional_kwargs["reasoning_content"]
    assert not set(THINKING_FIELDS) & set(kimi_simulator.last_request.params)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("model", [K26_MODEL, K25_MODEL])
def test_hybrid_models_think_only_when_asked(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    model: str,
    mode: str,
) -> None:
    plain = reply(make_llm(model=model), mode, "Is 1001 prime?")
    assert plain.content and "reasoning_content" not in plain.additional_kwargs
    assert "enable_thinking" not in kimi_simulator.last_request.params
    llm = make_llm(model=model, enable_thinking=True)
    thinking = reply(llm, mode, "Is 1001 prime?")
    assert thinking.additional_kwargs["reasoning_content"]
    assert kimi_simulator.last_request.params["enable_thinking"] is True


def test_thinking_fields_travel_where_each_protocol_puts_them(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, transport: str
) -> None:
    make_llm(
        model=K26_MODEL,
        enable_thinking=True,
        thinking_budget=2048,
        preserve_thinking=True,
    ).invoke("hi")
    body = kimi_simulator.last_request.body
    where = body["parameters"] if transport == "dashscope" else body
    assert {k: where[k] for k in THINKING_FIELDS} == {
        "enable_thinking": True,
        "thinking_budget": 2048,
        "preserve_thinking": True,
    }


@pytest.mark.parametrize("how", ["bind", "kwargs"])
def test_thinking_is_switched_per_call(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, how: str
) -> None:
    llm = make_llm(model=K26_MODEL)
    if how == "bind":
        message = llm.bind(enable_thinking=True).invoke("Is 1001 prime?")
    else:
        message = llm.invoke("Is 1001 prime?", enable_thinking=True)
    assert message.additional_kwargs.get("reasoning_content")
    assert kimi_simulator.last_request.params["enable_thinking"] is True


def test_thinking_cannot_be_turned_off_where_it_is_always_on() -> None:
    for model in (K3_MODEL, CODE_MODEL):
        with pytest.raises(ValueError, match=f"{model}.*enable_thinking"):
            ChatKimi(model=model, api_key="k", enable_thinking=False)


def test_kimi_k3_takes_no_thinking_budget(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    with pytest.raises(ValueError, match=r"kimi-k3.*thinking_budget"):
        ChatKimi(api_key="k", thinking_budget=1024)
    with pytest.raises(ValueError, match="thinking_budget"):
        make_llm(model=K3_MODEL).invoke("hi", thinking_budget=1024)
    assert kimi_simulator.requests == []


@pytest.mark.parametrize("choice", ["any", "required", True])
def test_kimi_k3_sends_required_for_any_tool(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, choice: object
) -> None:
    tools = [WEATHER] if choice is True else [WEATHER, TIME]
    bound = make_llm(model=K3_MODEL).bind_tools(tools, tool_choice=choice)
    message = bound.invoke("Weather in Paris?")
    assert kimi_simulator.last_request.params["tool_choice"] == "required"
    assert message.tool_calls


def test_a_thinking_call_is_never_forced_to_a_named_tool(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    llm = make_llm(model=K26_MODEL, enable_thinking=True)
    with pytest.warns(UserWarning, match="cannot be forced"):
        bound = llm.bind_tools([WEATHER, TIME], tool_choice="get_weather")
    message = bound.invoke("Weather in Paris?")
    assert kimi_simulator.last_request.params["tool_choice"] == "auto"
    assert message.tool_calls[0]["name"] == "get_weather"


def test_a_hybrid_model_without_thinking_is_forced_by_the_object_form(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    bound = make_llm(model=K26_MODEL).bind_tools(
        [WEATHER, TIME], tool_choice="get_time"
    )
    message = bound.invoke("Weather in Paris?")
    assert kimi_simulator.last_request.params["tool_choice"] == {
        "type": "function",
        "function": {"name": "get_time"},
    }
    assert message.tool_calls[0]["name"] == "get_time"


def _history() -> list[object]:
    earlier = AIMessage("Paris.", additional_kwargs={"reasoning_content": "France."})
    return [HumanMessage("Capital of France?"), earlier, HumanMessage("And Italy?")]


@pytest.mark.parametrize(
    ("settings", "sent_back"),
    [
        ({"model": K3_MODEL}, True),
        ({"model": CODE_MODEL}, True),
        ({"model": K26_MODEL, "enable_thinking": True}, False),
        (
            {"model": K26_MODEL, "enable_thinking": True, "preserve_thinking": True},
            True,
        ),
        ({"model": K3_MODEL, "keep_reasoning": "tool_calls"}, False),
    ],
)
def test_preserved_thinking_gets_earlier_reasoning_back_by_default(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    settings: dict[str, object],
    sent_back: bool,
) -> None:
    make_llm(**settings).invoke(_history())
    earlier = kimi_simulator.last_request.messages[1]
    assert ("reasoning_content" in earlier) is sent_back


class City(BaseModel):
    city: str
    population: int


def test_structured_output_uses_json_mode_on_kimi_k3(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    result = (
        make_llm(model=K3_MODEL)
        .with_structured_output(City)
        .invoke("Largest city in China?")
    )
    assert isinstance(result, City)
    assert kimi_simulator.last_request.params["response_format"] == {
        "type": "json_object"
    }


@pytest.mark.parametrize("thinking", [False, True])
def test_structured_output_on_a_hybrid_model_calls_the_schema_tool(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, thinking: bool
) -> None:
    llm = make_llm(model=K26_MODEL, enable_thinking=thinking)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        structured = llm.with_structured_output(City)
    assert any("cannot be forced" in str(w.message) for w in caught) is thinking
    assert isinstance(structured.invoke("Largest city in China?"), City)
    sent = kimi_simulator.last_request.params
    assert "response_format" not in sent
    forced = {"type": "function", "function": {"name": "City"}}
    assert sent["tool_choice"] == ("auto" if thinking else forced)


def test_profile_follows_the_thinking_state() -> None:
    plain = ChatKimi(model=K26_MODEL, api_key="k").profile or {}
    thinking = ChatKimi(model=K26_MODEL, api_key="k", enable_thinking=True).profile
    assert not plain["reasoning_output"] and plain["tool_choice"]
    assert thinking and thinking["reasoning_output"] and not thinking["tool_choice"]


def test_kimi_k3_degrades_when_the_service_refuses_json_mode(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.behaviour = Behaviour(json_mode_on_thinking=False)
    structured = make_llm(model=K3_MODEL).with_structured_output(City)
    with pytest.warns(UserWarning, match="refused JSON mode"):
        assert isinstance(structured.invoke("Largest city in China?"), City)
    assert "response_format" not in kimi_simulator.last_request.params


def _bare_tool_turn() -> list[object]:
    call = {"name": "get_weather", "args": {"city": "Rome"}, "id": "c1"}
    return [
        HumanMessage("Weather in Rome?"),
        AIMessage("", tool_calls=[call]),
        ToolMessage("Sunny.", tool_call_id="c1"),
    ]


@pytest.mark.parametrize("thinking", [False, True])
def test_the_missing_reasoning_warning_follows_the_thinking_state(
    make_llm: Callable[..., ChatKimi], thinking: bool
) -> None:
    llm = make_llm(model=K26_MODEL, enable_thinking=thinking)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        llm.bind_tools([WEATHER]).invoke(_bare_tool_turn())
    warned = any("carries no reasoning_content" in str(w.message) for w in caught)
    assert warned is thinking
