"""I/O over the OpenAI-compatible endpoint with the ``openai`` SDK.

The SDK does auth, connection pooling, timeouts and HTTP error mapping
(through its public ``client.post`` for raw responses); its own retries are
off (``retry.py`` owns the policy). The body is serialized once here and the
reply is parsed straight into dicts: the SDK's typed request transform and its
typed objects (a pydantic model per streamed delta) are skipped, because that
is where its time goes.
"""

from __future__ import annotations

import asyncio
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
    error_for,
)
from langchain_kimi.retry import parse_retry_after
from langchain_kimi.transports.base import RetryingTransport
from langchain_kimi.wire import DONE, from_openai_chunk, from_openai_completion

_REQUEST_ID_HEADER = "x-request-id"


def map_openai_error(exc: openai.APIError) -> KimiError:
    """An openai SDK exception to the project's class, keeping DashScope's facts."""
    if isinstance(exc, openai.APITimeoutError):
        return APITimeoutError("The request timed out; raise `timeout` or retry later.")
    if isinstance(exc, openai.APIConnectionError):
        return APIConnectionError(f"Could not reach the service: {exc.message}")
    if not isinstance(exc, openai.APIStatusError):
        return KimiError(exc.message)
    # The SDK keeps only the inner "error" object as ``body``; DashScope's
    # request_id sits beside it in the full JSON (or in x-request-id).
    detail = exc.body if isinstance(exc.body, dict) else {}
    headers = exc.response.headers
    request_id = headers.get(_REQUEST_ID_HEADER) or _body_request_id(exc.response)
    return error_for(
        exc.status_code,
        detail.get("code"),
        detail.get("message") or exc.message,
        request_id,
        parse_retry_after(headers),
    )


def _body_request_id(response: httpx2.Response) -> str | None:
    try:
        data = json.loads(response.content)
    except (ValueError, httpx2.ResponseNotRead):
        return None
    value = data.get("request_id") if isinstance(data, dict) else None
    return str(value) if value else None


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


class _EventReader:
    """SSE lines to normalized deltas; shared by the sync and async streams."""

    __slots__ = ("_first", "done", "request_id")

    def __init__(self, request_id: str | None) -> None:
        self.request_id = request_id
        self.done = False
        self._first = True

    def read(self, line: str) -> dict[str, Any] | None:
        """The delta of one line, or ``None`` for blanks, comments and the end."""
        if not line.startswith("data:"):
            return None
        data = line[5:].lstrip()
        if data == DONE:
            self.done = True
            return None
        event = json.loads(data)
        if "error" in event:
            raise _mid_stream_error(event, self.request_id)
        delta = from_openai_chunk(event)
        if self._first:
            delta["request_id"] = self.request_id
            self._first = False
        return delta


def _mid_stream_error(event: dict[str, Any], request_id: str | None) -> KimiError:
    detail = event["error"] if isinstance(event.get("error"), dict) else event
    return error_for(
        None,
        detail.get("code"),
        detail.get("message") or "The service reported an error mid-stream.",
        event.get("request_id") or request_id,
    )


_PATH = "/chat/completions"
_JSON: Any = {"headers": {"Content-Type": "application/json"}}


def _body(payload: Mapping[str, Any]) -> bytes:
    """The request body, serialized once (the SDK's typed transform is skipped)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _no_loop() -> None:
    return None


class OpenAITransport(RetryingTransport):
    """Sync and async calls, streamed or not, returning normalized dicts."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        timeout: float | None,
        max_retries: int,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        options: dict[str, Any] = {
            "api_key": api_key,
            "base_url": base_url,
            "max_retries": 0,
            "default_headers": dict(default_headers or {}),
        }
        if timeout is not None:
            options["timeout"] = timeout
        super().__init__(max_retries)
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

    def _post(self, payload: Mapping[str, Any], *, stream: bool) -> httpx2.Response:
        """POST the body; a raw response, unread when streaming (no stream class)."""
        return self.client.post(
            _PATH,
            cast_to=httpx2.Response,
            content=_body(payload),
            options=_JSON,
            stream=stream,
        )

    async def _apost(
        self, payload: Mapping[str, Any], *, stream: bool
    ) -> httpx2.Response:
        return await self.aclient.post(
            _PATH,
            cast_to=httpx2.Response,
            content=_body(payload),
            options=_JSON,
            stream=stream,
        )

    # -- whole replies -----------------------------------------------------

    def _invoke_once(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        try:
            response = self._post(payload, stream=False)
        except openai.APIError as exc:
            raise map_openai_error(exc) from exc
        return _result(response.content, response.headers.get(_REQUEST_ID_HEADER))

    async def _ainvoke_once(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        try:
            response = await self._apost(payload, stream=False)
        except openai.APIError as exc:
            raise map_openai_error(exc) from exc
        return _result(response.content, response.headers.get(_REQUEST_ID_HEADER))

    # -- streams -----------------------------------------------------------

    def _stream_once(self, payload: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        try:
            response = self._post(payload, stream=True)
        except openai.APIError as exc:
            raise map_openai_error(exc) from exc
        reader = _EventReader(response.headers.get(_REQUEST_ID_HEADER))
        try:
            for line in response.iter_lines():
                delta = reader.read(line)
                if delta is not None:
                    yield delta
                elif reader.done:
                    return
        except (httpx2.TransportError, json.JSONDecodeError) as exc:
            raise _stream_body_error(exc, reader.request_id) from exc
        finally:
            response.close()

    async def _astream_once(
        self, payload: Mapping[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        try:
            response = await self._apost(payload, stream=True)
        except openai.APIError as exc:
            raise map_openai_error(exc) from exc
        reader = _EventReader(response.headers.get(_REQUEST_ID_HEADER))
        try:
            async for line in response.aiter_lines():
                delta = reader.read(line)
                if delta is not None:
                    yield delta
                elif reader.done:
                    return
        except (httpx2.TransportError, json.JSONDecodeError) as exc:
            raise _stream_body_error(exc, reader.request_id) from exc
        finally:
            await response.aclose()


def _result(body: bytes, request_id: str | None) -> dict[str, Any]:
    result = from_openai_completion(json.loads(body))
    result["request_id"] = result.get("request_id") or request_id
    return result
