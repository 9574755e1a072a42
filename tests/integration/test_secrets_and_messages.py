"""Secrets never leave in text, and failures say what to do.

A gateway echoing the key in its error message must not put it in the
exception (nor its chained causes); a ``base_url`` with user info, a host
parsers disagree on, or another scheme is refused at construction without
repeating it. Connection failures name host, port and the operating
system's reason; a bare 404 names the path base_url should end in; a 401
says keys are per region.
"""

from __future__ import annotations

import asyncio
import socket
import traceback
import warnings
from typing import Any

import pytest

from langchain_kimi import ChatKimi
from langchain_kimi.errors import (
    APIConnectionError,
    AuthenticationError,
    KimiError,
    NotFoundError,
)
from tests.integration.raw_server import Request, base_url, raw_server, whole

MODES = ["invoke", "ainvoke", "stream", "astream"]
KEY = "sk-0123456789abcdef0123"
PLAIN_KEY = "gateway-key-9f8e7d6c5b4a"
OTHER = "sk-someoneelses987654321"


def failure(llm: ChatKimi, mode: str) -> KimiError:
    with pytest.raises(KimiError) as info:
        if mode == "invoke":
            llm.invoke("hi")
        elif mode == "stream":
            list(llm.stream("hi"))
        else:

            async def run() -> None:
                if mode == "ainvoke":
                    await llm.ainvoke("hi")
                else:
                    [chunk async for chunk in llm.astream("hi")]

            asyncio.run(run())
    return info.value


def model(url: str, transport: str, key: str = KEY) -> ChatKimi:
    return ChatKimi(
        api_key=key, base_url=url, transport=transport, max_retries=0, timeout=5
    )


def _echo_key(request: Request, sock: socket.socket) -> bool:
    sent = request.headers.get("authorization", "").removeprefix("Bearer ")
    message = f"Incorrect API key provided: {sent}. Also seen: {OTHER}."
    body = (
        f'{{"code": "InvalidApiKey", "message": "{message}", "request_id": "r1"}}'
        if request.native
        else f'{{"error": {{"message": "{message}", "code": "invalid_api_key"}}}}'
    )
    sock.sendall(whole(401, body.encode()))
    return True


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("key", [KEY, PLAIN_KEY], ids=["sk-key", "other-key"])
def test_a_key_echoed_by_the_service_is_redacted_from_the_error(
    transport: str, mode: str, key: str
) -> None:
    with raw_server(_echo_key) as server:
        error = failure(model(base_url(server, transport), transport, key), mode)
    text = "".join(traceback.format_exception(error))  # the causes too
    text += repr(getattr(error.__cause__, "body", None))  # the SDK's parsed body
    assert isinstance(error, AuthenticationError)
    assert "Incorrect API key provided" in str(error)
    assert key not in text and OTHER not in text


@pytest.mark.parametrize("mode", MODES)
def test_a_rejected_key_is_explained_as_per_region(transport: str, mode: str) -> None:
    with raw_server(_echo_key) as server:
        error = failure(model(base_url(server, transport), transport), mode)
    assert "per region" in str(error)


@pytest.mark.parametrize(
    "url",
    [
        "http://alice:s3cret-pw@127.0.0.1:9/api/v1",
        "https://alice@dashscope.aliyuncs.com/api/v1",
    ],
)
def test_user_info_in_base_url_is_refused_without_repeating_it(
    transport: str, url: str
) -> None:
    with pytest.raises(ValueError, match="user name or password") as info:
        model(url, transport)
    assert "alice" not in str(info.value) and "s3cret" not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example:80\\@localhost:80/api/v1",
        "ws://evil.example/api/v1",
        "ftp://evil.example/api/v1",
        "http://evil.example /api/v1",
    ],
    ids=["backslash-at", "ws", "ftp", "space"],
)
def test_a_base_url_clients_could_read_differently_is_refused(
    transport: str, url: str
) -> None:
    with pytest.raises(ValueError, match="base_url"):
        model(url, transport)


def test_plain_http_warns_only_off_this_machine(transport: str) -> None:
    with pytest.warns(UserWarning, match="clear text"):
        model("http://example.test/api/v1", transport)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model("http://127.0.0.1:9/api/v1", transport)
        model("http://localhost:9/api/v1", transport)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("mode", MODES)
def test_a_refused_connection_names_host_port_and_reason(
    transport: str, mode: str
) -> None:
    port = _free_port()
    path = "/api/v1" if transport == "dashscope" else "/compatible-mode/v1"
    error = failure(model(f"http://127.0.0.1:{port}{path}", transport), mode)
    assert isinstance(error, APIConnectionError)
    text = str(error)
    assert f"127.0.0.1:{port}" in text
    assert "refused" in text.lower()
    assert "NotResent" not in text and "Connection error." not in text


def _not_found(request: Request, sock: socket.socket) -> bool:
    sock.sendall(whole(404, b"Not Found", "text/plain"))
    return True


@pytest.mark.parametrize("mode", MODES)
def test_a_base_url_without_its_path_names_the_expected_path(
    transport: str, mode: str
) -> None:
    expected = "/api/v1" if transport == "dashscope" else "/compatible-mode/v1"
    with raw_server(_not_found) as server:
        port = server.server_address[1]
        error = failure(model(f"http://127.0.0.1:{port}", transport), mode)
    assert isinstance(error, NotFoundError)
    assert expected in str(error)


def test_a_not_found_error_from_the_service_is_left_as_it_said(
    transport: str,
) -> None:
    """A 404 the service itself explains (an unknown model) gets no path hint."""

    def script(request: Request, sock: socket.socket) -> bool:
        body = (
            b'{"code": "ModelNotFound", "message": "Model not exist."}'
            if request.native
            else b'{"error": {"code": "model_not_found", "message": "Model not exist."}}'
        )
        sock.sendall(whole(404, body))
        return True

    with raw_server(script) as server:
        error: Any = failure(model(base_url(server, transport), transport), "invoke")
    assert isinstance(error, NotFoundError)
    assert "should end in" not in str(error)
