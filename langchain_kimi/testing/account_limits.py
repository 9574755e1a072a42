"""The simulator's per-account rate limits, as its own data.

Model Studio's rate-limit page: every Kimi model in Beijing allows 500
requests and 1,000,000 tokens (input plus output) a minute per Alibaba Cloud
main account, shared by all its keys, and may enforce it per second (about
8 requests and 16,700 tokens a second). One simulator is one account. With
``Behaviour(account_rate_limit=True)`` it refuses, with 429 and the published
messages, a request that would pass the minute's requests, the minute's
tokens (counted from the usage it reports), or a second's share of the
requests with ``BURST`` to spare: a real per-second limit must tolerate the
jitter between a client's clock and the server's.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass

#: How far over a second's share (requests_per_minute / 60) one second may go.
BURST = 1.5


@dataclass(frozen=True)
class Refusal:
    """A published 429: its code on each endpoint and its message."""

    native: str
    compatible: str
    message: str


REQUESTS = Refusal(
    "Throttling.RateQuota",
    "limit_requests",
    "Requests rate limit exceeded, please try again later.",
)
BURST_RATE = Refusal(
    "Throttling.BurstRate",
    "limit_burst_rate",
    "Request rate increased too quickly, please slow down and try again later.",
)
TOKENS = Refusal(
    "Throttling.AllocationQuota",
    "limit_requests",
    "Allocated quota exceeded, please increase your quota limit.",
)


@dataclass(frozen=True)
class AccountLimits:
    """The account's limits; the published ones by default."""

    requests_per_minute: int = 500
    tokens_per_minute: int = 1_000_000


class AccountMeter:
    """Requests and tokens the account used in the last minute."""

    def __init__(self, limits: AccountLimits) -> None:
        self.limits = limits
        self.refused = 0
        #: When each request was admitted or refused (``time.time()``), for
        #: plots of a whole run.
        self.admitted_at: list[float] = []
        self.refused_at: list[float] = []
        self._lock = threading.Lock()
        self._starts: deque[float] = deque()
        self._tokens: deque[tuple[float, int]] = deque()

    def admit(self) -> Refusal | None:
        """Count a request in, or the refusal it gets (a refused one is not
        counted: the service did not serve it)."""
        now = time.monotonic()
        with self._lock:
            while self._starts and self._starts[0] <= now - 60:
                self._starts.popleft()
            while self._tokens and self._tokens[0][0] <= now - 60:
                self._tokens.popleft()
            per_second = math.floor(self.limits.requests_per_minute / 60 * BURST)
            last_second = sum(1 for start in self._starts if start > now - 1)
            refusal = None
            if len(self._starts) >= self.limits.requests_per_minute:
                refusal = REQUESTS
            elif last_second >= max(1, per_second):
                refusal = BURST_RATE
            elif sum(n for _, n in self._tokens) >= self.limits.tokens_per_minute:
                refusal = TOKENS
            if refusal is None:
                self._starts.append(now)
                self.admitted_at.append(time.time())
            else:
                self.refused += 1
                self.refused_at.append(time.time())
            return refusal

    def used(self, tokens: int) -> None:
        """A served request's input and output tokens, as reported."""
        with self._lock:
            self._tokens.append((time.monotonic(), tokens))
