"""Server-sent events as bytes: lines split on CR, LF and CRLF only, in linear time.

Both protocols stream SSE. ``str.splitlines`` (and so httpx's ``iter_lines``)
also splits on U+2028, U+0085 and other characters that JSON leaves raw in a
string, which breaks a delta in two; requests' ``iter_lines`` re-scans its
whole buffer on every read, which is quadratic on a long line. This splitter
does neither and holds nothing back: a line is returned as soon as its end
has arrived. The pieces of a line still arriving are kept as a list and
joined once, at its end, so a long line in small reads costs linear time.

A line may take ``MAX_LINE`` bytes with its final LF (the limit the native
async path gets from aiohttp at ``read_bufsize`` 4 MiB); a longer one raises
``InvalidResponseError`` as soon as it is known to be too long, on every path
alike, instead of growing a buffer without bound.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from langchain_kimi.errors import InvalidResponseError

_LINE_END = re.compile(b"[\r\n]")
_CR = 13
_LF = 10

EVENT_STREAM = "text/event-stream"
BOM = b"\xef\xbb\xbf"
#: The most bytes an SSE line may take, with its final LF.
MAX_LINE = 8 * 2**20


def _too_long() -> InvalidResponseError:
    return InvalidResponseError(
        f"The service sent an event stream line longer than {MAX_LINE // 2**20} MiB."
    )


class LineSplitter:
    """Feed byte chunks, get complete lines (without their ends).

    A last line with no line end is an incomplete event and is never
    returned: SSE discards it, and so a cut stream stays cut.
    """

    __slots__ = ("_pending", "_pending_size", "_skip_lf", "_started")

    def __init__(self) -> None:
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._skip_lf = False
        self._started = False

    def feed(self, chunk: bytes) -> list[bytes]:
        """The lines completed by ``chunk`` (LF-only chunks take a fast path).

        A UTF-8 BOM before the first line is dropped, as SSE says: otherwise
        the first line would not start with ``data:`` and its event be lost.
        """
        if not self._started and chunk:
            self._started = True
            if chunk.startswith(BOM):
                chunk = chunk[len(BOM) :]
        if b"\r" in chunk or self._skip_lf:
            return list(self._feed_cr(chunk))
        lines = chunk.split(b"\n")
        tail = lines.pop()
        if lines:
            maybe_long = self._pending_size + len(chunk) >= MAX_LINE
            if self._pending:
                lines[0] = self._joined(lines[0])
            if maybe_long and max(map(len, lines)) >= MAX_LINE:
                raise _too_long()
        if tail:
            self._hold(tail)
        return lines

    def _feed_cr(self, chunk: bytes) -> Iterator[bytes]:
        start = 0
        for match in _LINE_END.finditer(chunk):
            end = match.start()
            if self._skip_lf and end == start and chunk[end] == _LF:
                self._skip_lf = False  # the LF of a CRLF split across chunks
                start = end + 1
                continue
            line = chunk[start:end]
            if self._pending:
                line = self._joined(line)
            if len(line) >= MAX_LINE:
                raise _too_long()
            self._skip_lf = chunk[end] == _CR
            start = end + 1
            yield line
        if start < len(chunk):
            self._skip_lf = False
            self._hold(chunk[start:])

    def _hold(self, piece: bytes) -> None:
        """Keep the start of a line whose end has not arrived."""
        self._pending.append(piece)
        self._pending_size += len(piece)
        if self._pending_size >= MAX_LINE:  # too long even before its end
            raise _too_long()

    def _joined(self, last: bytes) -> bytes:
        """A held line completed by ``last``; nothing is held any more."""
        self._pending.append(last)
        line = b"".join(self._pending)
        self._pending.clear()
        self._pending_size = 0
        return line


def is_event_stream(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` announces an event stream."""
    return bool(content_type) and EVENT_STREAM in str(content_type).lower()
