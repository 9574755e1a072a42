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

from langchain_kimi.protocols import common
from langchain_kimi.protocols.common import (
    copy_message_piece,
    finish_of,
    parse_usage,
    result,
    whole_reply,
)
from langchain_kimi.protocols.types import Delta, Result, Usage
from langchain_kimi.request.build import ChatRequest

#: Where a base URL of this protocol ends (the service appends ``PATH``).
BASE_PATH = "/compatible-mode/v1"
PATH = "/chat/completions"
DONE = b"[DONE]"
DATA = b"data:"
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
    choices = body.get("choices")
    choice = (
        choices[0]
        if isinstance(choices, list) and choices and isinstance(choices[0], Mapping)
        else {}
    )
    message = choice.get("message") or {}
    return result(
        message if isinstance(message, Mapping) else {},
        response_id=body.get("id"),
        request_id=body.get("request_id") or request_id,
        model=body.get("model"),
        finish_reason=finish_of(choice),
        usage=usage(body.get("usage") or choice.get("usage")),
    )


def parse_reply(body: bytes, request_id: str | None) -> Result:
    """A whole reply's bytes to a complete result, or the error they carry."""
    return whole_reply(body, request_id, lambda data: parse_response(data, request_id))


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
        finish = finish_of(choice)
        if finish:
            delta["finish_reason"] = finish
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
    """SSE lines (bytes) of one stream to normalized deltas.

    Blank lines, comments (heartbeats) and other fields give ``None``;
    ``done`` turns true at ``data: [DONE]``. A ``data: {"error": ...}`` event
    raises the service's error; an event that is not a JSON object raises
    ``InvalidResponseError``. The first delta carries the request id from the
    response headers.
    """

    __slots__ = ("_first", "done", "request_id")

    def __init__(self, request_id: str | None) -> None:
        self.request_id = request_id
        self.done = False
        self._first = True

    def read(self, line: bytes) -> Delta | None:
        """The delta of one line, or ``None`` for blanks, comments and the end."""
        if not line.startswith(DATA):
            return None
        data = line[5:].strip()
        if data == DONE:
            self.done = True
            return None
        if not data:
            return None
        try:
            event = common.loads(data)
        except ValueError:  # not JSON, or not UTF-8
            raise common.invalid_body(
                "a stream event that is not JSON", data, self.request_id
            ) from None
        if not isinstance(event, Mapping):
            raise common.invalid_body(
                "a stream event that is not a JSON object", data, self.request_id
            )
        if "error" in event:
            raise common.in_band_error(common.error_info(event), self.request_id)
        delta = parse_chunk(event)
        if self._first:
            delta["request_id"] = self.request_id
            self._first = False
        return delta
