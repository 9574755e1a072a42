"""A LangChain agent on kimi-k3 whose reasoning travels with its tool calls.

Uses DASHSCOPE_API_KEY and, when set, DASHSCOPE_BASE_URL. With --simulate (or
no key set) it runs against the bundled local simulator instead.

    python examples/agent_tool_loop.py --simulate
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator

from langchain.agents import create_agent
from langchain_core.tools import tool

from langchain_kimi import ChatKimi
from langchain_kimi.testing import KimiSimulator


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"Sunny and 25C in {city}."


@tool
def get_population(city: str) -> str:
    """Get the population of a city."""
    return f"{city} has about 21 million people."


@contextlib.contextmanager
def model(simulate: bool, name: str) -> Iterator[ChatKimi]:
    if simulate or not os.environ.get("DASHSCOPE_API_KEY"):
        with KimiSimulator() as sim:
            print(f"[local simulation at {sim.url}]")
            yield ChatKimi(
                model=name, api_key=sim.api_key, base_url=sim.openai_base_url
            )
    else:
        yield ChatKimi(model=name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--simulate", action="store_true")
    parser.add_argument("--model", default="kimi-k3")
    parser.add_argument(
        "question", nargs="?", default="What is the weather in Beijing?"
    )
    args = parser.parse_args()
    with model(args.simulate, args.model) as llm:
        agent = create_agent(llm, [get_weather, get_population])
        state = agent.invoke({"messages": [("user", args.question)]})
    for message in state["messages"]:
        reasoning = message.additional_kwargs.get("reasoning_content")
        if reasoning:
            print(f"  (thinking) {reasoning}")
        for call in getattr(message, "tool_calls", []) or []:
            print(f"  -> {call['name']}({call['args']})")
        if message.type == "tool":
            print(f"  <- {message.content}")
    print(state["messages"][-1].content)


if __name__ == "__main__":
    main()
