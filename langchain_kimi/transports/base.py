"""The retrying half every transport shares; subclasses supply one-shot I/O."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from langchain_kimi.retry import (
    acall_with_retries,
    astream_with_retries,
    call_with_retries,
    stream_with_retries,
)


class RetryingTransport:
    """``invoke`` / ``ainvoke`` / ``stream`` / ``astream`` with the shared retry policy.

    Subclasses implement the ``*_once`` methods: one attempt, raising only
    ``langchain_kimi.errors`` exceptions.
    """

    def __init__(self, max_retries: int) -> None:
        self._max_retries = max_retries

    def invoke(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        return call_with_retries(lambda: self._invoke_once(payload), self._max_retries)

    async def ainvoke(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        return await acall_with_retries(
            lambda: self._ainvoke_once(payload), self._max_retries
        )

    def stream(self, payload: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        return stream_with_retries(
            lambda: self._stream_once(payload), self._max_retries
        )

    def astream(self, payload: Mapping[str, Any]) -> AsyncIterator[dict[str, Any]]:
        return astream_with_retries(
            lambda: self._astream_once(payload), self._max_retries
        )

    def _invoke_once(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    async def _ainvoke_once(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _stream_once(self, payload: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        raise NotImplementedError

    def _astream_once(
        self, payload: Mapping[str, Any]
    ) -> AsyncIterator[dict[str, Any]]:
        raise NotImplementedError
