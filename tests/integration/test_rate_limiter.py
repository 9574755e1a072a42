"""KimiRateLimiter against a real redis-server and the simulator: one account's
budget spread over each second and shared by every process on one key.

Rates are high and windows short (a second or two), so the set stays fast;
the processes are spawned once per module and take pickled ``ChatKimi``
objects as jobs.
"""

from __future__ import annotations

import asyncio
import copy
import pickle
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import redis
from langchain_core.messages import HumanMessage

from langchain_kimi import ChatKimi, KimiRateLimiter, RateLimitError, ServerError
from langchain_kimi.rate_limits import store
from langchain_kimi.testing import Behaviour, KimiSimulator, Reply
from langchain_kimi.testing.account_limits import AccountLimits, AccountMeter
from langchain_kimi.testing.redis_server import RedisServer, available
from tests.integration import rate_limit_workers
from tests.integration.rate_limit_workers import RecordingLimiter, Workers

pytestmark = pytest.mark.skipif(
    not available(),
    reason="redis-server is not installed (Debian: apt-get install redis-server)",
)

PATHS = ["invoke", "ainvoke", "stream", "astream"]
USAGE = {"input_tokens": 100, "output_tokens": 150}


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture(scope="module")
def workers(_kimi_simulator_session: KimiSimulator) -> Iterator[Workers]:
    """Two spawned processes (with this one, three), warmed up (imports, the
    SDK) before any test."""
    pool = Workers(2)
    sim = _kimi_simulator_session
    warm = [ChatKimi(api_key=sim.api_key, base_url=sim.openai_base_url)]
    pool.run([(rate_limit_workers.warm_up, (warm,))] * 2)
    yield pool
    pool.close()


@pytest.fixture
def arrivals(kimi_simulator: KimiSimulator) -> list[float]:
    """When each request reached the simulator (its clock), answered with USAGE."""
    times: list[float] = []

    def respond(record: Any) -> Reply:
        times.append(time.monotonic())
        return Reply(content="ok", usage=USAGE)

    kimi_simulator.responder = respond
    return times


def _key() -> str:
    return f"test:{uuid.uuid4().hex}"


def most_in_one_second(times: list[float]) -> int:
    ordered = sorted(times)
    return max(
        sum(1 for t in ordered[i:] if t < start + 1.0)
        for i, start in enumerate(ordered)
    )


def _call(llm: ChatKimi, path: str) -> None:
    if path == "invoke":
        llm.invoke("Hi")
    elif path == "stream":
        list(llm.stream("Hi"))
    else:

        async def main() -> None:
            if path == "ainvoke":
                await llm.ainvoke("Hi")
            else:
                async for _ in llm.astream("Hi"):
                    pass

        asyncio.run(main())


def _enforce(simulator: KimiSimulator, requests_per_minute: int) -> None:
    simulator.behaviour = Behaviour(account_rate_limit=True)
    simulator.account = AccountMeter(AccountLimits(requests_per_minute, 10**9))


@pytest.mark.parametrize("path", PATHS)
def test_each_call_path_takes_one_request_and_settles_its_tokens(
    make_llm: Callable[..., ChatKimi], arrivals: list[float], path: str
) -> None:
    limiter = KimiRateLimiter(
        requests_per_minute=120, tokens_per_minute=100_000, key=_key()
    )
    _call(make_llm(rate_limiter=limiter), path)
    assert len(arrivals) == 1
    assert limiter.used_this_minute() == (1, sum(USAGE.values()))


@pytest.mark.parametrize(
    ("transport", "caller"), [("openai", "threads"), ("dashscope", "async")]
)
def test_requests_are_spread_over_seconds_within_one_process(
    make_llm: Callable[..., ChatKimi],
    redis_server: RedisServer,
    arrivals: list[float],
    caller: str,
) -> None:
    """1,200 a minute is 20 a second: 30 calls at once take two seconds' share."""
    limiter = RecordingLimiter(
        requests_per_minute=1200, redis_url=redis_server.url, key=_key()
    )
    llm = make_llm(rate_limiter=limiter)
    if caller == "threads":
        with ThreadPoolExecutor(10) as pool:
            list(pool.map(lambda _: llm.invoke("Hi"), range(30)))
    else:

        async def main() -> None:
            await asyncio.gather(*(llm.ainvoke("Hi") for _ in range(30)))

        asyncio.run(main())
    assert len(arrivals) == len(limiter.starts) == 30
    assert max(limiter.starts) - min(limiter.starts) >= 1.0
    assert most_in_one_second(limiter.starts) <= 21  # 20, and the recording's delay


def _sim_llm(sim: KimiSimulator, limiter: KimiRateLimiter | None) -> ChatKimi:
    return ChatKimi(
        api_key=sim.api_key,
        base_url=sim.openai_base_url,
        max_retries=0,
        rate_limiter=limiter,
    )


def test_processes_sharing_a_key_share_one_budget_where_separate_ones_would_not(
    kimi_simulator: KimiSimulator,
    redis_server: RedisServer,
    workers: Workers,
    arrivals: list[float],
) -> None:
    """Three processes, 600 a minute: together 10 starts a second and no 429
    from a simulator enforcing that; with a limiter each, three times that."""

    def jobs(limiters: list[RecordingLimiter]) -> list[tuple[int, list[float]]]:
        start = time.time() + 0.2
        each = [
            (rate_limit_workers.calls, (_sim_llm(kimi_simulator, limiter), 6, start))
            for limiter in limiters
        ]
        return workers.run(each[1:], here=each[0])

    def limiter(key: str) -> RecordingLimiter:
        return RecordingLimiter(
            requests_per_minute=600, redis_url=redis_server.url, key=key
        )

    _enforce(kimi_simulator, 600)
    shared = jobs([limiter(key := _key()), limiter(key), limiter(key)])
    assert [refused for refused, _ in shared] == [0, 0, 0]
    starts = [t for _, times in shared for t in times]
    assert len(starts) == 18
    assert most_in_one_second(starts) <= 11  # 10, and the recording's delay
    assert max(starts) - min(starts) >= 1.0  # 18 calls: 10, then 8

    _enforce(kimi_simulator, 600)  # a new simulated minute
    separate = jobs([limiter(_key()), limiter(_key()), limiter(_key())])
    assert most_in_one_second([t for _, times in separate for t in times]) > 15
    assert sum(refused for refused, _ in separate) > 0
    assert kimi_simulator.account.refused > 0


