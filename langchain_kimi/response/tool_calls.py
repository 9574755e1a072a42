"""Streamed tool-call pieces put together into whole calls (pure).

The service keys pieces by ``index``, but public client code notes that
DashScope does not always send one. So a piece with an index joins the call of
that index; a piece without one starts a call when it brings a new id and
extends the latest call otherwise. Two calls' arguments are never merged.
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.messages import ToolCallChunk

from langchain_kimi.protocols.types import ToolCall, ToolCallPiece


class StreamedCall:
    """One tool call as its pieces arrive; ``index`` is its chunk index."""

    __slots__ = ("args", "error", "has_arguments", "id", "index", "name")

    def __init__(self, index: int, call_id: str | None) -> None:
        self.index = index
        self.id = call_id
        self.name: str | None = None
        self.args: list[str] = []
        #: The first wrong wire shape among its pieces, if any.
        self.error: str | None = None
        self.has_arguments = False

    def whole(self) -> ToolCall:
        """The call as a whole one; wrong shapes, or no piece with arguments,
        make it carry an ``error`` (an invalid tool call)."""
        call = ToolCall(id=self.id, name=self.name or "", arguments="".join(self.args))
        if self.error is not None:
            call["error"] = self.error
        elif not self.has_arguments:
            call["error"] = "The tool call came without arguments."
        return call

    def chunk(self) -> ToolCallChunk:
        return ToolCallChunk(
            name=self.name,
            args="".join(self.args),
            id=self.id,
            index=self.index,
            type="tool_call_chunk",
        )


class ToolCallAssembler:
    """Assigns pieces to calls and gives each piece as a chunk of its call.

    ``next_index`` numbers new calls for their chunks (default: 0, 1, ... in
    order of arrival); a chunk carries the id and name only where they first
    appear, so LangChain's ``+`` neither doubles a name nor merges two calls.
    """

    __slots__ = ("_by_id", "_by_wire", "_next_index", "calls")

    def __init__(self, next_index: Callable[[], int] | None = None) -> None:
        self.calls: list[StreamedCall] = []
        self._by_wire: dict[int, StreamedCall] = {}
        self._by_id: dict[str, StreamedCall] = {}
        self._next_index = next_index or (lambda: len(self.calls))

    def _call_for(self, piece: ToolCallPiece) -> tuple[StreamedCall, bool]:
        """The call a piece belongs to, and whether the piece starts it."""
        wire, call_id = piece["index"], piece["id"]
        if wire is not None:
            known = self._by_wire.get(wire)
            if known is not None:
                return known, False
            self._by_wire[wire] = call = self._start(call_id)
            return call, True
        if call_id:
            known = self._by_id.get(call_id)
            return (known, False) if known is not None else (self._start(call_id), True)
        if self.calls:
            return self.calls[-1], False
        return self._start(None), True

    def _start(self, call_id: str | None) -> StreamedCall:
        call = StreamedCall(self._next_index(), call_id)
        self.calls.append(call)
        if call_id:
            self._by_id[call_id] = call
        return call

    def add(self, piece: ToolCallPiece) -> ToolCallChunk:
        """Record a piece; return it as a chunk of its call."""
        call, new = self._call_for(piece)
        call_id = None
        if piece["id"] and (new or call.id is None):
            call.id = call_id = piece["id"]
        name = None
        if piece["name"] and call.name is None:
            call.name = name = piece["name"]
        call.args.append(piece["arguments"])
        if not piece.get("no_arguments"):
            call.has_arguments = True
        if call.error is None and "error" in piece:
            call.error = piece["error"]
        return ToolCallChunk(
            name=name,
            args=piece["arguments"],
            id=call_id,
            index=call.index,
            type="tool_call_chunk",
        )
