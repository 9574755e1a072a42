"""I/O over the OpenAI-compatible endpoint with the ``openai`` SDK.

The SDK does auth, connection pooling and HTTP status errors (through its
public ``client.post`` for raw responses); its own retries are off
(``retry.py`` owns the policy). The body is serialized once by the protocol
module and every reply is read as raw bytes: the SDK's typed request
transform and its typed objects (a pydantic model per streamed delta) are
skipped, because that is where its time goes. Stream bytes are split into
lines by ``LineSplitter`` (CR/LF only: httpx's ``iter_lines`` would split JSON
on U+2028) and read to the end of the body after ``[DONE]``, so the
connection goes back to the pool; that drain takes at most ``DRAIN_SECONDS``
(a body still open then is closed with its connection), so a server holding
the body open cannot hold back the stream's end. Async clients are kept one
per event loop and closed when that loop ends.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncGenerator, Iterator, Mapping
from typing import Any

import anyio
import httpx2  # the openai SDK's HTTP client; its errors end a body read
import openai

from langchain_kimi.errors import (
    APIConnectionError,
    APITimeoutError,
    IncompleteStreamError,
    InvalidResponseError,
    KimiError,
    scrub,
)
from langchain_kimi.protocols import openai as protocol
from langchain_kimi.protocols.common import status_error, unexpected_body
from langchain_kimi.protocols.sse import LineSplitter, is_event_stream
from langchain_kimi.protocols.types import Delta, Result
from langchain_kimi.request.build import ChatRequest
from langchain_kimi.transports.base import (
    Pooled,
    Transport,
    failure_reason,
    within,
)
from langchain_kimi.transports.deadline import bound, deadline
from langchain_kimi.transports.watchdog import WATCHDOG

_JSON: Any = {"headers": {"Content-Type": "application/json"}}
#: How long a stream may take to read its body's end after [DONE].
DRAIN_SECONDS = 0.1
_TIMED_OUT = "The request timed out; raise `timeout` or retry later."


def map_openai_error(
    exc: openai.APIError,
    where: str = "the service",
    expected_path: str | None = None,
) -> KimiError:
    """An openai SDK exception to the project's class (its text redacted, as
    it is chained as the cause)."""
    scrub(exc)
    if isinstance(exc, openai.APITimeoutError):
        return APITimeoutError(_TIMED_OUT)
    if isinstance(exc, openai.APIConnectionError):
        return APIConnectionError(f"Could not reach {where}: {failure_reason(exc)}.")
    if not isinstance(exc, openai.APIStatusError):
        return KimiError(exc.message)
    try:
        body: bytes | None = exc.response.content  # already read by the SDK
    except httpx2.ResponseNotRead:
        body = None
    headers = exc.response.headers
    return status_error(
        exc.status_code,
        body,
        headers,
        _request_id(headers),
        expected_path=expected_path,
    )


def map_body_failure(exc: Exception, where: str) -> KimiError:
    """An error response whose body could not be read (the SDK reads it
    outside its own error handling): a false gzip header, a stalled or cut
    body."""
    if isinstance(exc, (httpx2.TimeoutException, TimeoutError)):
        return APITimeoutError(_TIMED_OUT)
    if isinstance(exc, httpx2.DecodingError):
        return InvalidResponseError(
            f"The error response from {where} could not be decoded "
            f"({failure_reason(exc)})."
        )
    return APIConnectionError(
        f"The connection to {where} failed while its error response was read: "
        f"{failure_reason(exc)}."
    )


def _request_id(headers: Mapping[str, str]) -> str | None:
    return headers.get(protocol.REQUEST_ID_HEADER)


class _Body:
    """The reading of one response body, written once for sync and async.

    ``chunk`` takes the body's bytes as they arrive; for a stream it returns
    the deltas of the complete lines and enforces the idle bound (only events
    count: heartbeats of any spelling, SSE comments or empty ``data:`` lines,
    do not); ``resumed`` restarts the idle
    clock when the caller asks for more, so only time spent waiting on the
    service counts, not the caller's own between chunks. ``failure`` maps an
    error met while reading.
    """

    __slots__ = (
        "_deadline",
        "_idle",
        "_last_event",
        "_parts",
        "_reader",
        "_splitter",
        "delivered",
        "response",
    )

    def __init__(self, response: httpx2.Response, timeout: float | None, start: float):
        self.response = response
        self.delivered = False
        self._reader = protocol.LineReader(_request_id(response.headers))
        self._splitter = LineSplitter()
        self._idle = timeout
        self._last_event = start
        self._deadline = None if timeout is None else start + timeout
        self._parts: list[bytes] = []

    @property
    def done(self) -> bool:
        return self._reader.done

    def is_stream(self) -> bool:
        return is_event_stream(self.response.headers.get("content-type"))

    def not_a_stream(self, content: bytes, expected_path: str | None) -> KimiError:
        """The error of a stream request answered by a body that is no stream."""
        return unexpected_body(
            self.response.status_code,
            content,
            self.response.headers,
            self._reader.request_id,
            expected_path=expected_path,
        )

    def chunk(self, data: bytes) -> list[Delta]:
        now = time.monotonic()
        if self._idle is not None and now - self._last_event > self._idle:
            raise self.timed_out()  # bytes came, but no event in time
        deltas: list[Delta] = []
        for line in self._splitter.feed(data):
            delta = self._reader.read(line)
            if delta is not None:
                deltas.append(delta)
                self._last_event = now
            elif self._reader.done:
                break
        self.delivered = self.delivered or bool(deltas)
        return deltas

    def resumed(self) -> None:
        if self._idle is not None:
            self._last_event = time.monotonic()

    def whole(self, data: bytes) -> None:
        """Keep a whole reply's bytes; past the deadline, give up."""
        self._parts.append(data)
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise self.timed_out()

    def result(self) -> Result:
        return protocol.parse_reply(b"".join(self._parts), self._reader.request_id)

    def timed_out(self) -> APITimeoutError:
        return APITimeoutError(_TIMED_OUT, request_id=self._reader.request_id)

    def failure(self, exc: Exception, where: str) -> KimiError:
        if isinstance(exc, (httpx2.TimeoutException, TimeoutError)):
            return self.timed_out()
        reason = failure_reason(exc)
        if self.delivered:
            return IncompleteStreamError(
                f"The stream from {where} was cut before the answer finished: "
                f"{reason}.",
                request_id=self._reader.request_id,
            )
        if isinstance(exc, httpx2.DecodingError):
            return InvalidResponseError(
                f"The reply from {where} could not be decoded: {reason}.",
                request_id=self._reader.request_id,
            )
        return APIConnectionError(
            f"The connection to {where} dropped before the reply: {reason}.",
            request_id=self._reader.request_id,
        )


