"""I/O over the native endpoint with the ``dashscope`` SDK.

The SDK builds the request and parses stream events; it sends through our own
sessions (``dashscope_sessions``): one pooled ``requests.Session`` per transport,
one pooled aiohttp session per event loop (closed when that loop ends). The
SDK does not raise on HTTP errors and drops nested error bodies, so whole
replies and error bodies are read from the raw bytes our session kept, by the
protocol module, exactly as the other transport reads them. The key and base
URL go with each call (``api_key=``, ``base_address=``), never into the SDK's
module globals, so models with different endpoints coexist.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Mapping
from contextlib import aclosing
from typing import Any

import aiohttp
import requests
from aiohttp.http_exceptions import HttpProcessingError
from dashscope import AioGeneration, Generation
from dashscope.common.error import DashScopeException

from langchain_kimi.errors import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    IncompleteStreamError,
    InvalidResponseError,
    KimiError,
    scrub,
)
from langchain_kimi.protocols import native as protocol
from langchain_kimi.protocols.common import status_error, unexpected_body
from langchain_kimi.protocols.types import Delta, Result
from langchain_kimi.request.build import ChatRequest
from langchain_kimi.transports import dashscope_sessions as http
from langchain_kimi.transports.base import Pooled, Transport, failure_reason, within
from langchain_kimi.transports.dashscope_aio import new_aio_session
from langchain_kimi.transports.idle import IdleClock

_TIMEOUTS = (requests.exceptions.Timeout, asyncio.TimeoutError, TimeoutError)
#: What the SDK raises on bytes it cannot read (JSON, UTF-8, shapes), once a
#: response has arrived; before one, these are the caller's own (e.g. a
#: parameter JSON cannot encode) and are raised as they are, as the openai
#: transport raises them (a URL no client can use is a connection error).
_UNREADABLE = (ValueError, TypeError, KeyError)
_CONNECTION = (
    requests.exceptions.RequestException,
    aiohttp.ClientError,
    http.AioNotResentError,
    OSError,
)

http.quiet_handled_failures()


def _where(task: str) -> dict[str, str]:
    """Where ``Generation`` (``text-generation``) or ``MultiModalConversation``
    (``multimodal-generation``) sends: the ``aigc`` group's task."""
    return {"task_group": "aigc", "task": task, "function": "generation"}


def _generate(task: str, **arguments: Any) -> Any:
    """``Generation.call`` / ``MultiModalConversation.call`` without their
    typed wrappers.

    Both copy the messages (a deep copy: every base64 image twice in memory),
    then wrap every reply and stream event in a typed response, about a third
    of the SDK's time per event; their base ``call`` builds and sends the same
    request and yields the same dict-like ``DashScopeAPIResponse`` objects the
    protocol module reads.
    """
    base: Any = super(Generation, Generation)
    return base.call(**_where(task), **arguments)


async def _agenerate(task: str, **arguments: Any) -> Any:
    """``AioGeneration.call`` without its typed wrappers (see ``_generate``)."""
    base: Any = super(AioGeneration, AioGeneration)
    return await base.call(**_where(task), **arguments)


def is_callers(exc: BaseException, state: http.CallState) -> bool:
    """Whether ``exc`` is a mistake of the caller's, met before any response
    arrived (raised as it is, not mapped)."""
    return (
        state.status is None
        and isinstance(exc, _UNREADABLE)
        and not isinstance(exc, _CONNECTION)
    )


def map_failure(
    exc: BaseException,
    *,
    started: bool,
    responded: bool = True,
    where: str = "the service",
) -> KimiError:
    """An exception from the SDK or its session as the project's class
    (``is_callers`` exceptions excepted); ``responded``: a response arrived;
    ``where``: ``host:port``, for connection failures."""
    if isinstance(exc, KimiError):
        return exc
    scrub(exc)
    if isinstance(exc, _TIMEOUTS):
        return APITimeoutError("The request timed out; raise `timeout` or retry later.")
    if isinstance(exc, DashScopeException):
        return BadRequestError(f"The dashscope SDK refused the request: {exc}")
    if isinstance(exc, RecursionError):
        return InvalidResponseError(
            f"The reply from {where} is JSON nested too deeply to read."
        )
    if isinstance(exc, HttpProcessingError) or (  # a line too long, too
        responded and isinstance(exc, _UNREADABLE)
    ):
        return InvalidResponseError(
            f"The service's reply could not be read ({type(exc).__name__}: {exc})."
        )
    if started:
        return IncompleteStreamError(
            f"The stream from {where} was cut before the answer finished: "
            f"{failure_reason(exc)}."
        )
    if isinstance(exc, _CONNECTION):
        return APIConnectionError(f"Could not reach {where}: {failure_reason(exc)}.")
    return KimiError(f"The dashscope SDK failed: {type(exc).__name__}: {exc}")


def _request_id(state: http.CallState) -> str | None:
    headers = state.lower_case_headers()
    return headers.get("x-request-id") or headers.get("x-dashscope-request-id")


def _reply(state: http.CallState, failure: Exception | None) -> Result:
    """A whole reply from the bytes our session kept, whatever the SDK made of them."""
    if failure is not None:
        scrub(failure)
    if state.body is None or state.status is None:
        if failure is None:
            raise InvalidResponseError("The service sent no reply.")
        if is_callers(failure, state) or isinstance(failure, KimiError):
            raise failure
        responded = state.status is not None
        raise map_failure(
            failure, started=False, responded=responded, where=state.where
        ) from failure
    try:
        if state.status >= 400:
            raise status_error(
                state.status,
                state.body,
                state.lower_case_headers(),
                _request_id(state),
                expected_path=state.expected_path,
            )
        return protocol.parse_reply(state.body, _request_id(state))
    except KimiError as error:
        raise error from failure


