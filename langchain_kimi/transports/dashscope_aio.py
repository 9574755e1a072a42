"""The aiohttp session the dashscope transport hands to the SDK (async calls).

One request per call (connection failures are re-raised outside the family
the SDK resends), the status, headers and (unless it is an event stream) the
raw body kept on the call's ``CallState``, lines up to 8 MiB, and keep-alive
``data:`` lines dropped before the SDK reads them as events. See
``dashscope_sessions`` for the sync session and the reasons.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from langchain_kimi.protocols.sse import is_event_stream
from langchain_kimi.transports.dashscope_sessions import (
    CALL,
    READ_BUFSIZE,
    AioNotResentError,
    AioNotResentTimeout,
    is_keep_alive,
)


class _Events:
    """An async event stream's body as the SDK reads it (``async for line``),
    without keep-alive ``data:`` lines; everything else is the body's own."""

    def __init__(self, content: Any) -> None:
        self._content = content

    def __getattr__(self, name: str) -> Any:
        return getattr(self._content, name)

    async def __aiter__(self) -> Any:
        async for line in self._content:
            if line.startswith(b"data:") and is_keep_alive(line.rstrip(b"\r\n")):
                continue
            yield line


async def _one_send(
    request: aiohttp.ClientRequest, handler: Any
) -> aiohttp.ClientResponse:
    try:
        response: aiohttp.ClientResponse = await handler(request)
    except aiohttp.ServerTimeoutError as exc:
        raise AioNotResentTimeout(str(exc)) from exc
    except aiohttp.ClientConnectionError as exc:
        raise AioNotResentError(f"{type(exc).__name__}: {exc}") from exc
    return response


class KimiClientResponse(aiohttp.ClientResponse):
    """Keeps the status, headers and (unless it is an event stream) the body."""

    async def start(self, connection: Any) -> aiohttp.ClientResponse:
        response = await super().start(connection)
        state = CALL.get()
        if state is not None:
            state.status = self.status
            state.headers = self.headers
            state.response = self
            if self.status >= 400 or not is_event_stream(self.content_type):
                state.body = await self.read()
            else:
                self.content = _Events(self.content)  # type: ignore[assignment]
        return response


def new_aio_session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        read_bufsize=READ_BUFSIZE,
        middlewares=(_one_send,),
        response_class=KimiClientResponse,
        trust_env=True,
    )
