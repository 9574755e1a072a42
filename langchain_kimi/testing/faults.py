"""Serving replies and ``Fault`` kinds over HTTP: error bodies, raw and trickled
bodies, resets, in-band errors, stalls with heartbeats, cut streams, bodies
held open after their last event.

``replies.Fault`` documents each kind; this module is how the simulator
writes them on the wire, for either protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

from aiohttp import web

from langchain_kimi.testing import rendering
from langchain_kimi.testing.behaviour import ENDPOINT_OF, Framing, Spelling
from langchain_kimi.testing.error_bodies import error_body
from langchain_kimi.testing.error_codes import in_spelling
from langchain_kimi.testing.replies import Fault, Reply

#: Kinds answered before (instead of) any reply.
UP_FRONT = frozenset({"status", "raw", "reset"})
HEARTBEAT = b": heartbeat\n\n"
#: How long a ``drop`` waits after its last event before closing: the close
#: then comes after the events, as a connection dropped mid-answer does, not
#: in the same read (where aiohttp raises before handing over buffered lines).
DROP_PAUSE = 0.05
_POLL = 0.01


def is_in_band(fault: Fault | None) -> bool:
    return fault is not None and fault.kind in ("in_band", "stream_error")


def answered_status(fault: Fault) -> int:
    """The HTTP status a fault answers with (0: none, the connection is reset)."""
    if fault.kind == "reset":
        return 0
    return 200 if is_in_band(fault) else fault.status


def trickle_delay(fault: Fault | None) -> float:
    """Seconds between the bytes of a reply (0: all at once)."""
    return fault.byte_delay if fault is not None and fault.kind == "trickle" else 0.0


def fault_code(fault: Fault, spelling: Spelling) -> str:
    """The fault's code, in the endpoint's spelling if asked (``published``)."""
    if fault.spelling == "published":
        return in_spelling(fault.code, spelling)
    return fault.code


def error_object(
    kind: str, status: int, code: str, message: str, request_id: str
) -> dict[str, Any]:
    if kind == "dashscope":
        return rendering.native_error(code, message, request_id)
    return rendering.openai_error(status, code, message, request_id)


def error_response(
    kind: str,
    status: int,
    code: str,
    message: str,
    request_id: str,
    *,
    retry_after: float | str | None = None,
    framing: Framing = "json",
) -> web.Response:
    """The protocol's error body under ``status``, as JSON or SSE-framed."""
    body = error_body(
        ENDPOINT_OF[kind], status, code, message, request_id, framing=framing
    )
    headers = {"x-request-id": request_id}
    if retry_after is not None:
        headers["Retry-After"] = (
            retry_after if isinstance(retry_after, str) else f"{retry_after:g}"
        )
    return web.Response(
        text=body.text,
        status=status,
        headers=headers,
        content_type=body.content_type,
    )


