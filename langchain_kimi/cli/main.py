"""``python -m langchain_kimi``: the offline demo, a one-shot chat, a session.

    python -m langchain_kimi demo            # local simulation, no key, no network
    python -m langchain_kimi demo --live     # the same agent on the real service
    python -m langchain_kimi chat "Who are you?" [--model M] [--transport T]
                                             [--no-reasoning]
    python -m langchain_kimi chat            # a multi-turn session (same options)
    python -m langchain_kimi chat --simulate # either, against a local simulator
    python -m langchain_kimi probe [--output kimi-profile.json] [--yes]

Exit codes: 0 done, 1 the service failed, 2 usage error, no API key, or (probe)
a key the service rejected.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from langchain_kimi.chat_models.base import API_KEY_ENV, ChatKimi
from langchain_kimi.cli.chat import run_session
from langchain_kimi.cli.console import NO_KEY, Console, Renderer
from langchain_kimi.cli.demo import run_demo
from langchain_kimi.errors import KimiError
from langchain_kimi.model_specs import DEFAULT_MODEL, MODELS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m langchain_kimi",
        description="Kimi on Alibaba Cloud Model Studio, from LangChain.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help=f"a tool-calling agent on {DEFAULT_MODEL}, streamed"
    )
    demo.add_argument("--live", action="store_true", help="use the real service")
    demo.add_argument("question", nargs="?", default=None)
    chat = commands.add_parser(
        "chat",
        help="one streamed answer from the service; without a question, a "
        "multi-turn session",
    )
    chat.add_argument("question", nargs="?", default=None)
    chat.add_argument("--model", default=DEFAULT_MODEL, help=f"one of {list(MODELS)}")
    chat.add_argument("--transport", choices=["openai", "dashscope"], default="openai")
    chat.add_argument("--no-reasoning", action="store_true", help="hide the thinking")
    chat.add_argument(
        "--simulate",
        action="store_true",
        help="start the bundled simulator and chat with it (no key, no network)",
    )
    probe = commands.add_parser(
        "probe", help="ask the service what the references dispute; write a profile"
    )
    probe.add_argument(
        "--output",
        default="kimi-profile.json",
        metavar="PATH",
        help="where to write the profile (default: kimi-profile.json)",
    )
    probe.add_argument("--yes", action="store_true", help="send without asking")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    console = Console()
    try:
        if args.command == "probe":
            from langchain_kimi.cli.probe import probe_command

            return probe_command(console, args.output, yes=args.yes)
        if args.command == "chat":
            return chat(
                console,
                args.question,
                args.model,
                args.transport,
                show_reasoning=not args.no_reasoning,
                simulate=args.simulate,
            )
        return run_demo(console, live=args.live, question=args.question)
    except KimiError as error:
        console.line(f"\nThe service failed: {error}", "yellow")
        return 1
    except KeyboardInterrupt:
        console.line("\ninterrupted")
        return 130


def chat(
    console: Console,
    question: str | None,
    model: str,
    transport: str,
    *,
    show_reasoning: bool = True,
    simulate: bool = False,
) -> int:
    """Stream one answer, reasoning set apart from it, or with no question run
    a session on stdin; 2 when no key is set (unless ``simulate``: then a
    simulator started here answers) or the question is not text."""
    if question is not None and not _is_text(question):
        console.line("The question is not valid text (check its encoding).", "yellow")
        return 2
    if simulate:
        from langchain_kimi.testing import KimiSimulator

        with KimiSimulator() as simulator:
            console.line(
                f"LOCAL SIMULATION: replies come from the bundled simulator at "
                f"{simulator.url}, not from Kimi.",
                "dim",
            )
            llm = ChatKimi(
                model=model,
                transport=transport,  # type: ignore[arg-type]
                api_key=simulator.api_key,
                base_url=simulator.base_url_for(transport),
            )
            return _converse(console, llm, question, show_reasoning)
    if not os.environ.get(API_KEY_ENV):
        console.line(NO_KEY, "yellow")
        return 2
    llm = ChatKimi(model=model, transport=transport)  # type: ignore[arg-type]
    return _converse(console, llm, question, show_reasoning)


def _is_text(text: str) -> bool:
    """False for a string holding surrogates (undecodable bytes, e.g. argv)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _converse(
    console: Console, llm: ChatKimi, question: str | None, show_reasoning: bool
) -> int:
    model = llm.model_name
    if question is None:
        return run_session(console, llm, sys.stdin, show_reasoning=show_reasoning)
    console.start_spinner(f"waiting for {model}")
    render = Renderer(console, show_reasoning=show_reasoning)
    for chunk in llm.stream(question):
        render.chunk(chunk)
    render.finish()
    render.usage()
    return 0
