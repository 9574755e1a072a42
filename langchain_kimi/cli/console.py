"""Terminal output for the command line: styles, a spinner, plain when piped.

Styles and the spinner appear only on a terminal (and not with NO_COLOR), so
redirected output stays plain text. Text the stream cannot encode (a lone
surrogate in a reply) is written with U+FFFD (or ``?``) in its place and
counted in ``Console.replaced``, never raised. ``Renderer`` shows a streamed reply with
its reasoning set apart from the answer, and the tokens and cost it used
(a ``Usage``, which also adds up a whole session).
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any, TextIO

from langchain_kimi.chat_models.base import API_KEY_ENV

NO_KEY = (
    f"{API_KEY_ENV} is not set. Create a Model Studio API key in the China (Beijing) "
    f"region and run: export {API_KEY_ENV}=sk-..."
)
_STYLES = {"dim": "2", "bold": "1", "cyan": "36", "green": "32", "yellow": "33"}


class Console:
    """Writes styled text to a stream; styles only when it is a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.fancy = self.stream.isatty() and "NO_COLOR" not in os.environ
        self._spinner: _Spinner | None = None
        self.replaced = 0

    def printable(self, text: str) -> str:
        """``text`` with what the stream cannot encode replaced (and counted)."""
        encoding = getattr(self.stream, "encoding", None) or "utf-8"
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            mark = "\ufffd" if _encodes("\ufffd", encoding) else "?"
            kept = [c if _encodes(c, encoding) else mark for c in text]
            self.replaced += sum(1 for a, b in zip(text, kept, strict=True) if a != b)
            return "".join(kept)
        return text

    def write(self, text: str, style: str | None = None) -> None:
        self.stop_spinner()
        text = self.printable(text)
        if style and self.fancy:
            text = f"\033[{_STYLES[style]}m{text}\033[0m"
        self.stream.write(text)
        self.stream.flush()

    def line(self, text: str = "", style: str | None = None) -> None:
        self.write(text, style)
        self.write("\n")

    def start_spinner(self, label: str) -> None:
        """Show progress until the next write (terminals only)."""
        if self.fancy and self._spinner is None:
            self._spinner = _Spinner(self.stream, label)
            self._spinner.start()

    def stop_spinner(self) -> None:
        if self._spinner is not None:
            self._spinner.stop()
            self._spinner = None


def _encodes(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


class _Spinner(threading.Thread):
    def __init__(self, stream: TextIO, label: str) -> None:
        super().__init__(daemon=True)
        self._stream = stream
        self._label = label
        self._done = threading.Event()

    def run(self) -> None:
        for frame in itertools.cycle("|/-\\"):
            self._stream.write(f"\r{frame} {self._label}")
            self._stream.flush()
            if self._done.wait(0.1):
                break
        self._stream.write("\r" + " " * (len(self._label) + 2) + "\r")
        self._stream.flush()

    def stop(self) -> None:
        self._done.set()
        self.join(1)


@dataclass
class Usage:
    """Tokens and cost added up over replies (or streamed chunks)."""

    input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    cost: float = 0.0
    unpriced: bool = False
    """A reply had usage but no ``cost_usd`` (a model with no published price)."""

    def add(self, message: Any) -> None:
        usage = getattr(message, "usage_metadata", None)
        if usage:
            self.input_tokens += usage["input_tokens"]
            self.output_tokens += usage["output_tokens"]
            details = usage.get("output_token_details") or {}
            self.reasoning_tokens += details.get("reasoning", 0) or 0
            if "cost_usd" not in message.response_metadata:
                self.unpriced = True
        self.cost += float(message.response_metadata.get("cost_usd") or 0.0)

    def merge(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.reasoning_tokens += other.reasoning_tokens
        self.cost += other.cost
        self.unpriced = self.unpriced or other.unpriced

    def describe(self) -> str:
        reasoning = (
            f" (reasoning {self.reasoning_tokens})" if self.reasoning_tokens else ""
        )
        cost = (
            "not published for this model (see the Model Studio console)"
            if self.unpriced
            else f"${self.cost:.6f}"
        )
        return (
            f"{self.input_tokens} in, {self.output_tokens} out{reasoning}; cost: {cost}"
        )


class Renderer:
    """Streams reasoning (dimmed, under its own heading) apart from the answer."""

    def __init__(self, console: Console, *, show_reasoning: bool = True) -> None:
        self.console = console
        self.show_reasoning = show_reasoning
        self.section: str | None = None
        self.used = Usage()
        self._replaced_before = console.replaced

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
        self.used.add(chunk)

    def finish(self) -> None:
        if self.section is not None:
            self.console.line()
        self.section = None
        replaced = self.console.replaced - self._replaced_before
        if replaced:
            self.console.line(
                f"({replaced} character(s) of the reply cannot be shown in this "
                "output's encoding, or are not valid text; shown replaced)",
                "yellow",
            )
            self._replaced_before = self.console.replaced

    def usage(self) -> None:
        self.console.line(f"tokens: {self.used.describe()}", "dim")
