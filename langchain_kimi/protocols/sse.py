"""Server-sent events as bytes: lines split on CR, LF and CRLF only, in linear time.

Both protocols stream SSE. ``str.splitlines`` (and so httpx's ``iter_lines``)
also splits on U+2028, U+0085 and other characters that JSON leaves raw in a
string, which breaks a delta in two; requests' ``iter_lines`` re-scans its
whole buffer on every read, which is quadratic on a long line. This splitter
does neither and holds nothing back: a line is returned as soon as its end
has arrived.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_LINE_END = re.compile(b"[\r\n]")
_CR = 13
_LF = 10

EVENT_STREAM = "text/event-stream"


class LineSplitter:
    """Feed byte chunks, get complete lines (without their ends).

    A last line with no line end is an incomplete event and is never
    returned: SSE discards it, and so a cut stream stays cut.
    """

    __slots__ = ("_buffer", "_skip_lf")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._skip_lf = False

    def feed(self, chunk: bytes) -> list[bytes]:
        """The lines completed by ``chunk`` (LF-only chunks take a fast path)."""
        if b"\r" in chunk or self._skip_lf:
            return list(self._feed_cr(chunk))
        lines = chunk.split(b"\n")
        if self._buffer:
            self._buffer += lines[0]
            lines[0] = bytes(self._buffer)
            self._buffer.clear()
        tail = lines.pop()
        if tail:
            self._buffer += tail
        return lines

    def _feed_cr(self, chunk: bytes) -> Iterator[bytes]:
        start = 0
        for match in _LINE_END.finditer(chunk):
            end = match.start()
            if self._skip_lf and end == start and chunk[end] == _LF:
                self._skip_lf = False  # the LF of a CRLF split across chunks
                start = end + 1
                continue
            if self._buffer:
                self._buffer += chunk[start:end]
                line = bytes(self._buffer)
                self._buffer.clear()
            else:
                line = chunk[start:end]
            self._skip_lf = chunk[end] == _CR
            start = end + 1
            yield line
        if start < len(chunk):
            self._skip_lf = False
            self._buffer += chunk[start:]


def is_event_stream(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` announces an event stream."""
    return bool(content_type) and EVENT_STREAM in str(content_type).lower()
