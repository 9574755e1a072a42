"""Streamed tool calls over real HTTP on both transports: pieces with or without
``index``, cut arguments in the message ChatKimi builds, v1 content blocks."""

import functools
import operator
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import LLMResult
from langchain_core.tools import tool

from langchain_kimi import ChatKimi
from langchain_kimi.testing import Behaviour, KimiSimulator, Reply, ToolCallSpec
from tests.integration.city_tools import get_population, get_weather

TWO = Reply(
    reasoning="Both at once.",
    tool_calls=[
        ToolCallSpec("get_weather", {"city": "Beijing"}, id="call_a"),
        ToolCallSpec("get_population", {"city": "Shanghai"}, id="call_b"),
    ],
)
EXPECTED = [
    ("get_weather", {"city": "Beijing"}, "call_a"),
    ("get_population", {"city": "Shanghai"}, "call_b"),
]
CUT = Reply(
    reasoning="Look it up.",
    tool_calls=[ToolCallSpec("get_weather", '{"city": "Beij', id="call_cut")],
    finish_reason="length",
)


def _calls(message: AIMessage) -> list[tuple[str, Any, Any]]:
    return [(c["name"], c["args"], c["id"]) for c in message.tool_calls]


def _sum(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    return functools.reduce(operator.add, chunks)


@pytest.fixture(params=[True, False], ids=["indexed", "no index"])
def indexed(request: pytest.FixtureRequest, kimi_simulator: KimiSimulator) -> bool:
    kimi_simulator.behaviour = Behaviour(tool_call_index_in_stream=request.param)
    return bool(request.param)


def test_parallel_calls_stay_apart_with_or_without_index(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, indexed: bool
) -> None:
    llm = make_llm()
    bound = llm.bind_tools([get_weather, get_population], parallel_tool_calls=True)
    kimi_simulator.queue(TWO, TWO)
    assert _calls(_sum(list(bound.stream("Both?")))) == EXPECTED
    streamed = make_llm(streaming=True).bind_tools(
        [get_weather, get_population], parallel_tool_calls=True
    )
    assert _calls(streamed.invoke("Both?")) == EXPECTED


async def test_async_parallel_calls_stay_apart_with_or_without_index(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, indexed: bool
) -> None:
    bound = make_llm(streaming=True).bind_tools(
        [get_weather, get_population], parallel_tool_calls=True
    )
    kimi_simulator.queue(TWO, TWO)
    assert _calls(_sum([c async for c in bound.astream("Both?")])) == EXPECTED
    assert _calls(await bound.ainvoke("Both?")) == EXPECTED


class _Ended(BaseCallbackHandler):
    def __init__(self) -> None:
        self.results: list[LLMResult] = []

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.results.append(response)

    def message(self) -> Any:
        return self.results[-1].generations[0][0].message  # type: ignore[attr-defined]


def _is_cut(message: AIMessage) -> bool:
    (invalid,) = message.invalid_tool_calls
    return (
        message.tool_calls == []
        and invalid["name"] == "get_weather"
        and invalid["args"] == '{"city": "Beij'
        and invalid["id"] == "call_cut"
    )


@pytest.mark.parametrize("streaming", [False, True])
async def test_cut_arguments_are_invalid_in_every_message_chatkimi_builds(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, streaming: bool
) -> None:
    bound = make_llm(streaming=streaming).bind_tools([get_weather])
    ended = _Ended()
    config: Any = {"callbacks": [ended]}
    kimi_simulator.queue(CUT, CUT, CUT, CUT)
    assert _is_cut(bound.invoke("Weather?", config))
    assert _is_cut(ended.message())
    assert _is_cut(await bound.ainvoke("Weather?", config))
    assert _is_cut(ended.message())
    chunks = list(bound.stream("Weather?", config))
    assert _is_cut(ended.message())
    if streaming:  # (streaming=False makes stream() one invoke)
        # a user's own sum follows langchain-core's partial-JSON rule (README)
        assert _sum(chunks).tool_calls[0]["args"] == {"city": "Beij"}
    [c async for c in bound.astream("Weather?", config)]
    assert _is_cut(ended.message())


def test_an_agent_streaming_messages_does_not_run_a_cut_call(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    from langchain.agents import create_agent

    ran: list[str] = []

    @tool
    def lookup(city: str) -> str:
        """Get the current weather in a city."""
        ran.append(city)
        return "sunny"

    cut = Reply(tool_calls=[ToolCallSpec("lookup", '{"city": "Beij')])
    kimi_simulator.queue(cut, Reply(content="Sorry."))
    agent = create_agent(make_llm(model="Moonshot-Kimi-K2-Instruct"), [lookup])
    parts = list(
        agent.stream(
            {"messages": [("user", "Weather in Beijing?")]}, stream_mode="messages"
        )
    )
    assert parts  # LangGraph's streaming handler was attached
    assert ran == []


@pytest.mark.parametrize("stream", [False, True])
def test_v1_keeps_reasoning_and_tool_call_blocks(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    indexed: bool,
    stream: bool,
) -> None:
    bound = make_llm(output_version="v1").bind_tools([get_weather])
    kimi_simulator.queue(
        Reply(
            reasoning="Check the weather.",
            content="Let me look.",
            tool_calls=[ToolCallSpec("get_weather", {"city": "Oslo"})],
        )
    )
    message = _sum(list(bound.stream("Oslo?"))) if stream else bound.invoke("Oslo?")
    kinds = [block["type"] for block in message.content_blocks]
    assert kinds == ["reasoning", "text", "tool_call"]
    assert message.tool_calls[0]["args"] == {"city": "Oslo"}