def _not_a_stream(state: http.CallState) -> KimiError | None:
    """The error of a stream request answered by a body that is not a stream."""
    if state.body is None or state.status is None:
        return None
    return unexpected_body(
        state.status,
        state.body,
        state.lower_case_headers(),
        _request_id(state),
        expected_path=state.expected_path,
    )


class _Stream:
    """One streamed call through the SDK: what sync and async share.

    ``with call:`` wraps one SDK step (marks it ours, maps its failures; a
    class, because it runs once per event); ``delta`` reads one SDK event;
    ``close`` closes the response at once, even when the caller stopped early.
    The idle clock restarts each time the caller asks for the next event, so
    only time spent waiting on the service counts, not the caller's own.
    """

    __slots__ = ("_token", "started", "state")

    def __init__(self, transport: DashScopeTransport) -> None:
        self.state = transport.call_state(stream=True)
        self.started = False

    def __enter__(self) -> None:
        self._token = http.CALL.set(self.state)

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        http.CALL.reset(self._token)
        state = self.state
        if isinstance(exc, Exception) and not is_callers(exc, state):
            error = _not_a_stream(state) or map_failure(
                exc,
                started=self.started,
                responded=state.status is not None,
                where=state.where,
            )
            if error is not exc:
                raise error from exc

    def delta(self, event: Mapping[str, Any]) -> Delta:
        if self.state.body is not None:
            raise _not_a_stream(self.state) or InvalidResponseError("Not a stream.")
        self.started = True
        return protocol.parse_event(protocol.checked(event))

    def each(self, events: Iterator[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        """The SDK's events, each read as a step."""
        state = self.state
        while True:
            if state.idle is not None:
                state.event_arrived()  # the caller asks again: the clock restarts
            with self:
                event = next(events, None)
            if event is None:
                return
            yield event

    async def aeach(self, events: Any) -> AsyncIterator[Mapping[str, Any]]:
        """Async ``each``; the wait for each event is bounded by the idle time
        (one ``IdleClock`` for the stream)."""
        if self.state.idle is None:
            while True:
                with self:
                    event = await anext(events, None)
                if event is None:
                    return
                yield event
        clock = IdleClock(self.state.idle)
        try:
            while True:
                with self:
                    clock.start()
                    try:
                        event = await anext(events, None)
                    except asyncio.CancelledError:
                        if clock.timed_out():
                            raise TimeoutError from None
                        raise
                    finally:
                        clock.stop()
                if event is None:
                    return
                yield event
        finally:
            clock.close()

    def close(self) -> None:
        if self.state.response is not None:
            self.state.response.close()


class DashScopeTransport(Pooled[requests.Session, aiohttp.ClientSession], Transport):
    """The native endpoint through the SDK's text-generation or
    multimodal-generation call (sync and async), over our pooled sessions."""

    EXPECTED_PATH = protocol.BASE_PATH

    def call_state(self, *, stream: bool) -> http.CallState:
        """A call's state: its deadlines, and where it goes (for messages)."""
        state = http.CallState.start(self._timeout, stream=stream)
        state.where = self._where
        state.expected_path = self._path_hint()
        return state

    def _new_client(self) -> requests.Session:
        return http.new_session()

    def _new_aclient(self) -> aiohttp.ClientSession:
        return new_aio_session()

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        arguments = protocol.call_arguments(request)
        arguments["api_key"] = self._api_key
        arguments["base_address"] = self._base_url
        arguments.update(self.timeout_option("request_timeout"))
        if self._headers:
            arguments["headers"] = dict(self._headers)
        return arguments

    # -- whole replies -----------------------------------------------------

    def _invoke_once(self, request: ChatRequest) -> Result:
        state = self.call_state(stream=False)
        failure: Exception | None = None
        try:
            with http.calling(state):
                _generate(
                    protocol.task(request),
                    **self._arguments(request),
                    session=self.client,
                )
        except Exception as exc:
            failure = exc
        return _reply(state, failure)

    async def _ainvoke_once(self, request: ChatRequest) -> Result:
        state = self.call_state(stream=False)
        session = await self.aclient()
        failure: Exception | None = None
        try:
            with http.calling(state), within(self._timeout):
                await _agenerate(
                    protocol.task(request), **self._arguments(request), session=session
                )
        except Exception as exc:
            failure = exc
        return _reply(state, failure)

    # -- streams -----------------------------------------------------------

    def _stream_once(self, request: ChatRequest) -> Iterator[Delta]:
        call = _Stream(self)
        with call:
            events: Any = _generate(
                protocol.task(request), **self._arguments(request), session=self.client
            )
        with contextlib.closing(call), contextlib.closing(events):
            for event in call.each(events):
                yield call.delta(event)

    async def _astream_once(self, request: ChatRequest) -> AsyncGenerator[Delta, None]:
        call = _Stream(self)
        session = await self.aclient()
        arguments = self._arguments(request)
        if self._timeout is not None:
            # The SDK would give aiohttp a ``sock_read`` timeout, which runs
            # while the caller holds an event too; 0 turns it off, and the
            # stream's ``IdleClock`` bounds each wait instead.
            arguments["request_timeout"] = 0
        with call:
            events: Any = await _agenerate(
                protocol.task(request), **arguments, session=session
            )
        with contextlib.closing(call):
            async with aclosing(events):
                async for event in call.aeach(events):
                    yield call.delta(event)
