"""The OpenAI-compatible protocol (``/compatible-mode/v1/chat/completions``).

Pure functions: a ``ChatRequest`` to the chat-completions body; a reply, an
SSE line and an error body to the normalized shapes and exceptions. Thinking
models add ``reasoning_content`` beside ``content``; usage comes in a
trailing chunk with empty ``choices`` or, in some Kimi streams, inside
``choices[0].usage`` of the finishing chunk, so both places are read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from langchain_kimi.errors import KimiError, error_for
from langchain_kimi.normalized import Delta, Result, Usage
from langchain_kimi.protocols.common import copy_message_piece, parse_usage, result
from langchain_kimi.request import ChatRequest
from langchain_kimi.retry import parse_retry_after

PATH = "/chat/completions"
DONE = "[DONE]"
REQUEST_ID_HEADER = "x-request-id"


def request_body(request: ChatRequest) -> dict[str, Any]:
    """The chat-completions body; DashScope-only fields travel at the top level."""
    body: dict[str, Any] = {"model": request.model, "messages": request.messages}
    body.update(request.params)
    if request.stream:
        body["stream"] = True
        if request.include_usage:
            body["stream_options"] = {"include_usage": True}
    return body


def encode(request: ChatRequest) -> bytes:
    """The body serialized once, compactly (no SDK-side typed transform)."""
    return json.dumps(
        request_body(request), ensure_ascii=False, separators=(",", ":")
    ).encode()


def usage(raw: Any) -> Usage | None:
    return parse_usage(raw, "prompt_tokens", "completion_tokens")


def parse_response(body: Mapping[str, Any], request_id: str | None) -> Result:
    """A chat-completions JSON body to a normalized result."""
    choices = body.get("choices") or [{}]
    choice = choices[0] if isinstance(choices[0], Mapping) else {}
    message = choice.get("message") or {}
    return result(
        message if isinstance(message, Mapping) else {},
        response_id=body.get("id"),
        request_id=body.get("request_id") or request_id,
        model=body.get("model"),
        finish_reason=choice.get("finish_reason") or None,
        usage=usage(body.get("usage") or choice.get("usage")),
    )


def parse_chunk(chunk: Mapping[str, Any]) -> Delta:
    """One stream chunk to a normalized delta."""
    delta = Delta()
    raw_usage = chunk.get("usage")
    choices = chunk.get("choices")
    if choices and isinstance(choices, list) and isinstance(choices[0], Mapping):
        choice = choices[0]
        message = choice.get("delta")
        if message and isinstance(message, Mapping):
            copy_message_piece(message, delta)
        if choice.get("finish_reason"):
            delta["finish_reason"] = str(choice["finish_reason"])
        raw_usage = raw_usage or choice.get("usage")
    if raw_usage:
        parsed = usage(raw_usage)
        if parsed is not None:
            delta["usage"] = parsed
    if "id" in chunk:
        delta["id"] = chunk["id"]
    if "model" in chunk:
        delta["model"] = chunk["model"]
    return delta


class LineReader:
    """SSE lines of one stream to normalized deltas (blank lines, comments skipped).

    ``done`` turns true at ``data: [DONE]``. A ``data: {"error": ...}`` event
    raises the service's error. The first delta carries the request id from
    the response headers.
    """

    __slots__ = ("_first", "done", "request_id")

    def __init__(self, request_id: str | None) -> None:
        self.request_id = request_id
        self.done = False
        self._first = True

    def read(self, line: str) -> Delta | None:
        """The delta of one line, or ``None`` for blanks, comments and the end."""
        if not line.startswith("data:"):
            return None
        data = line[5:].lstrip()
        if data == DONE:
            self.done = True
            return None
        event = json.loads(data)
        if "error" in event:
            raise in_band_error(event, self.request_id)
        delta = parse_chunk(event)
        if self._first:
            delta["request_id"] = self.request_id
            self._first = False
        return delta


def in_band_error(event: Mapping[str, Any], request_id: str | None) -> KimiError:
    """An ``{"error": {...}}`` object sent where a reply or chunk was expected."""
    detail = event["error"] if isinstance(event.get("error"), Mapping) else event
    return error_for(
        None,
        detail.get("code"),
        detail.get("message") or "The service reported an error mid-stream.",
        event.get("request_id") or request_id,
    )


def status_error(
    status: int,
    detail: Mapping[str, Any],
    fallback_message: str,
    headers: Mapping[str, str],
    body: bytes | None,
) -> KimiError:
    """An HTTP error status to the project's class, keeping DashScope's facts.

    ``detail`` is the inner ``error`` object (what the openai SDK keeps); when
    the SDK kept none (a stream request's error body may come SSE-framed,
    ``data: {"error": {...}}``), it is read from the body itself. The request
    id sits beside it in the full body, or in ``x-request-id``.
    """
    whole = _error_body(body)
    if not detail:
        inner = whole.get("error")
        detail = inner if isinstance(inner, Mapping) else {}
    request_id = headers.get(REQUEST_ID_HEADER) or whole.get("request_id")
    return error_for(
        status,
        detail.get("code"),
        detail.get("message") or fallback_message,
        str(request_id) if request_id else None,
        parse_retry_after(headers),
    )


def _error_body(body: bytes | None) -> Mapping[str, Any]:
    """An error body as JSON, plain or in its first ``data:`` line; else ``{}``."""
    text = (body or b"").decode("utf-8", errors="replace").strip()
    if text.startswith("data:"):
        text = text[5:].split("\n", 1)[0]
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, Mapping) else {}
