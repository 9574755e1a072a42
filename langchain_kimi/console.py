"""Terminal output for the command line: styles, a spinner, plain when piped.

Styles and the spinner appear only on a terminal (and not with NO_COLOR), so
redirected output stays plain text.
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
from typing import TextIO

_STYLES = {"dim": "2", "bold": "1", "cyan": "36", "green": "32", "yellow": "33"}


class Console:
    """Writes styled text to a stream; styles only when it is a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.fancy = self.stream.isatty() and "NO_COLOR" not in os.environ
        self._spinner: _Spinner | None = None

    def write(self, text: str, style: str | None = None) -> None:
        self.stop_spinner()
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
