"""Tool calling, tool loops with reasoning, structured output, web search, agents."""

import functools
import json
import operator
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import INSTRUCT_MODEL
from langchain_kimi.testing import KimiSimulator, Reply, ToolCallSpec


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"Sunny, 25C in {city}"


@tool
def get_population(city: str) -> int:
    """Get the population of a city."""
    return 21_000_000


class Person(BaseModel):
    """A person."""

    name: str = Field(description="The person's name")
    age: int


class PersonDict(TypedDict):
    """A person."""

    name: str
    age: int


def _sum(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    return functools.reduce(operator.add, chunks)


def test_tool_call_parsed_from_reply(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(
        Reply(
            reasoning="Look up Beijing.",
            tool_calls=[ToolCallSpec("get_weather", {"city": "Beijing"})],
        )
    )
    message = llm.bind_tools([get_weather]).invoke("What is the weather in Beijing?")
    assert message.tool_calls[0]["name"] == "get_weather"
    assert message.tool_calls[0]["args"] == {"city": "Beijing"}
    assert message.additional_kwargs["reasoning_content"] == "Look up Beijing."
    sent = kimi_simulator.last_request.params["tools"][0]
    assert sent["function"]["name"] == "get_weather"
    assert "strict" not in sent["function"]


def test_parallel_tool_calls_flag_passed_through(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    llm.bind_tools([get_weather], parallel_tool_calls=False).invoke("Weather in Rome?")
    assert kimi_simulator.last_request.params["parallel_tool_calls"] is False


def test_invalid_json_arguments_become_invalid_tool_calls(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(tool_calls=[ToolCallSpec("get_weather", '{"city": ')]))
    message = llm.bind_tools([get_weather]).invoke("Weather?")
    assert message.tool_calls == []
    assert message.invalid_tool_calls[0]["name"] == "get_weather"


def test_streamed_parallel_calls_sum_with_reasoning(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(
        Reply(
            reasoning="Two tools at once.",
            tool_calls=[
                ToolCallSpec("get_weather", {"city": "Beijing"}),
                ToolCallSpec("get_population", {"city": "Shanghai"}),
            ],
        )
    )
    bound = llm.bind_tools([get_weather, get_population], parallel_tool_calls=True)
    chunks = list(bound.stream("Both?"))
    assert any(c.tool_call_chunks for c in chunks)
    total = _sum(chunks)
    assert [(c["name"], c["args"]) for c in total.tool_calls] == [
        ("get_weather", {"city": "Beijing"}),
        ("get_population", {"city": "Shanghai"}),
    ]
    assert total.additional_kwargs["reasoning_content"] == "Two tools at once."
    assert total.response_metadata["finish_reason"] == "tool_calls"


def test_three_step_tool_loop_sends_reasoning_with_every_tool_turn(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    tools = {"get_weather": get_weather, "get_population": get_population}
    kimi_simulator.queue(
        Reply(
            reasoning="step 1", tool_calls=[ToolCallSpec("get_weather", {"city": "A"})]
        ),
        Reply(
            reasoning="step 2",
            tool_calls=[ToolCallSpec("get_population", {"city": "A"})],
        ),
        Reply(
            reasoning="step 3", tool_calls=[ToolCallSpec("get_weather", {"city": "B"})]
        ),
        Reply(content="All done.", reasoning="final"),
    )
    bound = llm.bind_tools(list(tools.values()))
    messages: list[Any] = [HumanMessage("Plan a trip.")]
    while True:
        reply = bound.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            break
        for call in reply.tool_calls:
            messages.append(tools[call["name"]].invoke(call))
    assert messages[-1].content == "All done."
    sent = kimi_simulator.last_request.messages
    assistant_turns = [m for m in sent if m["role"] == "assistant"]
    assert [m["reasoning_content"] for m in assistant_turns] == [
        "step 1",
        "step 2",
        "step 3",
    ]
    assert all(m["tool_calls"] for m in assistant_turns)
    assert [m["role"] for m in sent].count("tool") == 3


# The hand-written history's tool-call turn has no reasoning: warned by design.
@pytest.mark.filterwarnings("ignore:.*carries no reasoning_content:UserWarning")
def test_tool_error_results_are_sent(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(tool_calls=[ToolCallSpec("get_weather", {"city": "X"})]))
    bound = llm.bind_tools([get_weather])
    first = bound.invoke("Weather in X?")
    call_id = first.tool_calls[0]["id"]
    bound.invoke(
        [
            HumanMessage("Weather in X?"),
            first,
            ToolMessage(
                [{"type": "text", "text": "no such city"}],
                tool_call_id=call_id,
                status="error",
            ),
        ]
    )
    assert kimi_simulator.last_request.messages[-1] == {
        "role": "tool",
        "content": "Error: no such city",
        "tool_call_id": call_id,
    }


def test_orphan_tool_message_refused_before_request(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    with pytest.raises(ValueError, match="no preceding assistant message"):
        llm.invoke([HumanMessage("hi"), ToolMessage("x", tool_call_id="ghost")])
    assert kimi_simulator.requests == []


@pytest.mark.parametrize("schema", [Person, PersonDict, Person.model_json_schema()])
def test_structured_output_json_mode_on_thinking(
    llm: ChatKimi, kimi_simulator: KimiSimulator, schema: Any
) -> None:
    kimi_simulator.queue(
        Reply(content='{"name": "Alice", "age": 30}', reasoning="Fill the schema.")
    )
    result = llm.with_structured_output(schema).invoke("Alice is 30 years old.")
    data = result.model_dump() if isinstance(result, BaseModel) else result
    assert data == {"name": "Alice", "age": 30}
    request = kimi_simulator.last_request
    assert request.params["response_format"] == {"type": "json_object"}
    assert "JSON" in request.messages[0]["content"]
    assert '"age"' in request.messages[0]["content"]


def test_json_schema_method_validates_on_the_client(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(content=json.dumps({"name": "Bob"})))
    structured = llm.with_structured_output(
        PersonDict, method="json_schema", include_raw=True
    )
    result = structured.invoke("Bob?")
    assert result["parsed"] is None
    assert "age" in str(result["parsing_error"])
    assert result["raw"].content == '{"name": "Bob"}'


def test_include_raw_on_success(llm: ChatKimi, kimi_simulator: KimiSimulator) -> None:
    kimi_simulator.queue(
        Reply(content='{"name": "Eve", "age": 41}', reasoning="Eve, aged 41.")
    )
    result = llm.with_structured_output(Person, include_raw=True).invoke("Eve is 41.")
    assert result["parsed"] == Person(name="Eve", age=41)
    assert result["parsing_error"] is None
    assert result["raw"].additional_kwargs["reasoning_content"] == "Eve, aged 41."


def test_function_calling_method_on_thinking(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(
        Reply(
            reasoning="Fill the tool's arguments.",
            tool_calls=[ToolCallSpec("Person", {"name": "Carol", "age": 52})],
        )
    )
    with pytest.warns(UserWarning, match="kimi-k2-thinking cannot be forced"):
        structured = llm.with_structured_output(Person, method="function_calling")
    assert structured.invoke("Carol is 52.") == Person(name="Carol", age=52)
    request = kimi_simulator.last_request
    assert request.params["tool_choice"] == "auto"  # never forced on thinking
    assert "You must call the tool 'Person'" in request.messages[0]["content"]


def test_instruct_structured_output_defaults_to_function_calling(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    instruct = make_llm(model=INSTRUCT_MODEL)
    kimi_simulator.queue(
        Reply(tool_calls=[ToolCallSpec("Person", {"name": "Dan", "age": 7})])
    )
    assert instruct.with_structured_output(Person).invoke("Dan is 7.") == Person(
        name="Dan", age=7
    )
    assert "response_format" not in kimi_simulator.last_request.params
    with pytest.raises(ValueError, match="function_calling"):
        instruct.with_structured_output(Person, method="json_mode")


def test_structured_output_streams(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(content=['{"name": ', '"Zoe", ', '"age": 9}']))
    parts = list(llm.with_structured_output(PersonDict).stream("Zoe is 9."))
    assert parts[-1] == {"name": "Zoe", "age": 9}


def test_web_search_reaches_the_service_on_instruct(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, transport: str
) -> None:
    instruct = make_llm(model=INSTRUCT_MODEL, search_options={"forced_search": True})
    instruct.invoke("News?", enable_search=True)
    request = kimi_simulator.last_request
    assert request.params["enable_search"] is True
    assert request.params["search_options"] == {"forced_search": True}
    if transport == "openai":
        assert request.body["enable_search"] is True  # top-level body field
    else:
        assert request.body["parameters"]["enable_search"] is True
    instruct.bind(enable_search=True).invoke("More news?")
    assert kimi_simulator.last_request.params["enable_search"] is True


def test_web_search_refused_on_thinking(llm: ChatKimi) -> None:
    with pytest.raises(ValueError, match="kimi-k2-thinking has no web search"):
        llm.bind(enable_search=True).invoke("News?")


# LangGraph 1.x deprecates create_react_agent for langchain's create_agent, but
# keeps it, and agents built with it are still common: it must keep working.
@pytest.mark.filterwarnings("ignore:create_react_agent has been moved")
@pytest.mark.parametrize("model", ["kimi-k2-thinking", INSTRUCT_MODEL])
def test_langgraph_react_agent_loop(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, model: str
) -> None:
    from langgraph.prebuilt import create_react_agent

    thinking = model == "kimi-k2-thinking"  # only it reasons
    kimi_simulator.queue(
        Reply(
            reasoning="Ask the weather tool." if thinking else None,
            tool_calls=[ToolCallSpec("get_weather", {"city": "Beijing"})],
        ),
        Reply(
            content="It is sunny and 25C in Beijing.",
            reasoning="Report the result." if thinking else None,
        ),
    )
    agent = create_react_agent(make_llm(model=model), [get_weather])
    state = agent.invoke({"messages": [("user", "What is the weather in Beijing?")]})
    final = state["messages"][-1]
    assert final.content == "It is sunny and 25C in Beijing."
    assert [m.type for m in state["messages"]] == ["human", "ai", "tool", "ai"]
    last_sent = kimi_simulator.last_request.messages
    tool_turn = next(m for m in last_sent if m["role"] == "assistant")
    assert ("reasoning_content" in tool_turn) is thinking
    assert last_sent[-1] == {
        "role": "tool",
        "content": "Sunny, 25C in Beijing",
        "tool_call_id": tool_turn["tool_calls"][0]["id"],
    }


def test_langchain_create_agent_multi_step(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    from langchain.agents import create_agent

    kimi_simulator.queue(
        Reply(
            reasoning="first weather",
            tool_calls=[ToolCallSpec("get_weather", {"city": "Oslo"})],
        ),
        Reply(
            reasoning="then people",
            tool_calls=[ToolCallSpec("get_population", {"city": "Oslo"})],
        ),
        Reply(content="Oslo is sunny.", reasoning="done"),
    )
    agent = create_agent(llm, [get_weather, get_population])
    state = agent.invoke({"messages": [("user", "Tell me about Oslo.")]})
    assert [m.type for m in state["messages"]] == [
        "human",
        "ai",
        "tool",
        "ai",
        "tool",
        "ai",
    ]
    assert state["messages"][-1].content == "Oslo is sunny."
    sent = kimi_simulator.last_request.messages
    assert [m.get("reasoning_content") for m in sent if m["role"] == "assistant"] == [
        "first weather",
        "then people",
    ]