def reset(request: web.Request) -> None:
    """Drop the connection with a TCP RST (no response at all)."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


async def send_bytes(
    request: web.Request,
    body: bytes,
    *,
    status: int = 200,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
    byte_delay: float = 0.0,
) -> web.StreamResponse:
    """``body`` with its length, at once or one byte every ``byte_delay`` s."""
    if not byte_delay:
        return web.Response(
            body=body,
            status=status,
            headers={**(headers or {}), "Content-Type": content_type},
        )
    response = web.StreamResponse(status=status, headers=headers or {})
    response.content_type = content_type
    response.content_length = len(body)
    with client_gone():
        await response.prepare(request)
        await _write(response, body, byte_delay)
        await response.write_eof()
    return response


async def up_front(
    request: web.Request,
    kind: str,
    fault: Fault,
    request_id: str,
    *,
    stream: bool,
    spelling: Spelling,
    framing: Framing,
) -> web.StreamResponse | None:
    """The answer of a fault that replaces the reply, if this one does.

    An error's code is spelled, and a stream request's error body framed, as
    the service's ``Behaviour`` says, unless the fault asks for SSE framing.
    """
    if fault.kind not in UP_FRONT and not (is_in_band(fault) and not stream):
        return None
    await wait(request, fault.delay)
    if fault.kind == "reset":
        reset(request)
        return web.Response()
    if fault.kind == "raw":
        body = fault.body.encode() if isinstance(fault.body, str) else fault.body
        return await send_bytes(
            request,
            body,
            status=fault.status,
            content_type=fault.content_type,
            headers={**fault.headers, "x-request-id": request_id},
            byte_delay=fault.byte_delay,
        )
    code = fault_code(fault, spelling)
    if fault.kind == "status":
        return error_response(
            kind,
            fault.status,
            code,
            fault.message,
            request_id,
            retry_after=fault.retry_after,
            framing="sse" if fault.framing == "sse" else framing,
        )
    data = error_object(kind, fault.status, code, fault.message, request_id)
    return web.json_response(data, headers={"x-request-id": request_id})


class _CloseDelimited(web.StreamResponse):
    """A body with neither length nor chunks: it ends when the connection does."""

    _length_check = False


async def write_stream(
    request: web.Request,
    kind: str,
    events: Iterator[str],
    reply: Reply,
    fault: Fault | None,
    request_id: str,
    released: threading.Event,
    spelling: Spelling,
) -> web.StreamResponse:
    """A stream of ``events``, misbehaving as ``fault`` says."""
    headers = {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        "x-request-id": request_id,
    }
    delimited = fault is not None and fault.close_delimited
    response = (_CloseDelimited if delimited else web.StreamResponse)(headers=headers)
    if delimited:
        response.force_close()
    byte_delay = trickle_delay(fault)

    async def write_events() -> None:
        await response.prepare(request)
        for number, event in enumerate(events):
            if fault is not None and number == fault.after_events:
                if fault.kind == "drop":
                    await asyncio.sleep(DROP_PAUSE)
                    if request.transport is not None:
                        request.transport.close()
                    return
                if is_in_band(fault):
                    await _write_error_event(
                        response, kind, fault, request_id, spelling
                    )
                    await response.write_eof()
                    return
                if fault.kind == "stall":
                    await stall(request, response, fault, released)
            await _write(response, event.encode(), byte_delay)
            if reply.chunk_delay:
                await asyncio.sleep(reply.chunk_delay)
        if fault is not None and fault.kind == "hold_open":
            await stall(request, response, fault, released)
        await response.write_eof()

    with client_gone():
        await write_events()
    return response


async def stall(
    request: web.Request,
    response: web.StreamResponse | None,
    fault: Fault,
    released: threading.Event,
) -> None:
    """Quiet for ``fault.stall`` seconds, until released or until the client
    leaves; an SSE comment every ``fault.heartbeat`` seconds if set."""
    await wait(request, fault.stall, released, response, fault.heartbeat)


async def wait(
    request: web.Request,
    seconds: float,
    released: threading.Event | None = None,
    response: web.StreamResponse | None = None,
    heartbeat: float | None = None,
) -> None:
    """Sleep ``seconds``, ending early once the client has gone (or on release)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    beat = loop.time() + (heartbeat or seconds)
    while loop.time() < end and not (released is not None and released.is_set()):
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await asyncio.sleep(min(_POLL, max(end - loop.time(), 0)))
        if response is not None and heartbeat and loop.time() >= beat:
            await response.write(HEARTBEAT)
            beat += heartbeat


async def _write_error_event(
    response: web.StreamResponse,
    kind: str,
    fault: Fault,
    request_id: str,
    spelling: Spelling,
) -> None:
    data = error_object(
        kind, fault.status, fault_code(fault, spelling), fault.message, request_id
    )
    if kind == "dashscope":
        text = rendering.native_event(
            fault.after_events + 1, {**data, "status_code": fault.status}, error=True
        )
    else:
        text = f"data: {json.dumps(data)}\n\n"
    await response.write(text.encode())


async def _write(response: web.StreamResponse, data: bytes, byte_delay: float) -> None:
    if not byte_delay:
        await response.write(data)
        return
    for index in range(len(data)):
        await response.write(data[index : index + 1])
        await asyncio.sleep(byte_delay)


def client_gone() -> contextlib.AbstractContextManager[None]:
    """Stop writing, quietly, once the client has closed the connection."""
    return contextlib.suppress(ConnectionError)
