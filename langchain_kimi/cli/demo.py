"""``python -m langchain_kimi demo``: a LangGraph tool-calling agent, streamed.

Offline by default: the agent talks to the bundled simulator, and the output
says so. With ``--live`` and DASHSCOPE_API_KEY it talks to the real service.
It shows the reasoning (set apart from the answer), each tool call with its
arguments and result, the answer, and the tokens and cost of the run.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any, cast

from langchain_core.messages import AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_kimi.chat_models.base import API_KEY_ENV, ChatKimi
from langchain_kimi.cli.console import NO_KEY, Console, Renderer
from langchain_kimi.model_specs import DEFAULT_MODEL

DEFAULT_QUESTION = "What is the weather in Beijing today?"
SIMULATION_NOTICE = (
    "LOCAL SIMULATION: these replies come from langchain-kimi's built-in simulator "
    "on 127.0.0.1, not from Kimi. Run with --live (and DASHSCOPE_API_KEY) for the "
    "real service."
)


@tool
def get_weather(city: str) -> str:
    """Get today's weather in a city (a demo tool with canned data)."""
    return f"{city}: sunny, 24°C, light breeze from the north-west"


@tool
def get_local_time(city: str) -> str:
    """Get the current local time in a city (a demo tool with canned data)."""
    return f"{city}: 14:05 local time"


@contextlib.contextmanager
def _service(console: Console, live: bool) -> Iterator[dict[str, Any]]:
    """Where the demo's model connects: the environment's service, or a simulator
    whose key and URL go to the model directly (the process environment is left
    alone)."""
    if live:
        console.line(f"Live: {DEFAULT_MODEL} on Alibaba Cloud Model Studio.", "bold")
        yield {}
        return
    from langchain_kimi.testing import KimiSimulator

    with KimiSimulator() as simulator:
        console.line(SIMULATION_NOTICE, "yellow")
        yield {"api_key": simulator.api_key, "base_url": simulator.openai_base_url}


def run_demo(
    console: Console, *, live: bool = False, question: str | None = None
) -> int:
    """Run the agent once, rendering as it streams. Returns the exit code."""
    if live and not os.environ.get(API_KEY_ENV):
        console.line(NO_KEY, "yellow")
        return 2
    try:
        from langchain.agents import create_agent
    except ImportError:
        console.line(
            "The demo needs LangChain's agents: "
            "pip install 'langchain-kimi-modelstudio[demo]'",
            "yellow",
        )
        return 2
    question = question or DEFAULT_QUESTION
    with _service(console, live) as connection:
        agent = create_agent(
            ChatKimi(model=DEFAULT_MODEL, **connection), [get_weather, get_local_time]
        )
        console.line(f"\nYou: {question}", "bold")
        render = Renderer(console)
        console.start_spinner(f"{DEFAULT_MODEL} is thinking")
        turn: AIMessageChunk | None = None
        events = agent.stream(
            {"messages": [HumanMessage(question)]}, stream_mode="messages"
        )
        for message, _ in cast("Iterator[tuple[Any, Any]]", events):
            if isinstance(message, AIMessageChunk):
                turn = message if turn is None else turn + message
                render.chunk(message)
                if message.chunk_position == "last":
                    render.finish()
                    for call in turn.tool_calls:
                        console.line(f"-> {call['name']}({call['args']})", "cyan")
                    turn = None
            elif isinstance(message, ToolMessage):
                console.line(f"<- {message.name}: {message.content}", "green")
                console.start_spinner(f"{DEFAULT_MODEL} is thinking")
        render.finish()
        render.usage()
    return 0
