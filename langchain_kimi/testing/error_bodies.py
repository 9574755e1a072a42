"""How the simulated service spells and frames its HTTP error answers.

Kept apart from the handlers so that an error's body has one home:
``error_body`` renders an error answer, plain JSON or SSE-framed, as
``Behaviour`` says for the endpoint (``error_codes`` spells the code).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from langchain_kimi.testing import rendering
from langchain_kimi.testing.behaviour import Endpoint, Framing


@dataclass(frozen=True)
class ErrorBody:
    text: str
    content_type: str


def error_body(
    endpoint: Endpoint,
    status: int,
    code: str,
    message: str,
    request_id: str,
    *,
    framing: Framing = "json",
) -> ErrorBody:
    """The body of an HTTP error answer on ``endpoint``.

    Compatible: ``{"error": {...}, "request_id"}``; native: ``{"code",
    "message", "request_id"}``. SSE-framed, the same object is the ``data:``
    of one event (native: an ``event:error`` with its ``:HTTP_STATUS`` line).
    """
    data = (
        rendering.native_error(code, message, request_id)
        if endpoint == "native"
        else rendering.openai_error(status, code, message, request_id)
    )
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    if framing == "json":
        return ErrorBody(text, "application/json")
    if endpoint == "native":
        event = f"id:1\nevent:error\n:HTTP_STATUS/{status}\ndata:{text}\n\n"
        return ErrorBody(event, "text/event-stream")
    return ErrorBody(f"data: {text}\n\n", "text/event-stream")
