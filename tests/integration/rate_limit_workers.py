"""Worker processes for tests/integration/test_rate_limiter.py: started with
``spawn`` (nothing inherited), they take pickled jobs, each with the
``ChatKimi`` (and its ``KimiRateLimiter``) to call, and start together at a
wall-clock moment."""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

from langchain_kimi import ChatKimi, KimiRateLimiter, RateLimitError


class RecordingLimiter(KimiRateLimiter):
    """Notes when it let each request go (wall clock, the same in every
    process), to count the starts in any one second."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.starts: list[float] = []

    def _take_request(self, storage: Any) -> float:
        began = time.time()  # no later than the limiter's own clock reading
        wait = super()._take_request(storage)
        if wait <= 0:
            self.starts.append(began)
        return wait


def serve(jobs: Any, results: Any) -> None:
    while (job := jobs.get()) is not None:
        function, arguments = job
        results.put(function(*arguments))


def _wait_until(start_at: float) -> None:
    time.sleep(max(0.0, start_at - time.time()))


def warm_up(llms: list[ChatKimi]) -> int:
    """Load both SDKs before a timed job."""
    for llm in llms:
        llm.invoke("Hi")
    return 0


def calls(llm: ChatKimi, count: int, start_at: float) -> tuple[int, list[float]]:
    """Make ``count`` calls from ``start_at``: how many were refused with 429,
    and when each started (with a ``RecordingLimiter``)."""
    _wait_until(start_at)
    refused = 0
    for _ in range(count):
        try:
            llm.invoke("Hi")
        except RateLimitError:
            refused += 1
    return refused, getattr(llm.rate_limiter, "starts", [])


def timed_call(llm: ChatKimi, start_at: float) -> float:
    """Seconds one call takes from ``start_at``, waiting for the limiter included."""
    _wait_until(start_at)
    began = time.monotonic()
    llm.invoke("Hi")
    return time.monotonic() - began


class Workers:
    """``count`` spawned processes, one job queue each, one result queue."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.results = context.Queue()
        self.queues = [context.Queue() for _ in range(count)]
        self.processes = [
            context.Process(target=serve, args=(queue, self.results), daemon=True)
            for queue in self.queues
        ]
        for process in self.processes:
            process.start()

    def run(
        self,
        jobs: list[tuple[Any, tuple[Any, ...]]],
        here: tuple[Any, tuple[Any, ...]] | None = None,
        timeout: float = 60,
    ) -> list[Any]:
        """One job per worker, and ``here`` in this process meanwhile; their
        results (``here``'s first, then the workers' as they finish)."""
        for queue, job in zip(self.queues, jobs, strict=False):
            queue.put(job)
        mine = [here[0](*here[1])] if here else []
        return mine + [self.results.get(timeout=timeout) for _ in jobs]

    def close(self) -> None:
        for process in self.processes:
            process.terminate()
            process.join(timeout=5)
