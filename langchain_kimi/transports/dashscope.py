"""I/O over the native endpoint with the ``dashscope`` SDK.

The SDK does not raise on HTTP errors (it returns, or yields, a response whose
``status_code`` is not 200) and does not retry, so every response and every
streamed event goes through the protocol's ``checked``; ``retry.py`` supplies
the same retry policy as the other transport. The key and base URL go with
each call (``api_key=``, ``base_address=``), never into the SDK's module
globals, so models with different endpoints coexist.
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
)
from langchain_kimi.normalized import Delta, Result
from langchain_kimi.protocols import native as protocol
from langchain_kimi.request import ChatRequest
from langchain_kimi.transports.base import Transport

_TIMEOUTS = (requests.exceptions.Timeout, asyncio.TimeoutError)
_CONNECTION = (requests.exceptions.RequestException, aiohttp.ClientError, OSError)


def map_io_error(exc: BaseException, *, started: bool) -> KimiError:
    """An SDK I/O failure as a connection, timeout or cut-stream error."""
    if isinstance(exc, _TIMEOUTS):
        return APITimeoutError("The request timed out; raise `timeout` or retry later.")
    if started:
        return IncompleteStreamError(
            f"The stream was cut before the answer finished ({type(exc).__name__})."
        )
    return APIConnectionError(f"Could not reach the service ({type(exc).__name__}).")


class DashScopeTransport(Transport):
    """Sync and async calls, streamed or not, returning normalized shapes.

    Async calls get their own aiohttp session, closed when the call ends: the
    SDK's shared per-loop session would outlive short-lived event loops and
    leave their sockets open.
    """

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        fixed: dict[str, Any] = {
            "api_key": self._api_key,
            "base_address": self._base_url,
        }
        if self._timeout is not None:
            fixed["request_timeout"] = self._timeout
        self._fixed = fixed

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        arguments = protocol.call_arguments(request)
        arguments.update(self._fixed)
        if self._headers:
            arguments["headers"] = dict(self._headers)
        return arguments

    # -- whole replies -----------------------------------------------------

    def _invoke_once(self, request: ChatRequest) -> Result:
        try:
            response = cast(
                "Mapping[str, Any]", Generation.call(**self._arguments(request))
            )
        except _CONNECTION as exc:
            raise map_io_error(exc, started=False) from exc
        return protocol.parse_response(protocol.checked(response))

    async def _ainvoke_once(self, request: ChatRequest) -> Result:
        try:
            async with aiohttp.ClientSession() as session:
                response = cast(
                    "Mapping[str, Any]",
                    await AioGeneration.call(
                        **self._arguments(request), session=session
                    ),
                )
        except _CONNECTION as exc:
            raise map_io_error(exc, started=False) from exc
        return protocol.parse_response(protocol.checked(response))

    # -- streams -----------------------------------------------------------

    def _stream_once(self, request: ChatRequest) -> Iterator[Delta]:
        started = False
        try:
            events = cast(
                "Iterator[Mapping[str, Any]]",
                Generation.call(**self._arguments(request)),
            )
            for event in events:
                started = True
                yield protocol.parse_event(protocol.checked(event))
        except _CONNECTION as exc:
            raise map_io_error(exc, started=started) from exc

    async def _astream_once(self, request: ChatRequest) -> AsyncIterator[Delta]:
        started = False
        try:
            async with aiohttp.ClientSession() as session:
                events = cast(
                    "AsyncIterator[Mapping[str, Any]]",
                    await AioGeneration.call(
                        **self._arguments(request), session=session
                    ),
                )
                async for event in events:
                    started = True
                    yield protocol.parse_event(protocol.checked(event))
        except _CONNECTION as exc:
            raise map_io_error(exc, started=started) from exc
