"""The simulator's faults on the wire, seen by a plain HTTP client (no SDK)."""

import contextlib
import http.client
import json
import socket
import threading
from urllib.parse import urlsplit

import pytest

from langchain_kimi.testing import Fault, KimiSimulator, Reply
from langchain_kimi.testing.error_codes import PUBLISHED_ERRORS, spell
from langchain_kimi.testing.simulator import COMPATIBLE_ROUTE, NATIVE_ROUTE


def _post(
    simulator: KimiSimulator, route: str, body: dict, stream: bool = False
) -> http.client.HTTPResponse:
    host = urlsplit(simulator.url)
    connection = http.client.HTTPConnection(host.hostname or "", host.port, timeout=10)
    headers = {
        "Authorization": f"Bearer {simulator.api_key}",
        "Content-Type": "application/json",
    }
    if stream:
        body = {**body, "stream": True}
    connection.request("POST", route, json.dumps(body), headers)
    return connection.getresponse()


CHAT = {"model": "kimi-k2-thinking", "messages": [{"role": "user", "content": "hi"}]}
NATIVE_CHAT = {"model": "kimi-k2-thinking", "input": {"messages": CHAT["messages"]}}


def test_raw_bodies_are_sent_byte_for_byte(kimi_simulator: KimiSimulator) -> None:
    kimi_simulator.queue(
        Fault(kind="raw", status=299, body=b"\xff<x>", content_type="text/odd")
    )
    response = _post(kimi_simulator, COMPATIBLE_ROUTE, CHAT)
    assert response.status == 299
    assert response.getheader("Content-Type") == "text/odd"
    assert response.read() == b"\xff<x>"


def test_a_reset_answers_nothing(kimi_simulator: KimiSimulator) -> None:
    kimi_simulator.queue(Fault(kind="reset"))
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected)):
        _post(kimi_simulator, COMPATIBLE_ROUTE, CHAT).read()
    assert kimi_simulator.last_request.status == 0


@pytest.mark.parametrize(
    ("route", "first_line"),
    [(COMPATIBLE_ROUTE, b"data: {"), (NATIVE_ROUTE, b"id:1")],
)
def test_sse_framed_error_bodies(
    kimi_simulator: KimiSimulator, route: str, first_line: bytes
) -> None:
    kimi_simulator.queue(Fault(status=429, code="Throttling", framing="sse"))
    response = _post(
        kimi_simulator, route, NATIVE_CHAT if route == NATIVE_ROUTE else CHAT
    )
    assert response.status == 429
    assert response.getheader("Content-Type", "").startswith("text/event-stream")
    assert response.read().startswith(first_line)


def test_published_spellings_follow_the_endpoint(kimi_simulator: KimiSimulator) -> None:
    paired = [e for e in PUBLISHED_ERRORS if e.native and e.compatible]
    assert paired and all(e.compatible == e.compatible.lower() for e in paired)
    for entry in paired:
        assert spell(entry.native or "", "openai") == entry.compatible
        assert spell(entry.native or "", "dashscope") == entry.native
    kimi_simulator.queue(Fault(status=401, code="InvalidApiKey", spelling="published"))
    body = json.loads(_post(kimi_simulator, COMPATIBLE_ROUTE, CHAT).read())
    assert body["error"]["code"] == "invalid_api_key"


def test_in_band_error_of_a_whole_reply_is_a_200_error_object(
    kimi_simulator: KimiSimulator,
) -> None:
    kimi_simulator.queue(Fault(kind="in_band", code="Throttling", message="Slow."))
    response = _post(kimi_simulator, NATIVE_ROUTE, NATIVE_CHAT)
    assert response.status == 200
    assert json.loads(response.read())["code"] == "Throttling"


def test_close_delimited_streams_have_no_chunked_framing(
    kimi_simulator: KimiSimulator,
) -> None:
    kimi_simulator.queue(
        Fault(kind="stall", stall=0, close_delimited=True, reply=Reply(content="a b"))
    )
    response = _post(kimi_simulator, COMPATIBLE_ROUTE, CHAT, stream=True)
    assert response.getheader("Transfer-Encoding") is None
    assert response.getheader("Content-Length") is None
    assert response.read().endswith(b"data: [DONE]\n\n")


def test_a_stall_sends_heartbeats_until_released(kimi_simulator: KimiSimulator) -> None:
    kimi_simulator.queue(Fault(kind="stall", after_events=1, stall=30, heartbeat=0.01))
    response = _post(kimi_simulator, COMPATIBLE_ROUTE, CHAT, stream=True)
    seen = [response.readline() for _ in range(2)]
    assert seen[0].startswith(b"data: ")
    beats = 0
    while beats < 3:
        if response.readline().startswith(b": "):
            beats += 1
    threading.Timer(0.05, kimi_simulator.release).start()
    assert response.read().endswith(b"data: [DONE]\n\n")


#: The end of a chunked body.
LAST_CHUNK = b"0\r\n\r\n"


def _received_until_quiet(sock: socket.socket, quiet: float) -> bytes:
    """The bytes that come before the body ends or ``quiet`` seconds pass with none."""
    sock.settimeout(quiet)
    data = b""
    with contextlib.suppress(TimeoutError):
        while not data.endswith(LAST_CHUNK) and (piece := sock.recv(65536)):
            data += piece
    return data


@pytest.mark.parametrize("route", [COMPATIBLE_ROUTE, NATIVE_ROUTE])
def test_hold_open_keeps_the_body_open_after_its_last_event(
    kimi_simulator: KimiSimulator, route: str
) -> None:
    kimi_simulator.queue(Fault(kind="hold_open", stall=30, reply=Reply(content="a b")))
    host = urlsplit(kimi_simulator.url)
    chat = NATIVE_CHAT if route == NATIVE_ROUTE else {**CHAT, "stream": True}
    body = json.dumps(chat).encode()
    head = (
        f"POST {route} HTTP/1.1\r\nHost: {host.netloc}\r\n"
        f"Authorization: Bearer {kimi_simulator.api_key}\r\n"
        "Content-Type: application/json\r\nX-DashScope-SSE: enable\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection((host.hostname, host.port), timeout=10) as sock:
        sock.sendall(head.encode() + body)
        before = _received_until_quiet(sock, 0.5)
        kimi_simulator.release()
        after = _received_until_quiet(sock, 2)
    assert b"finish_reason" in before and b"stop" in before  # the last event came
    assert (b"data: [DONE]" in before) == (route == COMPATIBLE_ROUTE)
    assert not before.endswith(LAST_CHUNK)  # ... but not the body's end
    assert after.endswith(LAST_CHUNK)  # released: the body ends
