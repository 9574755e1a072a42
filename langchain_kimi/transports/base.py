"""The base class every transport shares: the retry policy around one-shot I/O."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator, Mapping

from langchain_kimi.normalized import Delta, Result
from langchain_kimi.request import ChatRequest
from langchain_kimi.retry import (
    acall_with_retries,
    astream_with_retries,
    call_with_retries,
    stream_with_retries,
)


class Transport(ABC):
    """Sends ``ChatRequest`` objects; returns normalized results and deltas.

    Subclasses implement the ``*_once`` methods: one attempt of I/O through
    their SDK, with every byte interpreted by their protocol module, raising
    only ``langchain_kimi.errors`` exceptions. This class adds the retries,
    the same on every transport.
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
        self._api_key = api_key
        self._base_url = base_url
        self._timeout = timeout
        self._max_retries = max_retries
        self._headers = dict(default_headers or {})

    def invoke(self, request: ChatRequest) -> Result:
        return call_with_retries(lambda: self._invoke_once(request), self._max_retries)

    async def ainvoke(self, request: ChatRequest) -> Result:
        return await acall_with_retries(
            lambda: self._ainvoke_once(request), self._max_retries
        )

    def stream(self, request: ChatRequest) -> Iterator[Delta]:
        return stream_with_retries(
            lambda: self._stream_once(request), self._max_retries
        )

    def astream(self, request: ChatRequest) -> AsyncIterator[Delta]:
        return astream_with_retries(
            lambda: self._astream_once(request), self._max_retries
        )

    @abstractmethod
    def _invoke_once(self, request: ChatRequest) -> Result: ...

    @abstractmethod
    async def _ainvoke_once(self, request: ChatRequest) -> Result: ...

    @abstractmethod
    def _stream_once(self, request: ChatRequest) -> Iterator[Delta]: ...

    @abstractmethod
    def _astream_once(self, request: ChatRequest) -> AsyncIterator[Delta]: ...
