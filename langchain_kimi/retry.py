"""Retries with backoff, one policy for both transports.

The SDKs' own retries are off (the openai SDK would also retry 408/409, the
dashscope SDK does not retry at all), so the two transports behave the same:
429, 5xx and dropped connections are retried up to ``max_retries`` times,
honouring ``Retry-After``; every other 4xx is raised at once. A stream is
retried only until its first event has been read, so the caller never sees
text twice.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import TypeVar

from langchain_kimi.errors import KimiError

T = TypeVar("T")
logger = logging.getLogger("langchain_kimi")

BASE_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or date)."""
    if not headers:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, float(parsed.timestamp()) - time.time())


def retry_delay(attempt: int, error: KimiError, max_retries: int) -> float | None:
    """Seconds before retry number ``attempt + 1``, or ``None`` to give up."""
    if not error.retryable or attempt >= max_retries:
        return None
    if error.retry_after is not None and error.retry_after <= MAX_RETRY_AFTER:
        return error.retry_after
    backoff: float = min(MAX_DELAY, BASE_DELAY * 2.0**attempt)
    return backoff * (0.75 + random.random() / 2)  # noqa: S311 - jitter, not crypto


def _log(error: KimiError, delay: float, attempt: int) -> None:
    logger.info("Retrying in %.2fs (retry %d) after: %s", delay, attempt + 1, error)


def call_with_retries(call: Callable[[], T], max_retries: int) -> T:
    """Run ``call``, retrying transient ``KimiError`` failures."""
    attempt = 0
    while True:
        try:
            return call()
        except KimiError as error:
            delay = retry_delay(attempt, error, max_retries)
            if delay is None:
                raise
            _log(error, delay, attempt)
            time.sleep(delay)
            attempt += 1


async def acall_with_retries(call: Callable[[], Awaitable[T]], max_retries: int) -> T:
    """Async twin of ``call_with_retries``; only the sleep differs."""
    attempt = 0
    while True:
        try:
            return await call()
        except KimiError as error:
            delay = retry_delay(attempt, error, max_retries)
            if delay is None:
                raise
            _log(error, delay, attempt)
            await asyncio.sleep(delay)
            attempt += 1


def stream_with_retries(
    open_stream: Callable[[], Iterator[T]], max_retries: int
) -> Iterator[T]:
    """Open a stream and read its first item with retries; then pass it through."""

    def first() -> tuple[Iterator[T], list[T]]:
        stream = open_stream()
        try:
            return stream, [next(stream)]
        except StopIteration:
            return stream, []

    stream, head = call_with_retries(first, max_retries)
    yield from head
    yield from stream


async def astream_with_retries(
    open_stream: Callable[[], AsyncIterator[T]], max_retries: int
) -> AsyncIterator[T]:
    """Async twin of ``stream_with_retries``."""

    async def first() -> tuple[AsyncIterator[T], list[T]]:
        stream = open_stream()
        try:
            return stream, [await stream.__anext__()]
        except StopAsyncIteration:
            return stream, []

    stream, head = await acall_with_retries(first, max_retries)
    for item in head:
        yield item
    async for item in stream:
        yield item
