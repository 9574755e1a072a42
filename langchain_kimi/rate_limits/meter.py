"""What ChatKimi does with a ``KimiRateLimiter`` beyond ``acquire``: each call's
tokens, and the 429s it meets.

langchain-core takes one request from any rate limiter before each call (and
ChatKimi's own stream path does the same); the token side needs the call:
``Meter`` charges the input estimate plus ``max_tokens`` before the request
and settles with the usage the service reported. A call that fails before
any reply gives its charge back; one cut after its reply began keeps it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.rate_limiters import BaseRateLimiter

from langchain_kimi.errors import KimiError, RateLimitError
from langchain_kimi.protocols.types import Usage
from langchain_kimi.rate_limits.limiter import KimiRateLimiter, TokenCharge
from langchain_kimi.request.tokens import estimate_messages


class Meter:
    """One call's tokens: ``take`` before sending, ``saw`` each reply part,
    ``done`` at the end however it ends. Without a token limit, a no-op."""

    def __init__(self, limiter: KimiRateLimiter | None = None, cost: int = 0) -> None:
        self._limiter = limiter
        self._cost = cost
        self._charge: TokenCharge | None = None
        self._used: int | None = None
        self._started = False

    def take(self) -> None:
        if self._limiter is not None:
            self._charge = self._limiter.charge_tokens(self._cost)

    async def atake(self) -> None:
        if self._limiter is not None:
            self._charge = await self._limiter.acharge_tokens(self._cost)

    def saw(self, usage: Usage | None, *, started: bool = True) -> None:
        """A reply (or a part of one) arrived; ``usage`` if it carried any."""
        self._started = self._started or started
        if usage:
            self._used = usage["total_tokens"] or (
                usage["input_tokens"] + usage["output_tokens"]
            )

    def _settlement(self) -> int | None:
        """Tokens to settle at: the usage seen; 0 (all back) when nothing came;
        ``None`` (keep the charge) for a reply cut without usage."""
        charge, self._charge = self._charge, None
        if charge is None:
            return None
        if self._used is not None:
            return self._used
        return None if self._started else 0

    def done(self) -> None:
        charge = self._charge
        used = self._settlement()
        if charge is not None and used is not None:
            charge.settle(used)

    async def adone(self) -> None:
        charge = self._charge
        used = self._settlement()
        if charge is not None and used is not None:
            await charge.asettle(used)


def meter_for(
    limiter: BaseRateLimiter | None,
    messages: Sequence[BaseMessage],
    params: Mapping[str, Any],
) -> Meter:
    """The call's meter: its input estimate plus ``max_tokens`` when set."""
    if not isinstance(limiter, KimiRateLimiter) or not limiter.tokens_per_minute:
        return Meter()
    cost = estimate_messages(messages, params.get("tools") or ())
    return Meter(limiter, cost + int(params.get("max_tokens") or 0))


class HoldOnRateLimit:
    """What a transport calls on each failed attempt: a rate limit holds every
    process sharing the limiter back for the ``Retry-After`` it named.
    A class, not a closure, so a transport holding it still pickles."""

    def __init__(self, limiter: KimiRateLimiter) -> None:
        self.limiter = limiter

    def __call__(self, error: KimiError) -> None:
        if isinstance(error, RateLimitError):
            self.limiter.hold(error.retry_after)


def on_error_for(limiter: BaseRateLimiter | None) -> HoldOnRateLimit | None:
    """The transport's ``on_error`` for ``limiter`` (only a ``KimiRateLimiter``
    is told about 429s)."""
    return HoldOnRateLimit(limiter) if isinstance(limiter, KimiRateLimiter) else None
