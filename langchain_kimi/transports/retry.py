"""Retries with backoff, one policy for both transports.

The SDKs' own resends are off or counted (the openai SDK gets
``max_retries=0``; the dashscope SDK's resend on a dropped connection is
defused by the transport's own session), so ``max_retries`` is the whole
story: ``max_retries=0`` means one request. Rate limits, server faults, dropped
connections, timeouts and cut replies are retried, honouring ``Retry-After``
up to ``max_retry_wait`` (a longer wait is raised at once, with
``retry_after`` set); quota refusals and other 4xx never. A stream is retried
only until its first chunk would reach the caller, so nobody sees text twice.
Each retry is logged at INFO.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Iterator,
)
from dataclasses import dataclass, field
from typing import TypeVar

from langchain_kimi._utils.iterators import aclose, close
from langchain_kimi.errors import IncompleteStreamError, KimiError

T = TypeVar("T")
logger = logging.getLogger("langchain_kimi")

BASE_DELAY = 0.5
MAX_DELAY = 8.0
MAX_RETRY_WAIT = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: ``max_retries`` retries after the first
    attempt; a ``Retry-After`` up to ``max_retry_wait`` seconds is honoured."""

    max_retries: int = 2
    max_retry_wait: float = MAX_RETRY_WAIT
    base_delay: float | None = None
    """First backoff in seconds, doubling per retry; ``None`` reads
    ``BASE_DELAY`` at each retry (so a test suite can set it to zero once)."""
    on_error: Callable[[KimiError], None] | None = field(default=None, compare=False)
    """Told of every failed attempt (a shared rate limiter hears of 429s)."""

    def delay(self, attempt: int, error: KimiError) -> float | None:
        """Seconds before retry number ``attempt + 1``, or ``None`` to give up."""
        if not error.retryable or attempt >= self.max_retries:
            return None
        if error.retry_after is not None:
            return (
                error.retry_after if error.retry_after <= self.max_retry_wait else None
            )
        base = BASE_DELAY if self.base_delay is None else self.base_delay
        backoff: float = min(MAX_DELAY, base * 2.0**attempt)
        return backoff * (0.75 + random.random() / 2)  # noqa: S311 - jitter, not crypto


class _Attempts:
    """The bookkeeping both twins share: count attempts, decide, log."""

    __slots__ = ("attempt", "policy")

    def __init__(self, policy: RetryPolicy) -> None:
        self.policy = policy
        self.attempt = 0

    def pause(self, error: KimiError) -> float:
        """Seconds to wait before the next attempt; re-raises ``error`` to give up."""
        if self.policy.on_error is not None:
            self.policy.on_error(error)
        delay = self.policy.delay(self.attempt, error)
        if delay is None:
            raise error
        self.attempt += 1
        logger.info(
            "Retry %d of %d in %.2f s after code=%s status=%s: %s",
            self.attempt,
            self.policy.max_retries,
            delay,
            error.code or type(error).__name__,
            error.status_code,
            error.message,
        )
        return delay


def call_with_retries(call: Callable[[], T], policy: RetryPolicy) -> T:
    """Run ``call``, retrying transient ``KimiError`` failures."""
    attempts = _Attempts(policy)
    while True:
        try:
            return call()
        except KimiError as error:
            time.sleep(attempts.pause(error))


async def acall_with_retries(
    call: Callable[[], Awaitable[T]], policy: RetryPolicy
) -> T:
    """Async ``call_with_retries``; only the awaits differ."""
    attempts = _Attempts(policy)
    while True:
        try:
            return await call()
        except KimiError as error:
            await asyncio.sleep(attempts.pause(error))


def _nothing_delivered() -> IncompleteStreamError:
    return IncompleteStreamError(
        "The stream ended before its first chunk; nothing was delivered."
    )


def stream_with_retries(
    open_stream: Callable[[], Iterator[T]],
    policy: RetryPolicy,
    delivers: Callable[[T], bool],
) -> Iterator[T]:
    """Retry a stream until an item for which ``delivers`` is true is read.

    Items before it (metadata only) are held back and passed on with it; a
    stream that ends before such an item is cut with nothing delivered, and
    is retried too. The stream is closed when the caller stops early.
    """

    def first() -> tuple[Iterator[T], list[T]]:
        stream = open_stream()
        head: list[T] = []
        try:
            for item in stream:
                head.append(item)
                if delivers(item):
                    return stream, head
        except BaseException:
            close(stream)
            raise
        raise _nothing_delivered()

    stream, head = call_with_retries(first, policy)
    try:
        yield from head
        yield from stream
    finally:
        close(stream)


async def astream_with_retries(
    open_stream: Callable[[], AsyncGenerator[T, None]],
    policy: RetryPolicy,
    delivers: Callable[[T], bool],
) -> AsyncGenerator[T, None]:
    """Async ``stream_with_retries``; only the awaits differ."""

    async def first() -> tuple[AsyncGenerator[T, None], list[T]]:
        stream = open_stream()
        head: list[T] = []
        try:
            async for item in stream:
                head.append(item)
                if delivers(item):
                    return stream, head
        except BaseException:
            await aclose(stream)
            raise
        raise _nothing_delivered()

    stream, head = await acall_with_retries(first, policy)
    try:
        for item in head:
            yield item
        async for item in stream:
            yield item
    finally:
        await aclose(stream)
