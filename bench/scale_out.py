"""Scale-out: several processes calling one account, with and without a shared
``KimiRateLimiter``.

    python bench/scale_out.py                  # 8 processes x 25 calls, 600/min
    python bench/scale_out.py --processes 2 --calls 3   # a smoke run

The simulator (in this process) enforces a per-account limit of
``--rpm`` requests a minute (``Behaviour(account_rate_limit=True)``: the
minute's total and a second's share with a burst allowance). The same
processes run three ways: one ``KimiRateLimiter`` shared through a real
``redis-server``, langchain-core's ``InMemoryRateLimiter`` in each process
with the budget split evenly, and no limiter. Each reports the achieved
rate (requests the simulator served per minute, from its first to its
last), the most requests it saw in any one second, and the 429s it
answered (calls retry twice, as ChatKimi does by default). Writes
``scale_out.json`` and ``scale_out.png`` (requests per second over time)
into ``--out-dir``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
import uuid
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage
from langchain_core.rate_limiters import BaseRateLimiter, InMemoryRateLimiter

from langchain_kimi import ChatKimi, KimiError, KimiRateLimiter
from langchain_kimi.testing import Behaviour, KimiSimulator, Reply
from langchain_kimi.testing.account_limits import AccountLimits
from langchain_kimi.testing.redis_server import RedisServer
from langchain_kimi.testing.simulator import DEFAULT_API_KEY as API_KEY

HERE = Path(__file__).resolve().parent
MODES = ("shared KimiRateLimiter (Redis)", "InMemoryRateLimiter per process", "none")
REPLY_DELAY = 0.05  # the service's time to answer, roughly


def worker(
    base_url: str,
    mode: str,
    rpm: int,
    processes: int,
    key: str,
    redis_url: str,
    calls: int,
    ready: Any,
    results: Any,
) -> None:
    """Spawned: build the model, wait for every process, make ``calls`` calls,
    report how many failed. (``InMemoryRateLimiter`` holds a lock and cannot
    travel to a spawned process, so each mode's limiter is built here.)"""
    llm = ChatKimi(
        api_key=API_KEY,
        base_url=base_url,
        rate_limiter=limiter_for(mode, rpm, processes, redis_url, key),
    )
    warm_up(llm)
    ready.wait()
    failed = 0
    for _ in range(calls):
        try:
            llm.invoke("Hi")
        except KimiError:
            failed += 1
    results.put(failed)


def warm_up(llm: ChatKimi) -> None:
    """One call on the model's own client (``_generate``: past the rate
    limiter), and a look at Redis, before the clock starts: a client's first
    request is slow, and one taken from the budget early arrives bunched with
    the next second's. The simulator does not count it (see ``run_mode``)."""
    llm._generate([HumanMessage("warm up")])
    if isinstance(llm.rate_limiter, KimiRateLimiter):
        llm.rate_limiter.used_this_minute()


def limiter_for(
    mode: str, rpm: int, processes: int, redis_url: str, key: str
) -> BaseRateLimiter | None:
    if mode == MODES[0]:
        return KimiRateLimiter(requests_per_minute=rpm, redis_url=redis_url, key=key)
    if mode == MODES[1]:
        return InMemoryRateLimiter(
            requests_per_second=rpm / 60 / processes,
            check_every_n_seconds=0.01,
            max_bucket_size=1,
        )
    return None


def most_in_one_second(times: list[float]) -> int:
    ordered = sorted(times)
    best, low = 0, 0
    for high, moment in enumerate(ordered):
        while ordered[low] <= moment - 1.0:
            low += 1
        best = max(best, high - low + 1)
    return best


def run_mode(
    mode: str,
    sim: KimiSimulator,
    redis_url: str,
    args: argparse.Namespace,
) -> dict[str, Any]:
    sim.behaviour = Behaviour()  # the workers' warm-up calls are not counted
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(args.processes + 1)
    results = context.Queue()
    settings = (mode, args.rpm, args.processes, f"bench:{uuid.uuid4().hex}")
    processes = [
        context.Process(
            target=worker,
            args=(
                sim.openai_base_url,
                *settings,
                redis_url,
                args.calls,
                ready,
                results,
            ),
        )
        for _ in range(args.processes)
    ]
    for process in processes:
        process.start()
    ready.wait(timeout=600)  # every process is up: the run starts now
    sim.reset()  # the account limit on, the count from zero
    began = time.time()
    failed = sum(results.get(timeout=600) for _ in processes)
    ended = time.time()
    for process in processes:
        process.join()
    account = sim.account
    admitted = [t - began for t in account.admitted_at]
    refused = [t - began for t in account.refused_at]
    completed = args.processes * args.calls - failed
    span = max(admitted) - min(admitted) if len(admitted) > 1 else 0.0
    return {
        "calls": args.processes * args.calls,
        "completed": completed,
        "failed": failed,
        "seconds": round(ended - began, 2),
        # requests the service served per minute, first to last
        "achieved_per_minute": round((len(admitted) - 1) / span * 60, 1)
        if span
        else None,
        "most_requests_in_one_second": most_in_one_second(admitted + refused),
        "http_429": account.refused,
        "admitted_at": [round(t, 3) for t in admitted],
        "refused_at": [round(t, 3) for t in refused],
    }


def plot(results: dict[str, Any], rpm: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(9, 4.5))
    colours = dict(zip(MODES, ("tab:blue", "tab:orange", "tab:red"), strict=True))
    widths = dict(zip(MODES, (2.5, 1.2, 1.2), strict=True))
    layers = dict(zip(MODES, (4, 3, 2), strict=True))
    for mode, run in results["modes"].items():
        times = run["admitted_at"] + run["refused_at"]
        if not times:
            continue
        seconds = int(max(times)) + 1
        counts = [0] * seconds
        for moment in times:
            counts[int(moment)] += 1
        label = f"{mode}: {run['http_429']} x 429"
        axes.step(
            range(seconds),
            counts,
            where="post",
            label=label,
            color=colours[mode],
            linewidth=widths[mode],
            zorder=layers[mode],
        )
    axes.axhline(
        rpm / 60, color="grey", linestyle=":", label=f"budget: {rpm}/min", zorder=5
    )
    axes.set_xlabel("seconds since start")
    axes.set_ylabel("requests per second (at the service)")
    axes.set_title(
        f"{results['settings']['processes']} processes x "
        f"{results['settings']['calls']} calls, one account limited to {rpm}/min"
    )
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--calls", type=int, default=25)
    parser.add_argument("--rpm", type=int, default=600)
    parser.add_argument("--out-dir", type=Path, default=HERE / "results")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    sim = KimiSimulator(
        behaviour=Behaviour(account_rate_limit=True),
        account_limits=AccountLimits(requests_per_minute=args.rpm),
        responder=lambda record: Reply(content="ok", delay=REPLY_DELAY),
    )
    results: dict[str, Any] = {
        "settings": {"processes": args.processes, "calls": args.calls, "rpm": args.rpm},
        "modes": {},
    }
    with sim, RedisServer() as redis:
        for mode in MODES:
            results["modes"][mode] = run_mode(mode, sim, redis.url, args)
    for mode, run in results["modes"].items():
        print(
            f"{mode:34} {run['achieved_per_minute']:7.1f}/min  "
            f"most in 1 s: {run['most_requests_in_one_second']:3}  "
            f"429s: {run['http_429']:4}  failed calls: {run['failed']}  "
            f"({run['seconds']} s)"
        )
    (args.out_dir / "scale_out.json").write_text(json.dumps(results, indent=1) + "\n")
    plot(results, args.rpm, args.out_dir / "scale_out.png")


if __name__ == "__main__":
    main()
