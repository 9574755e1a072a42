"""tool_choice as Model Studio publishes it, over real HTTP on both transports.

The simulator refuses what the references say the service refuses (a forced
choice on the thinking model, the string "required"), so every call here that
succeeds is one the real service would take.
"""

import warnings
from collections.abc import Callable
from typing import Any

import dashscope
import openai
import pytest

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL
from langchain_kimi.request.tools import forced
from langchain_kimi.testing import Behaviour, KimiSimulator, Reply, ToolCallSpec
from langchain_kimi.testing.rules import (
    FORCED_IN_THINKING_MESSAGE,
    TOOL_CHOICE_STRING_MESSAGE,
)
from tests.integration.city_tools import get_population, get_weather

BOTH = [get_weather, get_population]
QUESTION = "Tell me about Paris."  # fits neither tool: only a forced choice calls one


@pytest.mark.parametrize(
    ("model", "tools", "choice", "sent", "instruction"),
    [
        (THINKING_MODEL, BOTH, "get_weather", "auto", "the tool 'get_weather'"),
        (THINKING_MODEL, BOTH, "any", "auto", "one of these tools"),
        (THINKING_MODEL, BOTH, "required", "auto", "one of these tools"),
        (THINKING_MODEL, BOTH[:1], True, "auto", "the tool 'get_weather'"),
        (THINKING_MODEL, BOTH, forced("get_weather"), "auto", "'get_weather'"),
        (INSTRUCT_MODEL, BOTH, "get_weather", forced("get_weather"), None),
        (INSTRUCT_MODEL, BOTH[:1], "any", forced("get_weather"), None),
        (INSTRUCT_MODEL, BOTH[:1], "required", forced("get_weather"), None),
        (INSTRUCT_MODEL, BOTH[:1], True, forced("get_weather"), None),
        (INSTRUCT_MODEL, BOTH, "any", "auto", "one of these tools"),
        (INSTRUCT_MODEL, BOTH, "required", "auto", "one of these tools"),
    ],
)
def test_a_choice_that_must_call_a_tool_is_sent_as_the_service_takes_it(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    model: str,
    tools: list[Any],
    choice: Any,
    sent: Any,
    instruction: str | None,
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bound = make_llm(model=model).bind_tools(tools, tool_choice=choice)
    message = bound.invoke(QUESTION)
    request = kimi_simulator.last_request
    assert request.status == 200
    assert request.params["tool_choice"] == sent
    system = request.messages[0]
    if instruction is None:
        assert system["role"] == "user"
    else:
        assert system["role"] == "system"
        assert instruction in system["content"]
    assert message.tool_calls  # the simulator follows the choice or the instruction


@pytest.mark.parametrize("model", [THINKING_MODEL, INSTRUCT_MODEL])
@pytest.mark.parametrize("choice", ["auto", "none"])
def test_auto_and_none_are_sent_as_they_are(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    model: str,
    choice: str,
) -> None:
    llm = make_llm(model=model)  # the seed's models warn that they were retired
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        message = llm.bind_tools(BOTH, tool_choice=choice).invoke(QUESTION)
    assert kimi_simulator.last_request.params["tool_choice"] == choice
    assert not message.tool_calls  # nothing fits the question


def test_the_warning_comes_at_bind_time_once_per_bound_model(
    llm: ChatKimi,
) -> None:
    with pytest.warns(UserWarning, match="kimi-k2-thinking cannot be forced") as seen:
        bound = llm.bind_tools(BOTH, tool_choice="any")
    assert len([w for w in seen if "cannot be forced" in str(w.message)]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bound.invoke(QUESTION)
        bound.invoke(QUESTION)


def test_a_per_call_choice_is_mapped_and_warned_once_per_instance(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    definition = {
        "type": "function",
        "function": {"name": "lookup", "description": "Look up.", "parameters": {}},
    }
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for _ in range(2):
            llm.invoke(QUESTION, tools=[definition], tool_choice="lookup")
    assert [
        str(w.message).split(" (")[0] for w in seen if "forced" in str(w.message)
    ] == ["kimi-k2-thinking cannot be forced to call the tool 'lookup'"]
    assert kimi_simulator.last_request.params["tool_choice"] == "auto"


def test_parallel_tool_calls_is_sent_only_when_set(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    llm.bind_tools(BOTH).invoke("Weather in Rome?")
    assert "parallel_tool_calls" not in kimi_simulator.last_request.params
    llm.bind_tools(BOTH, parallel_tool_calls=True).invoke("Weather in Rome?")
    assert kimi_simulator.last_request.params["parallel_tool_calls"] is True


TWO_CALLS = Reply(
    tool_calls=[
        ToolCallSpec("get_weather", {"city": "Rome"}),
        ToolCallSpec("get_population", {"city": "Rome"}),
    ]
)


@pytest.mark.parametrize("streaming", [False, True])
def test_one_call_per_turn_unless_parallel_tool_calls(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, streaming: bool
) -> None:
    llm = make_llm(streaming=streaming)
    kimi_simulator.queue(TWO_CALLS, TWO_CALLS)
    assert len(llm.bind_tools(BOTH).invoke("Rome?").tool_calls) == 1
    parallel = llm.bind_tools(BOTH, parallel_tool_calls=True)
    assert len(parallel.invoke("Rome?").tool_calls) == 2
    question = "Call get_weather and get_population for Rome."
    assert len(llm.bind_tools(BOTH).invoke(question).tool_calls) == 1
    assert len(parallel.invoke(question).tool_calls) == 2


def test_the_parallel_default_is_a_switch(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.behaviour = Behaviour(parallel_tool_calls_default=True)
    kimi_simulator.queue(TWO_CALLS)
    assert len(llm.bind_tools(BOTH).invoke("Rome?").tool_calls) == 2


@pytest.mark.parametrize(
    ("question", "called"),
    [("Hello!", []), ("What is the weather in Oslo?", ["get_weather"])],
)
def test_under_auto_the_simulator_calls_a_tool_only_when_it_fits(
    llm: ChatKimi, question: str, called: list[str]
) -> None:
    message = llm.bind_tools(BOTH).invoke(question)
    assert [c["name"] for c in message.tool_calls] == called


# -- the simulator's own rules, through the raw SDKs --------------------------

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather.",
            "parameters": {},
        },
    }
]


def _openai_refusal(
    simulator: KimiSimulator, model: str, choice: Any
) -> openai.APIStatusError:
    client = openai.OpenAI(
        api_key=simulator.api_key, base_url=simulator.openai_base_url, max_retries=0
    )
    with pytest.raises(openai.APIStatusError) as info:
        client.chat.completions.create(
            model=model,
            messages=[{"role": "user", "content": "hi"}],
            tools=TOOLS,  # type: ignore[arg-type]
            tool_choice=choice,
        )
    return info.value


def _native_response(simulator: KimiSimulator, model: str, choice: Any) -> Any:
    return dashscope.Generation.call(
        model=model,
        api_key=simulator.api_key,
        base_address=simulator.native_base_url,
        messages=[{"role": "user", "content": "hi"}],
        tools=TOOLS,
        tool_choice=choice,
        result_format="message",
    )


@pytest.mark.parametrize(
    ("model", "choice", "message"),
    [
        (THINKING_MODEL, forced("get_weather"), FORCED_IN_THINKING_MESSAGE),
        (THINKING_MODEL, "required", TOOL_CHOICE_STRING_MESSAGE),
        (INSTRUCT_MODEL, "required", TOOL_CHOICE_STRING_MESSAGE),
        (INSTRUCT_MODEL, "any", TOOL_CHOICE_STRING_MESSAGE),
    ],
)
def test_the_simulator_refuses_undocumented_or_forced_choices(
    kimi_simulator: KimiSimulator, model: str, choice: Any, message: str
) -> None:
    error = _openai_refusal(kimi_simulator, model, choice)
    assert error.status_code == 400
    assert error.body["message"] == message  # type: ignore[index]
    native = _native_response(kimi_simulator, model, choice)
    assert (native.status_code, native.code) == (400, "InvalidParameter")
    assert native.message == message


def test_the_simulator_takes_a_forced_choice_on_instruct(
    kimi_simulator: KimiSimulator,
) -> None:
    native = _native_response(kimi_simulator, INSTRUCT_MODEL, forced("get_weather"))
    assert native.status_code == 200
    assert native.output.choices[0].message.tool_calls[0]["function"]["name"] == (
        "get_weather"
    )