def test_tokens_are_counted_across_processes_from_reported_usage(
    kimi_simulator: KimiSimulator,
    redis_server: RedisServer,
    workers: Workers,
    arrivals: list[float],
) -> None:
    limiter = KimiRateLimiter(
        tokens_per_minute=1_000_000, redis_url=redis_server.url, key=_key()
    )
    llm = _sim_llm(kimi_simulator, limiter).model_copy(update={"max_tokens": 4000})
    job = (rate_limit_workers.calls, (llm, 2, 0.0))
    workers.run([job, job], here=job)
    assert len(arrivals) == 6
    assert limiter.used_this_minute() == (0, 6 * sum(USAGE.values()))


def test_a_call_is_charged_its_input_estimate_and_max_tokens_until_it_settles(
    kimi_simulator: KimiSimulator, redis_server: RedisServer
) -> None:
    limiter = KimiRateLimiter(
        tokens_per_minute=1_000_000, redis_url=redis_server.url, key=_key()
    )
    in_flight: list[int] = []

    def respond(record: Any) -> Reply:
        in_flight.append(limiter.used_this_minute()[1])
        return Reply(content="ok", usage=USAGE)

    kimi_simulator.responder = respond
    llm = _sim_llm(kimi_simulator, limiter).model_copy(update={"max_tokens": 4000})
    llm.invoke("Hi")
    estimate = llm.get_num_tokens_from_messages([HumanMessage("Hi")])
    assert in_flight == [estimate + 4000]
    assert limiter.used_this_minute()[1] == sum(USAGE.values())


def test_a_call_failing_before_any_usage_gives_its_tokens_back(
    kimi_simulator: KimiSimulator, redis_server: RedisServer
) -> None:
    limiter = KimiRateLimiter(
        tokens_per_minute=1_000_000, redis_url=redis_server.url, key=_key()
    )
    kimi_simulator.fail(500, "InternalError")
    with pytest.raises(ServerError):
        _sim_llm(kimi_simulator, limiter).invoke("Hi")
    assert limiter.used_this_minute() == (0, 0)


def test_a_429_holds_back_every_process_on_the_key(
    kimi_simulator: KimiSimulator,
    redis_server: RedisServer,
    workers: Workers,
    arrivals: list[float],
) -> None:
    limiter = KimiRateLimiter(
        requests_per_minute=6000, redis_url=redis_server.url, key=_key()
    )
    llm = _sim_llm(kimi_simulator, limiter)
    kimi_simulator.fail(
        429, "Throttling.RateQuota", "Requests rate limit exceeded", retry_after=1
    )
    with pytest.raises(RateLimitError):
        llm.invoke("Hi")
    (waited,) = workers.run([(rate_limit_workers.timed_call, (llm, 0.0))])
    assert waited >= 0.7  # the rest of the 1 s Retry-After
    assert len(arrivals) == 1


def test_calls_go_on_with_one_warning_while_redis_is_down_and_share_again_after(
    kimi_simulator: KimiSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "RECHECK", 0.2)
    key = _key()
    with RedisServer(password="s3cret-pw") as server:
        limiter = KimiRateLimiter(
            requests_per_minute=6000, redis_url=server.url, key=key
        )
        llm = _sim_llm(kimi_simulator, limiter)
        llm.invoke("Hi")
        server.stop()
        began = time.monotonic()
        with pytest.warns(RuntimeWarning) as warned:
            llm.invoke("Hi")
        llm.invoke("Hi")  # no second warning: pytest would fail on it
        assert time.monotonic() - began < 2.0
        # Only RuntimeWarnings count: the garbage collector may report an
        # unrelated socket (a ResourceWarning) inside the block.
        runtime = [w for w in warned if issubclass(w.category, RuntimeWarning)]
        assert len(runtime) == 1, [
            f"{w.category.__name__}: {w.message}" for w in warned
        ]
        text = str(runtime[0].message)
        assert "Redis" in text and f"127.0.0.1:{server.port}" in text
        assert "s3cret-pw" not in text
        server.start()
        time.sleep(0.25)
        llm.invoke("Hi")
        assert limiter.used_this_minute()[0] == 1  # the new server's count
        with redis.Redis.from_url(server.url) as client:
            assert client.keys("*requests*")


def test_a_model_with_the_limiter_pickles_and_copies_sharing_its_budget(
    kimi_simulator: KimiSimulator, redis_server: RedisServer
) -> None:
    limiter = KimiRateLimiter(
        requests_per_minute=120, redis_url=redis_server.url, key=_key()
    )
    llm = _sim_llm(kimi_simulator, limiter)
    unpickled = pickle.loads(pickle.dumps(llm))
    deep = copy.deepcopy(llm)
    assert unpickled.rate_limiter is not limiter
    assert unpickled.rate_limiter.acquire(blocking=False)
    assert deep.rate_limiter.acquire(blocking=False)
    assert not limiter.acquire(blocking=False)  # 2 a second, both taken
