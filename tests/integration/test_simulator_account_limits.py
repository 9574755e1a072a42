"""The simulator's per-account rate limits (``Behaviour(account_rate_limit=True)``):
429s with the published messages, in each endpoint's spelling."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from langchain_kimi import ChatKimi, RateLimitError
from langchain_kimi.testing import Behaviour, KimiSimulator
from langchain_kimi.testing.account_limits import AccountLimits, AccountMeter

CODES = {
    "openai": ("limit_burst_rate", "limit_requests"),
    "dashscope": ("Throttling.BurstRate", "Throttling.AllocationQuota"),
}


def _enforce(simulator: KimiSimulator, limits: AccountLimits) -> None:
    simulator.behaviour = Behaviour(account_rate_limit=True)
    simulator.account = AccountMeter(limits)


def test_off_by_default(llm: ChatKimi, kimi_simulator: KimiSimulator) -> None:
    kimi_simulator.account = AccountMeter(AccountLimits(requests_per_minute=1))
    llm.invoke("Hi")
    llm.invoke("Hi")
    assert kimi_simulator.account.refused == 0


def test_a_burst_over_a_seconds_share_is_refused_as_too_quick(
    llm: ChatKimi, kimi_simulator: KimiSimulator, transport: str
) -> None:
    _enforce(kimi_simulator, AccountLimits(requests_per_minute=60))  # 1 a second
    llm.invoke("Hi")
    with pytest.raises(RateLimitError, match="Request rate increased too quickly") as e:
        llm.invoke("Hi")
    assert e.value.status_code == 429
    assert e.value.code == CODES[transport][0]
    assert kimi_simulator.account.refused == 1


def test_the_minutes_tokens_spent_refuse_as_allocated_quota_exceeded(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, transport: str
) -> None:
    _enforce(kimi_simulator, AccountLimits(6000, tokens_per_minute=5))
    llm = make_llm()
    llm.invoke("Hi, a message of more than five tokens")
    with pytest.raises(RateLimitError, match="Allocated quota exceeded") as e:
        llm.invoke("Hi")
    assert e.value.code == CODES[transport][1]


def test_the_minutes_requests_spent_refuse_as_requests_rate_limit_exceeded(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    _enforce(kimi_simulator, AccountLimits(requests_per_minute=1))
    llm.invoke("Hi")
    with pytest.raises(RateLimitError, match="Requests rate limit exceeded"):
        llm.invoke("Hi")
