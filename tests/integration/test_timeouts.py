"""``timeout``: a deadline for a whole reply; for a stream, the longest wait for
the first event and between events (heartbeat comments are not events).

The bounds asserted are loose (several times ``timeout``): they tell a
deadline from a per-read limit, which would take the trickle's whole length.
"""

import asyncio
import time
from collections.abc import Callable

import pytest

from langchain_kimi import APITimeoutError, ChatKimi
from langchain_kimi.testing import Fault, KimiSimulator, Reply
from tests.integration.calls import MODES, STREAMS, WHOLE, call

TIMEOUT = 0.5


@pytest.mark.parametrize("mode", WHOLE)
def test_a_trickled_whole_reply_ends_near_the_deadline(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    reply = Reply(content="word " * 400)  # ~2.4 KB: 48 s at one byte per 20 ms
    kimi_simulator.queue(Fault(kind="trickle", byte_delay=0.02, reply=reply))
    start = time.monotonic()
    with pytest.raises(APITimeoutError):
        call(make_llm(timeout=TIMEOUT), mode)
    assert time.monotonic() - start < 4 * TIMEOUT + 1
    assert len(kimi_simulator.requests) == 1


@pytest.mark.parametrize("mode", STREAMS)
def test_a_trickled_stream_whose_events_come_too_slowly_times_out(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    kimi_simulator.queue(Fault(kind="trickle", byte_delay=0.02))  # ~4 s an event
    start = time.monotonic()
    with pytest.raises(APITimeoutError):
        call(make_llm(timeout=TIMEOUT), mode)
    assert time.monotonic() - start < 4 * TIMEOUT + 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("heartbeat", [None, 0.1], ids=["silent", "heartbeats"])
def test_a_stalled_reply_times_out_on_both_transports(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    mode: str,
    heartbeat: float | None,
) -> None:
    kimi_simulator.queue(
        Fault(kind="stall", after_events=2, stall=30, heartbeat=heartbeat)
    )
    start = time.monotonic()
    with pytest.raises(APITimeoutError):
        call(make_llm(timeout=TIMEOUT), mode)
    assert time.monotonic() - start < 4 * TIMEOUT + 1
    assert len(kimi_simulator.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_slow_first_byte_or_event_times_out(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    """A whole reply's deadline, and a stream's wait for its first event."""
    kimi_simulator.queue(Reply(content="late", delay=30))
    with pytest.raises(APITimeoutError):
        call(make_llm(timeout=TIMEOUT), mode)


@pytest.mark.parametrize("mode", STREAMS)
def test_heartbeats_in_a_pause_shorter_than_timeout_are_skipped(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    reply = Reply(content=["One ", "two ", "three."])
    kimi_simulator.queue(
        Fault(kind="stall", after_events=2, stall=0.3, heartbeat=0.05, reply=reply)
    )
    assert call(make_llm(timeout=5), mode).content == "One two three."


@pytest.mark.parametrize("mode", MODES)
def test_a_timeout_is_retried_like_a_dropped_connection(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    kimi_simulator.queue(
        Fault(kind="stall", after_events=0, stall=30), Reply(content="In time.")
    )
    assert call(make_llm(timeout=TIMEOUT, max_retries=1), mode).content == "In time."
    assert len(kimi_simulator.requests) == 2


def _read_pausing(llm: ChatKimi, mode: str, pause: float) -> str:
    """A stream's text, the caller pausing ``pause`` s after its first chunk
    (as a slow ``on_llm_new_token`` handler or a user reading along would)."""
    parts: list[str] = []
    if mode == "stream":
        for chunk in llm.stream("hi"):
            if not parts:
                time.sleep(pause)
            parts.append(str(chunk.content))
        return "".join(parts)

    async def read() -> None:
        async for chunk in llm.astream("hi"):
            if not parts:
                await asyncio.sleep(pause)
            parts.append(str(chunk.content))

    asyncio.run(read())
    return "".join(parts)


WORDS = [f"w{n} " for n in range(200)]


@pytest.mark.parametrize("mode", STREAMS)
@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="stall", stall=0, reply=Reply(content=WORDS)),  # all at once
        # The service pauses too, but its silence ends 0.2 s after the caller's:
        Fault(kind="stall", after_events=2, stall=1.2, reply=Reply(content=WORDS)),
    ],
    ids=["sent-at-once", "service-pauses-too"],
)
def test_time_the_caller_spends_between_chunks_is_not_service_silence(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    mode: str,
    fault: Fault,
) -> None:
    kimi_simulator.queue(fault)
    text = _read_pausing(make_llm(timeout=0.6), mode, pause=1.0)
    assert text == "".join(WORDS)


def test_a_callers_cancellation_stays_a_cancellation_and_a_timeout_leaves_none(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    """The async idle bound cancels only its own wait, and withdraws that
    cancellation when it turns it into ``APITimeoutError``."""
    llm = make_llm(timeout=TIMEOUT)

    async def read() -> None:
        async for _ in llm.astream("hi"):
            pass

    async def run() -> None:
        kimi_simulator.queue(Fault(kind="stall", after_events=1, stall=30))
        task = asyncio.create_task(read())
        await asyncio.sleep(TIMEOUT / 2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        kimi_simulator.queue(Fault(kind="stall", after_events=1, stall=30))
        with pytest.raises(APITimeoutError):
            await read()
        current = asyncio.current_task()
        assert current is not None and current.cancelling() == 0
        await asyncio.sleep(0)  # no cancellation is left pending for this task

    asyncio.run(run())
