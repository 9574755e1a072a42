"""I/O over the OpenAI-compatible endpoint with the ``openai`` SDK.

The SDK does auth, connection pooling, timeouts and HTTP status errors
(through its public ``client.post`` for raw responses); its own retries are
off (``retry.py`` owns the policy). The body is serialized once by the
protocol module and the reply is read as raw bytes and SSE lines: the SDK's
typed request transform and its typed objects (a pydantic model per streamed
delta) are skipped, because that is where its time goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

import httpx2  # the openai SDK's HTTP client; its transport errors end a stream
import openai

from langchain_kimi.errors import (
    APIConnectionError,
    APITimeoutError,
    IncompleteStreamError,
    KimiError,
)
from langchain_kimi.normalized import Delta, Result
from langchain_kimi.protocols import openai as protocol
from langchain_kimi.request import ChatRequest
from langchain_kimi.transports.base import Transport

_JSON: Any = {"headers": {"Content-Type": "application/json"}}


def map_openai_error(exc: openai.APIError) -> KimiError:
    """An openai SDK exception to the project's class."""
    if isinstance(exc, openai.APITimeoutError):
        return APITimeoutError("The request timed out; raise `timeout` or retry later.")
    if isinstance(exc, openai.APIConnectionError):
        return APIConnectionError(f"Could not reach the service: {exc.message}")
    if not isinstance(exc, openai.APIStatusError):
        return KimiError(exc.message)
    try:
        body: bytes | None = exc.response.content
    except httpx2.ResponseNotRead:
        body = None
    return protocol.status_error(
        exc.status_code,
        exc.body if isinstance(exc.body, dict) else {},
        exc.message,
        exc.response.headers,
        body,
    )


def _stream_body_error(exc: Exception, request_id: str | None) -> KimiError:
    if isinstance(exc, httpx2.TimeoutException):
        return APITimeoutError(
            "The stream stalled past `timeout` before the answer finished.",
            request_id=request_id,
        )
    return IncompleteStreamError(
        f"The stream was cut before the answer finished ({type(exc).__name__}).",
        request_id=request_id,
    )


def _no_loop() -> None:
    return None


class OpenAITransport(Transport):
    """Sync and async calls, streamed or not, returning normalized shapes."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        options: dict[str, Any] = {
            "api_key": self._api_key,
            "base_url": self._base_url,
            "max_retries": 0,
            "default_headers": self._headers,
        }
        if self._timeout is not None:
            options["timeout"] = self._timeout
        self._options = options
        self._client: openai.OpenAI | None = None
        self._aclient: openai.AsyncOpenAI | None = None
        self._aclient_loop: Callable[[], asyncio.AbstractEventLoop | None] = _no_loop

    @property
    def client(self) -> openai.OpenAI:
        if self._client is None:
            self._client = openai.OpenAI(**self._options)
        return self._client

    @property
    def aclient(self) -> openai.AsyncOpenAI:
        """The async client of the running event loop.

        Its connection pool belongs to one loop; a model reused under a new
        loop (``asyncio.run`` called again, a test framework's fresh loop)
        gets a new client instead of a pool bound to a closed loop.
        """
        loop = asyncio.get_running_loop()
        if self._aclient is None or self._aclient_loop() is not loop:
            self._aclient = openai.AsyncOpenAI(**self._options)
            self._aclient_loop = weakref.ref(loop)
        return self._aclient

    def _post(self, request: ChatRequest) -> httpx2.Response:
        """POST the body; a raw response, unread when streaming (no stream class)."""
        try:
            response: httpx2.Response = self.client.post(
                protocol.PATH, **_post_options(request)
            )
        except openai.APIError as exc:
            raise map_openai_error(exc) from exc
        return response

    async def _apost(self, request: ChatRequest) -> httpx2.Response:
        try:
            response: httpx2.Response = await self.aclient.post(
                protocol.PATH, **_post_options(request)
            )
        except openai.APIError as exc:
            raise map_openai_error(exc) from exc
        return response

    # -- whole replies -----------------------------------------------------

    def _invoke_once(self, request: ChatRequest) -> Result:
        return _result(self._post(request))

    async def _ainvoke_once(self, request: ChatRequest) -> Result:
        return _result(await self._apost(request))

    # -- streams -----------------------------------------------------------

    def _stream_once(self, request: ChatRequest) -> Iterator[Delta]:
        response = self._post(request)
        reader = _reader(response)
        with _body_errors(reader), contextlib.closing(response):
            for line in response.iter_lines():
                if (delta := reader.read(line)) is not None:
                    yield delta
                elif reader.done:
                    return

    async def _astream_once(self, request: ChatRequest) -> AsyncIterator[Delta]:
        response = await self._apost(request)
        reader = _reader(response)
        async with contextlib.aclosing(response):
            with _body_errors(reader):
                async for line in response.aiter_lines():
                    if (delta := reader.read(line)) is not None:
                        yield delta
                    elif reader.done:
                        return


@contextlib.contextmanager
def _body_errors(reader: protocol.LineReader) -> Iterator[None]:
    """Failures while reading a stream's body, as the project's exceptions."""
    try:
        yield
    except (httpx2.TransportError, json.JSONDecodeError) as exc:
        raise _stream_body_error(exc, reader.request_id) from exc


def _post_options(request: ChatRequest) -> dict[str, Any]:
    """``client.post`` options: the once-serialized body, read raw."""
    return {
        "cast_to": httpx2.Response,
        "content": protocol.encode(request),
        "options": _JSON,
        "stream": request.stream,
    }


def _reader(response: httpx2.Response) -> protocol.LineReader:
    return protocol.LineReader(_request_id(response.headers))


def _request_id(headers: Mapping[str, str]) -> str | None:
    return headers.get(protocol.REQUEST_ID_HEADER)


def _result(response: httpx2.Response) -> Result:
    return protocol.parse_response(
        json.loads(response.content), _request_id(response.headers)
    )
