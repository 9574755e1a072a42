"""``KimiRateLimiter``: one account's request and token budget, per process or
shared by every process through Redis.

Model Studio limits Kimi per Alibaba Cloud account (all keys and processes
together) and may enforce it per second, so the budget is spread: each limit
is a short window holding about a second's share (``pacing``) plus the
minute's total. Requests use ``limits``' moving window (exact, one entry per
request); tokens use its fixed-window counters, which can be settled after
the call with the usage the service reported. A 429 holds every process on
the key back for its ``Retry-After`` (or ``PAUSE``).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from langchain_core.rate_limiters import BaseRateLimiter

if TYPE_CHECKING:  # ``limits`` loads with the first limiter, not the package
    from limits import RateLimitItem
    from limits.storage import Storage

from langchain_kimi.rate_limits.store import (
    Store,
    check_redis_url,
    without_credentials,
)

#: Seconds new requests are held back after a 429 that named no Retry-After.
PAUSE = 1.0
#: Shortest and longest single sleep while waiting for the budget.
MIN_WAIT = 0.005
MAX_WAIT = 1.0


def pacing(per_minute: int) -> tuple[int, int]:
    """``(amount, seconds)``: the shortest window whose whole share of
    ``per_minute`` is at least one and loses under 5% to rounding down."""
    for seconds in range(1, 60):
        amount = per_minute * seconds // 60
        if amount >= 1 and amount * 60 >= 0.95 * per_minute * seconds:
            return amount, seconds
    return per_minute, 60


def windows(per_minute: int) -> tuple[RateLimitItem, ...]:
    """The short, paced window first (it refuses first), then the minute."""
    from limits import RateLimitItemPerMinute, RateLimitItemPerSecond

    amount, seconds = pacing(per_minute)
    paced = RateLimitItemPerSecond(amount, seconds, namespace="kimi")
    if seconds == 60:
        return (paced,)
    return (paced, RateLimitItemPerMinute(per_minute, namespace="kimi"))


class TokenCharge:
    """Tokens taken for one call, to be settled with what it really used."""

    def __init__(self, limiter: KimiRateLimiter, cost: int) -> None:
        self.limiter = limiter
        self.cost = cost
        self.at = time.time()

    def settle(self, used: int) -> None:
        """Charge what ``used`` adds, or give back what it left (0: all of it)."""
        self.limiter._store.run(
            lambda storage: self.limiter._settle(storage, self, used)
        )

    async def asettle(self, used: int) -> None:
        await asyncio.to_thread(self.settle, used)


class KimiRateLimiter(BaseRateLimiter):
    """Requests and tokens per minute for one Model Studio account.

    ``redis_url`` shares the budget with every process (and host) using the
    same ``key``; without it, limiters with one ``key`` in this process
    share it. Either limit may be left out. ``ChatKimi(rate_limiter=...)``
    charges each call's estimated input plus ``max_tokens`` before sending,
    settles with the reported usage after, and tells the limiter about 429s.
    """

    def __init__(
        self,
        requests_per_minute: int | None = None,
        tokens_per_minute: int | None = None,
        redis_url: str | None = None,
        key: str = "kimi",
    ) -> None:
        for name, value in (
            ("requests_per_minute", requests_per_minute),
            ("tokens_per_minute", tokens_per_minute),
        ):
            if value is not None and (isinstance(value, bool) or value < 1):
                raise ValueError(
                    f"KimiRateLimiter: {name} must be a positive whole number "
                    f"(got {value!r}); leave it out for no limit."
                )
        if requests_per_minute is None and tokens_per_minute is None:
            raise ValueError(
                "KimiRateLimiter: set requests_per_minute, tokens_per_minute or "
                "both (Kimi's published account limits are 500 and 1,000,000)."
            )
        if not key:
            raise ValueError("KimiRateLimiter: key must be a non-empty string.")
        if redis_url is not None:
            check_redis_url(redis_url)
        self.requests_per_minute = requests_per_minute
        self.tokens_per_minute = tokens_per_minute
        self.redis_url = redis_url
        self.key = key
        self._requests = (
            windows(int(requests_per_minute or 0)) if requests_per_minute else ()
        )
        self._tokens = windows(int(tokens_per_minute or 0)) if tokens_per_minute else ()
        self._store = Store(redis_url, key)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled and copied as its settings: the copy opens its own Redis
        connection and shares the same budget (the same key)."""
        return (
            type(self),
            (
                self.requests_per_minute,
                self.tokens_per_minute,
                self.redis_url,
                self.key,
            ),
        )

    def __repr__(self) -> str:
        where = without_credentials(self.redis_url) if self.redis_url else "process"
        return (
            f"KimiRateLimiter(requests_per_minute={self.requests_per_minute}, "
            f"tokens_per_minute={self.tokens_per_minute}, store={where!r}, "
            f"key={self.key!r})"
        )

    # -- requests (BaseRateLimiter) ----------------------------------------

    def acquire(self, *, blocking: bool = True) -> bool:
        """Take one request from the budget, waiting for room if ``blocking``."""
        while True:
            wait = self._store.run(self._take_request)
            if wait <= 0:
                return True
            if not blocking:
                return False
            time.sleep(wait)

    async def aacquire(self, *, blocking: bool = True) -> bool:
        """Async ``acquire``: the store's round trip runs in a thread."""
        while True:
            wait = await asyncio.to_thread(self._store.run, self._take_request)
            if wait <= 0:
                return True
            if not blocking:
                return False
            await asyncio.sleep(wait)

    # -- tokens (ChatKimi) -----------------------------------------------------

    def charge_tokens(self, cost: int, *, blocking: bool = True) -> TokenCharge | None:
        """Take ``cost`` tokens, waiting for room if ``blocking``; ``None``
        without a token limit or (not blocking) without room. A cost above a
        window's whole budget waits for that window to be empty, then goes
        alone."""
        if not self._tokens:
            return None
        while (wait := self._store.run(self._tokens_taker(cost))) > 0:
            if not blocking:
                return None
            time.sleep(wait)
        return TokenCharge(self, cost)

    async def acharge_tokens(
        self, cost: int, *, blocking: bool = True
    ) -> TokenCharge | None:
        """Async ``charge_tokens``."""
        if not self._tokens:
            return None
        taker = self._tokens_taker(cost)
        while (wait := await asyncio.to_thread(self._store.run, taker)) > 0:
            if not blocking:
                return None
            await asyncio.sleep(wait)
        return TokenCharge(self, cost)

    def used_this_minute(self) -> tuple[int, int]:
        """Requests and tokens the key's minute window holds now (0 for a
        limit left out): what every process sharing it has used."""

        def read(storage: Storage) -> tuple[int, int]:
            from limits.strategies import MovingWindowRateLimiter

            requests = tokens = 0
            if self._requests:
                item = self._requests[-1]
                stats = MovingWindowRateLimiter(storage).get_window_stats(
                    item, self.key, "requests"
                )
                requests = item.amount - stats.remaining
            if self._tokens:
                tokens = storage.get(self._tokens[-1].key_for(self.key, "tokens"))
            return requests, tokens

        return self._store.run(read)

    # -- 429s --------------------------------------------------------------

    def hold(self, seconds: float | None = None) -> None:
        """Hold new requests back on this key (every process) for ``seconds``
        (``PAUSE`` when the service named no ``Retry-After``)."""
        whole = max(1, math.ceil(PAUSE if seconds is None else seconds))

        def hold(storage: Storage) -> None:
            key = self._hold_key
            if storage.get(key) <= 0 or storage.get_expiry(key) < time.time() + whole:
                storage.clear(key)
                storage.incr(key, whole)

        self._store.run(hold)

    # -- the counters --------------------------------------------------------

    @property
    def _hold_key(self) -> str:
        return f"kimi/{self.key}/hold"

    def _take_request(self, storage: Storage) -> float:
        """0 when a request was taken, else the seconds to wait first."""
        from limits.strategies import MovingWindowRateLimiter

        now = time.time()
        if storage.get(self._hold_key) > 0:
            return _bounded(storage.get_expiry(self._hold_key) - now)
        moving = MovingWindowRateLimiter(storage)
        for item in self._requests:
            if not moving.test(item, self.key, "requests"):
                reset = moving.get_window_stats(item, self.key, "requests").reset_time
                return _bounded(reset - now)
        for item in self._requests:
            if not moving.hit(item, self.key, "requests"):
                return MIN_WAIT  # another process took the room since the test
        return 0.0

    def _tokens_taker(self, cost: int) -> Callable[[Storage], float]:
        def take(storage: Storage) -> float:
            from limits.strategies import FixedWindowRateLimiter

            now = time.time()
            fixed = FixedWindowRateLimiter(storage)
            for item in self._tokens:
                stats = fixed.get_window_stats(item, self.key, "tokens")
                if stats.remaining < min(cost, item.amount):
                    return _bounded(stats.reset_time - now)
            for item in self._tokens:
                storage.incr(item.key_for(self.key, "tokens"), item.get_expiry(), cost)
            return 0.0

        return take

    def _settle(self, storage: Storage, charge: TokenCharge, used: int) -> None:
        """Add what the call used beyond its charge; give back what it did not
        use, to the windows that still hold the charge."""
        extra = used - charge.cost
        now = time.time()
        for item in self._tokens:
            key = item.key_for(self.key, "tokens")
            expiry = item.get_expiry()
            if extra > 0:
                storage.incr(key, expiry, extra)
                continue
            same_window = storage.get_expiry(key) <= charge.at + expiry + 1
            if extra < 0 and now - charge.at < expiry - 1 and same_window:
                back = min(-extra, storage.get(key))
                if back > 0:
                    storage.incr(key, expiry, -back)


def _bounded(seconds: float) -> float:
    """A wait, jittered so processes do not all retry at once, never longer
    than ``MAX_WAIT`` (the budget is looked at again after it)."""
    return min(MAX_WAIT, max(MIN_WAIT, seconds)) + random.uniform(0, MIN_WAIT)  # noqa: S311
