"""Servers that misbehave byte by byte: only ``KimiError`` escapes, and
``timeout`` is a deadline whatever they trickle. Each case runs on both
transports and the call paths it concerns, over real sockets.

The deadline checks bound the time generously (``timeout + SLACK``): they
check that a call ends, not how fast.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any

import pytest

from langchain_kimi import ChatKimi
from langchain_kimi.errors import (
    APITimeoutError,
    InvalidResponseError,
    KimiError,
)
from tests.integration.raw_server import (
    Request,
    base_url,
    event_bytes,
    head,
    pause,
    raw_server,
    whole,
)

MODES = ["invoke", "ainvoke", "stream", "astream"]
TIMEOUT = 0.25
SLACK = 1.5
#: Enough trickled lines to outlast the deadline several times over.
LINES = 40
GAP = 0.05


@pytest.fixture(autouse=True, scope="module")
def _sdks_imported() -> None:
    """Import both SDKs up front: a first call's import is not the server's time."""
    import langchain_kimi.transports.dashscope
    import langchain_kimi.transports.openai  # noqa: F401


def call(server: Any, transport: str, mode: str, **kwargs: Any) -> Any:
    llm = ChatKimi(
        api_key="sk-test",
        base_url=base_url(server, transport),
        transport=transport,
        max_retries=0,
        **{"timeout": TIMEOUT, **kwargs},
    )
    if mode == "invoke":
        return llm.invoke("hi")
    if mode == "stream":
        return list(llm.stream("hi"))

    async def run() -> Any:
        if mode == "ainvoke":
            return await llm.ainvoke("hi")
        return [chunk async for chunk in llm.astream("hi")]

    return asyncio.run(run())


def timed_failure(
    server: Any, transport: str, mode: str, timeout: float = TIMEOUT
) -> tuple[KimiError, float]:
    start = time.monotonic()
    with pytest.raises(KimiError) as info:
        call(server, transport, mode, timeout=timeout)
    return info.value, time.monotonic() - start


# -- deadlines -----------------------------------------------------------------


def _trickled_headers(request: Request, sock: socket.socket) -> bool:
    sock.sendall(b"HTTP/1.1 200 OK\r\n")
    for n in range(LINES):
        pause(GAP)
        sock.sendall(f"X-Pad-{n}: y\r\n".encode())
    return False


@pytest.mark.parametrize("mode", MODES)
def test_headers_trickled_line_by_line_cannot_outlast_the_timeout(
    transport: str, mode: str
) -> None:
    with raw_server(_trickled_headers) as server:
        error, took = timed_failure(server, transport, mode)
    assert isinstance(error, APITimeoutError)
    assert took < TIMEOUT + SLACK


def _empty_data_heartbeats(request: Request, sock: socket.socket) -> bool:
    sock.sendall(
        head(200, "text/event-stream", Transfer_Encoding="chunked")
        + _chunk(event_bytes(request, {"content": "Hel"}, None))
    )
    for n in range(LINES):
        pause(GAP)
        sock.sendall(_chunk(b"data:\n\n" if n % 2 else b":\n\n"))
    return False


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_heartbeats_do_not_keep_a_stalled_stream_alive(
    transport: str, mode: str
) -> None:
    """Empty ``data:`` lines and SSE comments are no events."""
    with raw_server(_empty_data_heartbeats) as server:
        error, took = timed_failure(server, transport, mode)
    assert isinstance(error, APITimeoutError)
    assert took < TIMEOUT + SLACK


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_an_empty_data_line_is_skipped_as_a_keep_alive(
    transport: str, mode: str
) -> None:
    def script(request: Request, sock: socket.socket) -> bool:
        body = (
            event_bytes(request, {"content": "Hel"}, "null")
            + b"data:\n\n"
            + event_bytes(request, {"content": "lo"}, "stop")
            + (b"" if request.native else b"data: [DONE]\n\n")
        )
        sock.sendall(whole(200, body, "text/event-stream"))
        return True

    with raw_server(script) as server:
        chunks = call(server, transport, mode, timeout=5)
    assert "".join(str(chunk.content) for chunk in chunks) == "Hello"


def _close_delimited_heartbeats(request: Request, sock: socket.socket) -> bool:
    sock.sendall(head(200, "text/event-stream", Connection="close"))
    for _ in range(LINES):
        pause(GAP)
        sock.sendall(b": heartbeat\n\n")
    return False


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_a_close_delimited_stream_of_heartbeats_ends_by_the_deadline(
    transport: str, mode: str
) -> None:
    with raw_server(_close_delimited_heartbeats) as server:
        error, took = timed_failure(server, transport, mode)
    assert isinstance(error, APITimeoutError)
    assert took < TIMEOUT + SLACK


# -- error responses whose body cannot be read ----------------------------------


def _false_gzip(request: Request, sock: socket.socket) -> bool:
    body = b"this is not gzip"
    sock.sendall(
        head(500, Content_Encoding="gzip", Content_Length=str(len(body))) + body
    )
    return False


def _stalled_error_body(request: Request, sock: socket.socket) -> bool:
    sock.sendall(head(500, Content_Length="1000") + b'{"error": ')
    pause(LINES * GAP)
    return False


def _cut_error_body(request: Request, sock: socket.socket) -> bool:
    sock.sendall(head(500, Content_Length="1000") + b'{"error": ')
    pause(0.05)
    return False  # the connection closes 990 bytes short


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "script",
    [_false_gzip, _stalled_error_body, _cut_error_body],
    ids=["false-gzip", "stalled", "cut"],
)
def test_an_error_body_that_cannot_be_read_is_a_kimi_error(
    transport: str, mode: str, script: Any
) -> None:
    with raw_server(script) as server:
        error, took = timed_failure(server, transport, mode)
    assert took < TIMEOUT + SLACK
    if script is _stalled_error_body:
        assert isinstance(error, APITimeoutError)


DEEP = b"[" * 200_000


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("status", [400, 500])
def test_an_error_body_nested_too_deeply_is_an_invalid_response(
    transport: str, mode: str, status: int
) -> None:
    def script(request: Request, sock: socket.socket) -> bool:
        sock.sendall(whole(status, DEEP))
        return True

    with raw_server(script) as server:
        error, _ = timed_failure(server, transport, mode, timeout=10)
    assert isinstance(error, InvalidResponseError)
    assert error.status_code == status


@pytest.mark.parametrize("mode", MODES)
def test_a_reply_nested_too_deeply_is_an_invalid_response(
    transport: str, mode: str
) -> None:
    def script(request: Request, sock: socket.socket) -> bool:
        if request.streamed:
            body = b"id:1\nevent:result\n:HTTP_STATUS/200\n" if request.native else b""
            body += b"data:" + DEEP + b"\n\n"
            sock.sendall(whole(200, body, "text/event-stream"))
        else:
            sock.sendall(whole(200, b'{"choices": ' + DEEP))
        return True

    with raw_server(script) as server:
        error, _ = timed_failure(server, transport, mode, timeout=10)
    assert isinstance(error, InvalidResponseError)


def test_the_deep_body_is_deeper_than_the_json_parser_follows() -> None:
    """The premise of the two tests above: plain ``json.loads`` gives up."""
    with pytest.raises(RecursionError):
        json.loads(DEEP)
