"""``timeout``: a deadline for a whole reply; for a stream, the longest wait for
the first event and between events (heartbeat comments are not events).

The bounds asserted are loose (several times ``timeout``): they tell a
deadline from a per-read limit, which would take the trickle's whole length.
"""

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


@pytest.mark.parametrize("mode", STREAMS)
def test_the_first_event_is_waited_for_at_most_timeout(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    kimi_simulator.queue(Reply(content="late", delay=30))
    with pytest.raises(APITimeoutError):
        call(make_llm(timeout=TIMEOUT), mode)


@pytest.mark.parametrize("mode", WHOLE)
def test_slow_first_byte_times_out(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
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
