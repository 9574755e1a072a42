"""``python -m langchain_kimi``: the offline demo and a one-shot chat.

    python -m langchain_kimi demo            # local simulation, no key, no network
    python -m langchain_kimi demo --live     # the same agent on the real service
    python -m langchain_kimi chat "Who are you?" [--model M] [--transport T]
                                             [--no-reasoning]

Exit codes: 0 done, 1 the service failed, 2 usage error or no API key.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_kimi.chat_models import API_KEY_ENV, ChatKimi
from langchain_kimi.console import Console
from langchain_kimi.errors import KimiError
from langchain_kimi.models import MODELS, THINKING_MODEL

NO_KEY = (
    f"{API_KEY_ENV} is not set. Create a Model Studio API key in the China (Beijing) "
    f"region and run: export {API_KEY_ENV}=sk-..."
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m langchain_kimi",
        description="Kimi on Alibaba Cloud Model Studio, from LangChain.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="a tool-calling agent on kimi-k2-thinking, streamed"
    )
    demo.add_argument("--live", action="store_true", help="use the real service")
    demo.add_argument("question", nargs="?", default=None)
    chat = commands.add_parser("chat", help="one streamed answer from the service")
    chat.add_argument("question")
    chat.add_argument("--model", default=THINKING_MODEL, help=f"one of {list(MODELS)}")
    chat.add_argument("--transport", choices=["openai", "dashscope"], default="openai")
    chat.add_argument("--no-reasoning", action="store_true", help="hide the thinking")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console()
    try:
        if args.command == "chat":
            return chat(
                console,
                args.question,
                args.model,
                args.transport,
                show_reasoning=not args.no_reasoning,
            )
        from langchain_kimi.demo import run_demo

        return run_demo(console, live=args.live, question=args.question)
    except KimiError as error:
        console.line(f"\nThe service failed: {error}", "yellow")
        return 1
    except KeyboardInterrupt:
        console.line("\ninterrupted")
        return 130


def chat(
    console: Console,
    question: str,
    model: str,
    transport: str,
    *,
    show_reasoning: bool = True,
) -> int:
    """Stream one answer, reasoning set apart from it; 2 when no key is set."""
    if not os.environ.get(API_KEY_ENV):
        console.line(NO_KEY, "yellow")
        return 2
    llm = ChatKimi(model=model, transport=transport)  # type: ignore[arg-type]
    console.start_spinner(f"waiting for {model}")
    render = Renderer(console, show_reasoning=show_reasoning)
    for chunk in llm.stream(question):
        render.chunk(chunk)
    render.finish()
    render.usage()
    return 0


class Renderer:
    """Streams reasoning (dimmed, under its own heading) apart from the answer."""

    def __init__(self, console: Console, *, show_reasoning: bool = True) -> None:
        self.console = console
        self.show_reasoning = show_reasoning
        self.section: str | None = None
        self.input_tokens = 0
        self.output_tokens = 0
        self.reasoning_tokens = 0
        self.cost = 0.0

    def _enter(self, section: str) -> None:
        if self.section == section:
            return
        if self.section is not None:
            self.console.line()
        heading = {"thinking": "[thinking]", "answer": "[answer]"}[section]
        self.console.line(heading, "dim" if section == "thinking" else "bold")
        self.section = section

    def chunk(self, chunk: Any) -> None:
        reasoning = chunk.additional_kwargs.get("reasoning_content")
        if reasoning and self.show_reasoning:
            self._enter("thinking")
            self.console.write(reasoning, "dim")
        if isinstance(chunk.content, str) and chunk.content:
            self._enter("answer")
            self.console.write(chunk.content)
        self.count(chunk)

    def count(self, message: Any) -> None:
        usage = getattr(message, "usage_metadata", None)
        if usage:
            self.input_tokens += usage["input_tokens"]
            self.output_tokens += usage["output_tokens"]
            details = usage.get("output_token_details") or {}
            self.reasoning_tokens += details.get("reasoning", 0) or 0
        self.cost += float(message.response_metadata.get("cost_usd") or 0.0)

    def finish(self) -> None:
        if self.section is not None:
            self.console.line()
        self.section = None

    def usage(self) -> None:
        reasoning = (
            f" (reasoning {self.reasoning_tokens})" if self.reasoning_tokens else ""
        )
        self.console.line(
            f"tokens: {self.input_tokens} in, {self.output_tokens} out{reasoning}; "
            f"cost: ${self.cost:.6f}",
            "dim",
        )


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables for a block, restoring them after."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
