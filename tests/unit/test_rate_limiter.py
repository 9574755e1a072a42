"""KimiRateLimiter's pure parts, in this process (no Redis)."""

from __future__ import annotations

import asyncio
import copy
import pickle
import time
import uuid

import pytest
from langchain_core.rate_limiters import BaseRateLimiter

from langchain_kimi import KimiRateLimiter
from langchain_kimi.errors import RateLimitError, ServerError
from langchain_kimi.rate_limits.limiter import pacing
from langchain_kimi.rate_limits.meter import HoldOnRateLimit, Meter
from langchain_kimi.rate_limits.store import without_credentials


def _limiter(**kwargs: int) -> KimiRateLimiter:
    return KimiRateLimiter(**kwargs, key=f"unit:{uuid.uuid4().hex}")


@pytest.mark.parametrize(
    ("per_minute", "expected"),
    [
        (600, (10, 1)),  # the bench's budget: 10 a second
        (500, (8, 1)),  # Kimi's published limit: about 8 a second
        (1_000_000, (16_666, 1)),  # Kimi's tokens: about 16,700 a second
        (90, (3, 2)),  # 1.5 a second: 3 every 2 seconds, not 1 a second
        (1, (1, 60)),
    ],
)
def test_each_limit_is_paced_as_its_share_of_a_short_window(
    per_minute: int, expected: tuple[int, int]
) -> None:
    assert pacing(per_minute) == expected


def test_it_is_a_langchain_rate_limiter() -> None:
    assert isinstance(_limiter(requests_per_minute=60), BaseRateLimiter)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({}, "set requests_per_minute, tokens_per_minute or both"),
        ({"requests_per_minute": 0}, "requests_per_minute must be a positive"),
        ({"tokens_per_minute": -5}, "tokens_per_minute must be a positive"),
        (
            {"requests_per_minute": 60, "redis_url": "http://u:pw@host:6379"},
            "redis_url must start with redis://",
        ),
    ],
)
def test_bad_settings_raise_value_error_saying_what_to_do(
    kwargs: dict[str, object], words: str
) -> None:
    with pytest.raises(ValueError, match=words) as caught:
        KimiRateLimiter(**kwargs)  # type: ignore[arg-type]
    assert "pw" not in str(caught.value)


def test_non_blocking_acquire_says_false_once_the_seconds_share_is_taken() -> None:
    limiter = _limiter(requests_per_minute=120)  # 2 a second
    assert [limiter.acquire(blocking=False) for _ in range(3)] == [True, True, False]


def test_async_acquire_waits_for_the_next_second() -> None:
    limiter = _limiter(requests_per_minute=120)

    async def main() -> float:
        began = time.monotonic()
        await asyncio.gather(*(limiter.aacquire() for _ in range(3)))
        return time.monotonic() - began

    assert asyncio.run(main()) >= 0.9


def test_a_call_larger_than_the_whole_budget_goes_alone_on_an_empty_budget() -> None:
    limiter = _limiter(tokens_per_minute=60)
    began = time.monotonic()
    assert limiter.charge_tokens(500) is not None  # no deadlock
    assert time.monotonic() - began < 0.5
    assert limiter.charge_tokens(1, blocking=False) is None  # it went alone


def test_limiters_with_one_key_share_this_processs_budget() -> None:
    key = f"unit:{uuid.uuid4().hex}"
    assert KimiRateLimiter(requests_per_minute=60, key=key).acquire(blocking=False)
    assert not KimiRateLimiter(requests_per_minute=60, key=key).acquire(blocking=False)


def test_copies_and_pickles_keep_the_settings_and_the_budget() -> None:
    limiter = _limiter(requests_per_minute=120, tokens_per_minute=1000)
    for clone in (copy.deepcopy(limiter), pickle.loads(pickle.dumps(limiter))):
        assert clone is not limiter
        assert repr(clone) == repr(limiter)
    assert copy.deepcopy(limiter).acquire(blocking=False)
    assert limiter.used_this_minute() == (1, 0)


def test_the_repr_names_no_password() -> None:
    limiter = KimiRateLimiter(
        requests_per_minute=60, redis_url="redis://user:hunter2@cache:6380/1"
    )
    assert "hunter2" not in repr(limiter)
    assert "redis://cache:6380/1" in repr(limiter)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:pw@localhost:6379/0", "redis://localhost:6379/0"),
        ("rediss://user:pw@cache.example", "rediss://cache.example"),
        ("redis://localhost", "redis://localhost"),
    ],
)
def test_urls_lose_their_credentials_when_shown(url: str, shown: str) -> None:
    assert without_credentials(url) == shown


def test_a_rate_limit_error_holds_new_requests_back() -> None:
    limiter = _limiter(requests_per_minute=6000)
    HoldOnRateLimit(limiter)(RateLimitError("Requests rate limit exceeded"))
    assert not limiter.acquire(blocking=False)


def test_other_errors_hold_nothing_back() -> None:
    limiter = _limiter(requests_per_minute=6000)
    HoldOnRateLimit(limiter)(ServerError("Internal error"))
    assert limiter.acquire(blocking=False)


def _usage(total: int) -> dict[str, int]:
    return {
        "input_tokens": total // 2,
        "output_tokens": total - total // 2,
        "total_tokens": total,
    }


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("usage", 70),  # settled with what the service reported
        ("nothing", 0),  # failed before any reply: the charge goes back
        ("cut", 500),  # cut after it began, without usage: the charge stays
    ],
)
def test_a_meter_settles_with_usage_gives_back_or_keeps_its_charge(
    reply: str, expected: int
) -> None:
    limiter = _limiter(tokens_per_minute=100_000)
    meter = Meter(limiter, 500)
    meter.take()
    assert limiter.used_this_minute() == (0, 500)
    if reply == "usage":
        meter.saw(_usage(70))  # type: ignore[arg-type]
    elif reply == "cut":
        meter.saw(None)
    meter.done()
    assert limiter.used_this_minute() == (0, expected)


def test_importing_the_package_loads_neither_limits_nor_redis() -> None:
    """``limits`` (and ``redis``) load with the first limiter, keeping
    ``import langchain_kimi`` as fast as it was before the limiter."""
    import subprocess
    import sys

    code = (
        "import sys, langchain_kimi; "
        "from langchain_kimi import KimiRateLimiter; "
        "assert not {'limits', 'redis'} & set(sys.modules), 'loaded eagerly'; "
        "KimiRateLimiter(requests_per_minute=60).acquire(blocking=False); "
        "assert 'limits' in sys.modules and 'redis' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