@contextlib.contextmanager
def _reading(body: _Body, where: str) -> Iterator[None]:
    try:
        yield
    except (httpx2.HTTPError, TimeoutError) as exc:
        raise body.failure(exc, where) from exc


class OpenAITransport(Pooled[openai.OpenAI, openai.AsyncOpenAI], Transport):
    """Sync and async calls, streamed or not, returning normalized shapes."""

    EXPECTED_PATH = protocol.BASE_PATH

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self._options = {
            "api_key": self._api_key,
            "base_url": self._base_url,
            "max_retries": 0,
            "default_headers": self._headers,
            **self.timeout_option("timeout"),
        }

    def _new_client(self) -> openai.OpenAI:
        # Every socket wait is bounded by the call's deadline (``deadline``).
        http_client = bound(openai.DefaultHttpxClient(**self.timeout_option("timeout")))
        return openai.OpenAI(**self._options, http_client=http_client)

    def _new_aclient(self) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(**self._options)

    def _post(self, request: ChatRequest) -> httpx2.Response:
        """POST the body; the raw response, its body unread (the wait for it
        is bounded by the caller's ``deadline``)."""
        try:
            response: httpx2.Response = self.client.post(
                protocol.PATH, **_post_options(request)
            )
        except openai.APIError as exc:
            raise map_openai_error(exc, self._where, self._path_hint()) from exc
        except (httpx2.HTTPError, TimeoutError) as exc:
            raise map_body_failure(exc, self._where) from exc
        return response

    async def _apost(self, request: ChatRequest) -> httpx2.Response:
        client = await self.aclient()
        try:
            response: httpx2.Response = await client.post(
                protocol.PATH, **_post_options(request)
            )
        except openai.APIError as exc:
            raise map_openai_error(exc, self._where, self._path_hint()) from exc
        except httpx2.HTTPError as exc:
            raise map_body_failure(exc, self._where) from exc
        return response

    # -- whole replies -----------------------------------------------------

    def _invoke_once(self, request: ChatRequest) -> Result:
        start = time.monotonic()
        with deadline(self._timeout):
            response = self._post(request)
            body = _Body(response, self._timeout, start)
            with contextlib.closing(response), _reading(body, self._where):
                for data in response.iter_bytes():
                    body.whole(data)
        return body.result()

    async def _ainvoke_once(self, request: ChatRequest) -> Result:
        start = time.monotonic()
        try:
            with within(self._timeout):
                response = await self._apost(request)
                body = _Body(response, self._timeout, start)
                async with contextlib.aclosing(response):
                    with _reading(body, self._where):
                        async for data in response.aiter_bytes():
                            body.whole(data)
        except TimeoutError as exc:
            raise APITimeoutError(_TIMED_OUT) from exc
        return body.result()

    # -- streams -----------------------------------------------------------

    def _stream_once(self, request: ChatRequest) -> Iterator[Delta]:
        start = time.monotonic()
        with deadline(self._timeout):  # the whole wait for headers counts
            response = self._post(request)
        body = _Body(response, self._timeout, start)
        with contextlib.closing(response):
            with _reading(body, self._where), deadline(self._timeout):
                if not body.is_stream():
                    raise body.not_a_stream(response.read(), self._path_hint())
            chunks = response.iter_bytes()
            with _reading(body, self._where):
                for data in chunks:
                    deltas = body.chunk(data)
                    if deltas:
                        yield from deltas
                        body.resumed()
                    if body.done:
                        break
            _drain(response, chunks)

    async def _astream_once(self, request: ChatRequest) -> AsyncGenerator[Delta, None]:
        start = time.monotonic()
        try:
            with within(self._timeout):  # the whole wait for headers counts
                response = await self._apost(request)
        except TimeoutError as exc:
            raise APITimeoutError(_TIMED_OUT) from exc
        body = _Body(response, self._timeout, start)
        try:
            with _reading(body, self._where):
                if not body.is_stream():
                    with within(self._timeout):
                        content = await response.aread()
                    raise body.not_a_stream(content, self._path_hint())
            chunks = response.aiter_bytes()
            with _reading(body, self._where):
                async for data in chunks:
                    deltas = body.chunk(data)
                    if deltas:
                        for delta in deltas:
                            yield delta
                        body.resumed()
                    if body.done:
                        break
            with (
                contextlib.suppress(httpx2.HTTPError),
                anyio.move_on_after(DRAIN_SECONDS),
            ):
                async for _ in chunks:
                    pass
        finally:
            with anyio.CancelScope(shield=True):
                await response.aclose()


def _drain(response: httpx2.Response, chunks: Iterator[bytes]) -> None:
    """Read a sync stream's body to its end after ``[DONE]`` (the connection
    is then reused), for at most ``DRAIN_SECONDS``: httpx2's read timeout is
    the stream's, so the watchdog shuts the socket down if the body stays
    open, and the response then closes its connection."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if sock is None:
        return  # nothing bounds the wait: the response is closed unread
    token = WATCHDOG.watch(sock, DRAIN_SECONDS)
    try:
        with contextlib.suppress(httpx2.HTTPError):
            for _ in chunks:
                pass
    finally:
        WATCHDOG.unwatch(token)


def _post_options(request: ChatRequest) -> dict[str, Any]:
    """``client.post`` options: the once-serialized body, read raw by us."""
    return {
        "cast_to": httpx2.Response,
        "content": protocol.encode(request),
        "options": _JSON,
        "stream": True,
    }
