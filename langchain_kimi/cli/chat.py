"""``python -m langchain_kimi chat`` without a question: a multi-turn session.

Each line is a turn: the conversation so far goes to the model, the reply
streams with its reasoning set apart from the answer, and the turn's tokens
and cost follow it; the session's totals close it. ``/reset`` starts a new
conversation; ``/exit`` or Ctrl-D leaves. On a terminal there is a prompt with
line editing, and Ctrl-C drops the turn under way (or the line being typed).
Piped input is read line by line and answered in plain text, each question
echoed so the transcript reads in order. A line that is not text in the
input's encoding (``caf\xe9`` under UTF-8) is reported by number and
skipped; the session goes on (exit status 1 at the end).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

from langchain_core.messages import (
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    message_chunk_to_message,
)

from langchain_kimi.chat_models.base import ChatKimi
from langchain_kimi.cli.console import Console, Renderer, Usage
from langchain_kimi.errors import AuthenticationError, KimiError

COMMANDS = "/reset clears the history, /exit (or Ctrl-D) leaves."
PROMPT = "you> "


@dataclass
class Session:
    """The conversation, its running totals and what a line of input does."""

    llm: ChatKimi
    console: Console
    show_reasoning: bool = True
    echo: bool = False
    history: list[BaseMessage] = field(default_factory=list)
    total: Usage = field(default_factory=Usage)
    turns: int = 0
    failed: bool = False

    def run(self, lines: Iterable[str]) -> int:
        """Answer each line until ``/exit`` or the end of input.

        Returns 1 when a turn failed on the service's side, else 0; a rejected
        key ends the session at once (every later turn would fail too).
        """
        for line in lines:
            text = line.strip()
            if not text:
                continue
            if text in ("/exit", "/quit"):
                break
            if text == "/reset":
                self.history.clear()
                self.console.line("(history cleared)", "dim")
            elif text.startswith("/"):
                self.console.line(f"Unknown command {text}: {COMMANDS}", "yellow")
            else:
                self.turn(text)
        self.console.line(
            f"total ({self.turns} turns): {self.total.describe()}", "bold"
        )
        return 1 if self.failed else 0

    def turn(self, text: str) -> None:
        """One question and its streamed reply, kept in the history on success."""
        if self.echo:
            self.console.line(f"you: {text}", "bold")
        question = HumanMessage(text)
        render = Renderer(self.console, show_reasoning=self.show_reasoning)
        self.console.start_spinner(f"waiting for {self.llm.model_name}")
        reply: AIMessageChunk | None = None
        try:
            for chunk in self.llm.stream([*self.history, question]):
                render.chunk(chunk)
                reply = chunk if reply is None else reply + chunk
        except AuthenticationError:
            raise
        except KimiError as error:
            render.finish()
            self.console.line(f"The service failed: {error}", "yellow")
            self.failed = True
            return
        except KeyboardInterrupt:
            render.finish()
            self.console.line("(interrupted: this question was dropped)", "yellow")
            return
        render.finish()
        render.usage()
        self.turns += 1
        self.total.merge(render.used)
        if reply is not None:
            self.history += [question, message_chunk_to_message(reply)]


def terminal_lines(console: Console) -> Iterator[str]:
    """Lines typed at the prompt, with line editing; Ctrl-D ends them."""
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (gives input() editing and history)
    while True:
        try:
            yield input(PROMPT)
        except EOFError:
            console.line()
            return
        except KeyboardInterrupt:
            console.line()
        except UnicodeDecodeError as error:
            console.line(f"That line is not {error.encoding} text; skipped.", "yellow")


def piped_lines(stdin: TextIO, session: Session) -> Iterator[str]:
    """The input's lines, each decoded on its own: one that does not decode
    is reported by number and skipped (``session.failed``), not fatal."""
    raw: BinaryIO | None = getattr(stdin, "buffer", None)
    if raw is None:
        yield from stdin
        return
    encoding = stdin.encoding or "utf-8"
    for number, data in enumerate(raw, 1):
        try:
            yield data.decode(encoding)
        except UnicodeDecodeError as error:
            session.console.line(
                f"Line {number} is not {encoding} text (byte "
                f"{data[error.start]:#04x} at position {error.start + 1}); skipped.",
                "yellow",
            )
            session.failed = True


def run_session(
    console: Console, llm: ChatKimi, stdin: TextIO, *, show_reasoning: bool = True
) -> int:
    """The session on ``stdin``: interactive on a terminal, else line by line."""
    interactive = stdin.isatty()
    session = Session(llm, console, show_reasoning=show_reasoning, echo=not interactive)
    if interactive:
        console.line(
            f"Chatting with {llm.model_name} over {llm.transport}. {COMMANDS}", "dim"
        )
        return session.run(terminal_lines(console))
    return session.run(piped_lines(stdin, session))
