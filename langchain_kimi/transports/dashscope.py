"""I/O over the native endpoint with the ``dashscope`` SDK.

The SDK does not raise on HTTP errors (it returns, or yields, a response whose
``status_code`` is not 200) and does not retry, so every response and every
streamed event is checked here and failures become the project's exceptions;
``retry.py`` supplies the same retry policy as the other transport. The key
and base URL go with each call (``api_key=``, ``base_address=``), never into
the SDK's module globals, so models with different endpoints coexist.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, cast

import aiohttp
import requests
from dashscope import AioGeneration, Generation

from langchain_kimi.errors import (
    APIConnectionError,
    APITimeoutError,
    IncompleteStreamError,
    KimiError,
    error_for,
)
from langchain_kimi.payload import native_request
from langchain_kimi.retry import parse_retry_after
from langchain_kimi.transports.base import RetryingTransport
from langchain_kimi.wire import from_native_event, from_native_response

_TIMEOUTS = (requests.exceptions.Timeout, asyncio.TimeoutError)
_CONNECTION = (requests.exceptions.RequestException, aiohttp.ClientError, OSError)


def checked(response: Mapping[str, Any]) -> Mapping[str, Any]:
    """Raise the project's exception for a non-200 response or event."""
    status = response.get("status_code")
    if status == 200:
        return response
    headers = response.get("headers") or {}
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    raise error_for(
        int(status) if status is not None else None,
        response.get("code") or None,
        str(response.get("message") or "The service returned an error."),
        response.get("request_id") or None,
        parse_retry_after(lowered),
    )


def map_io_error(exc: BaseException, *, started: bool) -> KimiError:
    """An SDK I/O failure as a connection, timeout or cut-stream error."""
    if isinstance(exc, _TIMEOUTS):
        return APITimeoutError("The request timed out; raise `timeout` or retry later.")
    if started:
        return IncompleteStreamError(
            f"The stream was cut before the answer finished ({type(exc).__name__})."
        )
    return APIConnectionError(f"Could not reach the service ({type(exc).__name__}).")


class DashScopeTransport(RetryingTransport):
    """Sync and async calls, streamed or not, returning normalized dicts.

    Async calls get their own aiohttp session, closed when the call ends: the
    SDK's shared per-loop session would outlive short-lived event loops and
    leave their sockets open.
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        timeout: float | None,
        max_retries: int,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        fixed: dict[str, Any] = {"api_key": api_key, "base_address": base_url}
        if timeout is not None:
            fixed["request_timeout"] = timeout
        if default_headers:
            fixed["headers"] = dict(default_headers)
        super().__init__(max_retries)
        self._fixed = fixed

    def _arguments(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        arguments = native_request(payload)
        arguments.update(self._fixed)
        arguments["model"] = payload["model"]
        arguments["messages"] = payload["messages"]
        if payload.get("stream"):
            arguments["stream"] = True
        if "headers" in arguments:
            arguments["headers"] = dict(arguments["headers"])
        return arguments

    # -- whole replies -----------------------------------------------------

    def _invoke_once(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        try:
            response = cast(
                "Mapping[str, Any]", Generation.call(**self._arguments(payload))
            )
        except _CONNECTION as exc:
            raise map_io_error(exc, started=False) from exc
        return from_native_response(checked(response))

    async def _ainvoke_once(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        try:
            async with aiohttp.ClientSession() as session:
                response = cast(
                    "Mapping[str, Any]",
                    await AioGeneration.call(
                        **self._arguments(payload), session=session
                    ),
                )
        except _CONNECTION as exc:
            raise map_io_error(exc, started=False) from exc
        return from_native_response(checked(response))

    # -- streams -----------------------------------------------------------

    def _stream_once(self, payload: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        started = False
        try:
            events = cast(
                "Iterator[Mapping[str, Any]]",
                Generation.call(**self._arguments(payload)),
            )
            for event in events:
                started = True
                yield from_native_event(checked(event))
        except _CONNECTION as exc:
            raise map_io_error(exc, started=started) from exc

    async def _astream_once(
        self, payload: Mapping[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        started = False
        try:
            async with aiohttp.ClientSession() as session:
                events = cast(
                    "AsyncIterator[Mapping[str, Any]]",
                    await AioGeneration.call(
                        **self._arguments(payload), session=session
                    ),
                )
                async for event in events:
                    started = True
                    yield from_native_event(checked(event))
        except _CONNECTION as exc:
            raise map_io_error(exc, started=started) from exc
