"""A loopback HTTP/1.1 server that writes exactly the bytes a test scripts.

The simulator speaks HTTP correctly; hostile servers do not (headers that
trickle, false gzip headers, bodies cut or held open, replies shaped in ways
the protocols allow but rarely use). A test gives ``RawServer`` a ``script``:
called per request with the parsed request and the socket, it writes what it
likes and returns whether the connection may serve another request.

``reply`` and ``stream`` build a correct answer of either protocol around a
message a test chooses, so one case runs on all four call paths.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

NATIVE = "/api/v1"
COMPATIBLE = "/compatible-mode/v1"


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def native(self) -> bool:
        return self.path.startswith(NATIVE)

    @property
    def streamed(self) -> bool:
        if self.native:
            return self.headers.get("x-dashscope-sse", "").lower() == "enable"
        return bool(json.loads(self.body).get("stream"))

    def last_user_text(self) -> str:
        data = json.loads(self.body)
        messages = data["input"]["messages"] if self.native else data["messages"]
        text = messages[-1]["content"]
        if isinstance(text, list):  # content parts, e.g. the multimodal endpoint's
            return "".join(p["text"] for p in text if isinstance(p.get("text"), str))
        return text if isinstance(text, str) else json.dumps(text)


Script = Callable[[Request, socket.socket], bool]


def _read_request(sock: socket.socket, buffer: bytearray) -> Request | None:
    while b"\r\n\r\n" not in buffer:
        data = sock.recv(65536)
        if not data:
            return None
        buffer.extend(data)
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    path = lines[0].split(" ")[1]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    size = int(headers.get("content-length", "0"))
    body = bytearray(rest)
    while len(body) < size:
        data = sock.recv(65536)
        if not data:
            return None
        body.extend(data)
    buffer[:] = body[size:]
    return Request(path, headers, bytes(body[:size]))


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        buffer = bytearray()
        with contextlib.suppress(OSError):
            while True:
                request = _read_request(self.request, buffer)
                if request is None:
                    return
                self.server.seen.append(request)
                if not self.server.script(request, self.request):
                    return


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, script: Script) -> None:
        self.script = script
        self.seen: list[Request] = []
        super().__init__(("127.0.0.1", 0), _Handler)


_SHARED: list[_Server] = []


def _closing(request: Request, sock: socket.socket) -> bool:
    return False  # between tests: answer nothing


@contextlib.contextmanager
def raw_server(script: Script) -> Iterator[_Server]:
    """Serve ``script`` on a loopback port for the ``with`` block.

    One server (and port) serves every test in turn, so models built for it
    can be reused; between blocks it closes each connection unanswered.
    """
    if not _SHARED:
        server = _Server(_closing)
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        _SHARED.append(server)
    server = _SHARED[0]
    server.seen.clear()
    server.script = script
    try:
        yield server
    finally:
        server.script = _closing


def base_url(server: _Server, transport: str) -> str:
    port = server.server_address[1]
    return f"http://127.0.0.1:{port}" + (
        NATIVE if transport == "dashscope" else COMPATIBLE
    )


def head(
    status: int = 200, content_type: str = "application/json", **extra: str
) -> bytes:
    """A status line and headers (no body framing unless ``extra`` gives it)."""
    lines = [f"HTTP/1.1 {status} X", f"Content-Type: {content_type}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in extra.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def whole(status: int, body: bytes, content_type: str = "application/json") -> bytes:
    return head(status, content_type, Content_Length=str(len(body))) + body


def _dump(data: Any) -> bytes:
    return json.dumps(data).encode()  # ASCII: a lone surrogate as its escape


def reply_body(
    request: Request, message: dict[str, Any], finish: Any = "stop"
) -> bytes:
    """A whole reply of the request's protocol carrying ``message``."""
    usage = {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2}
    if request.native:
        choice = {"message": message, "finish_reason": finish}
        return _dump(
            {"output": {"choices": [choice]}, "usage": usage, "request_id": "r1"}
        )
    choice = {"index": 0, "message": message, "finish_reason": finish}
    return _dump({"id": "c1", "model": "kimi-k2.5", "choices": [choice]})


def event_bytes(request: Request, delta: dict[str, Any], finish: Any) -> bytes:
    """One stream event of the request's protocol."""
    if request.native:
        data = {
            "output": {"choices": [{"message": delta, "finish_reason": finish}]},
            "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2},
            "request_id": "r1",
        }
        return b"id:1\nevent:result\n:HTTP_STATUS/200\ndata:" + _dump(data) + b"\n\n"
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return b"data: " + _dump({"id": "c1", "choices": [choice]}) + b"\n\n"


def stream_body(
    request: Request,
    deltas: list[dict[str, Any]],
    finish: Any = "stop",
    *,
    pending: Any = None,
) -> bytes:
    """A stream: each delta unfinished (``pending``), then one with ``finish``
    (none when ``finish`` is ``None``), then ``[DONE]`` on the compatible side."""
    events = [event_bytes(request, delta, pending) for delta in deltas]
    if finish is not None:
        events.append(event_bytes(request, {}, finish))
    if not request.native:
        events.append(b"data: [DONE]\n\n")
    return b"".join(events)


def answer(request: Request, message: dict[str, Any], **kwargs: Any) -> bytes:
    """The whole HTTP answer: ``message`` as a whole reply or a one-event stream."""
    if request.streamed:
        body = stream_body(request, [message], **kwargs)
        return whole(200, body, "text/event-stream")
    return whole(200, reply_body(request, message, **kwargs))


def serve_message(message: dict[str, Any], **kwargs: Any) -> Script:
    """A script answering every request with ``message`` (keep-alive)."""

    def script(request: Request, sock: socket.socket) -> bool:
        sock.sendall(answer(request, message, **kwargs))
        return True

    return script


def pause(seconds: float) -> None:
    time.sleep(seconds)
