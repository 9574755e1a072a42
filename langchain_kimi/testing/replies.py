"""What the simulator answers: scripted replies and faults, as plain data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

UsagePlacement = Literal["trailing", "choice", "both"]

_PIECES = re.compile(r"\S+\s*|\s+")


def split_text(text: str) -> list[str]:
    """Split text into word-sized stream deltas (whitespace kept)."""
    return _PIECES.findall(text)


@dataclass
class ToolCallSpec:
    """One tool call the simulator makes; ``arguments`` is a dict or raw text."""

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str | None = None


@dataclass
class Reply:
    """A scripted answer.

    ``content`` and ``reasoning`` are text, or lists of exact stream deltas.
    ``usage`` overrides the computed token counts (keys ``input_tokens``,
    ``output_tokens``, optional ``reasoning_tokens``). ``usage_in`` says where a
    compatible-mode stream carries usage: a trailing chunk with empty choices
    (OpenAI style), ``choices[0].usage`` of the finishing chunk (seen in Kimi
    streams), or both; ``None`` (the default) places it as the simulator's
    ``Behaviour.stream_usage`` says. ``delay`` holds back the first byte;
    ``chunk_delay`` spaces stream events.
    """

    content: str | list[str] = ""
    reasoning: str | list[str] | None = None
    tool_calls: list[ToolCallSpec] = field(default_factory=list)
    finish_reason: str | None = None
    usage: dict[str, int] | None = None
    usage_in: UsagePlacement | None = None
    delay: float = 0.0
    chunk_delay: float = 0.0

    def content_pieces(self) -> list[str]:
        return _pieces(self.content)

    def reasoning_pieces(self) -> list[str]:
        return _pieces(self.reasoning)

    def text(self) -> str:
        return "".join(self.content_pieces())

    def reasoning_text(self) -> str | None:
        return "".join(self.reasoning_pieces()) if self.reasoning is not None else None

    def final_finish_reason(self) -> str:
        if self.finish_reason:
            return self.finish_reason
        return "tool_calls" if self.tool_calls else "stop"


def _pieces(text: str | list[str] | None) -> list[str]:
    if text is None:
        return []
    return list(text) if isinstance(text, list) else split_text(text)


FaultKind = Literal[
    "status",
    "drop",
    "in_band",
    "stream_error",
    "raw",
    "reset",
    "stall",
    "trickle",
    "hold_open",
]
Framing = Literal["json", "sse"]
Spelling = Literal["verbatim", "published"]


@dataclass
class Fault:
    """A failure on demand, as plain data (``kind`` picks the behaviour).

    - ``status``: answer with HTTP ``status`` and the protocol's error body
      (``code``, ``message``, the request id); ``framing="sse"`` sends that
      body as an event stream (``data: {"error": ...}`` on the compatible
      endpoint, an ``event:error`` block on the native one).
    - ``drop``: start streaming ``reply`` (or a default one), then close the
      connection after ``after_events`` events (and a 50 ms pause, so the close
      follows the events rather than arriving with them).
    - ``in_band``: an error under HTTP 200. A stream sends ``after_events``
      events, then the error event (compatible: ``data: {"error": ...}``;
      native: ``event:error``); a whole reply's body is the error object.
      ``stream_error`` is its older name.
    - ``raw``: answer with exactly ``body`` (bytes or text), ``status``,
      ``content_type`` and any extra ``headers`` (e.g. a false
      ``Content-Encoding``), whatever the request.
    - ``reset``: read the request, then reset the connection (TCP RST)
      without answering.
    - ``stall``: a stream sends ``after_events`` events, then goes quiet for
      ``stall`` seconds (or until ``KimiSimulator.release()``), sending an SSE
      comment every ``heartbeat`` seconds if set, then carries on; a whole
      reply waits before its body the same way.
    - ``trickle``: send the reply (whole or streamed) one byte every
      ``byte_delay`` seconds.
    - ``hold_open``: a stream sends all its events (on the compatible
      endpoint, ``data: [DONE]`` too), then keeps the body open for ``stall``
      seconds (or until ``KimiSimulator.release()``; an SSE comment every
      ``heartbeat`` seconds if set) before ending it, as a proxy holding a
      finished body may; a whole reply is sent as usual.

    Options for every kind: ``delay`` holds back the answer; ``retry_after``
    (seconds, or a string sent as it is, e.g. an HTTP date) adds a
    ``Retry-After`` header; ``spelling="published"`` writes ``code`` the way
    the endpoint asked spells it (``testing.error_codes``), ``"verbatim"``
    as given; ``byte_delay`` also trickles a ``raw`` body; with
    ``close_delimited`` a stream has no chunked framing and ends when the
    connection closes (as HTTP/1.0 servers and some proxies send it).
    """

    kind: FaultKind = "status"
    status: int = 500
    code: str = "InternalError"
    message: str = "An internal error has occurred, please try again later."
    retry_after: float | str | None = None
    after_events: int = 2
    delay: float = 0.0
    reply: Reply | None = None
    framing: Framing = "json"
    spelling: Spelling = "verbatim"
    body: bytes | str = b""
    content_type: str = "application/json"
    byte_delay: float = 0.0
    stall: float = 60.0
    heartbeat: float | None = None
    close_delimited: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def item_from_dict(data: dict[str, Any]) -> Reply | Fault:
    """A reply or fault from its JSON form (the simulator's control endpoint).

    ``{"content": ..., "reasoning": ..., "tool_calls": [{"name", "arguments"}]}``
    is a reply; ``{"fault": {"kind", "status", "code", ...}}`` a fault.
    """
    if "fault" in data:
        fault = dict(data["fault"])
        if isinstance(fault.get("reply"), dict):
            fault["reply"] = _reply_from_dict(fault["reply"])
        return Fault(**fault)
    return _reply_from_dict(data)


def _reply_from_dict(data: dict[str, Any]) -> Reply:
    fields = dict(data)
    fields["tool_calls"] = [
        ToolCallSpec(**call) for call in fields.get("tool_calls", [])
    ]
    return Reply(**fields)
