"""Retries: ``max_retries`` is the whole story, Retry-After is honoured up to
``max_retry_wait``, quota refusals are final, streams are retried until their
first chunk, and handled failures are logged by us at INFO, never as errors."""

import email.utils
import logging
import time
from collections.abc import Callable

import pytest

from langchain_kimi import (
    APIConnectionError,
    ChatKimi,
    IncompleteStreamError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
)
from langchain_kimi.testing import Fault, KimiSimulator, Reply
from tests.integration.calls import MODES, STREAMS, call, stream_body, text_event


@pytest.mark.parametrize("mode", MODES)
def test_max_retries_zero_is_one_request_even_on_a_reset(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    kimi_simulator.queue(Fault(kind="reset"), Reply(content="unused"))
    with pytest.raises(APIConnectionError):
        call(make_llm(max_retries=0), mode)
    assert len(kimi_simulator.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_the_default_retries_twice(
    kimi_simulator: KimiSimulator, transport: str, mode: str
) -> None:
    llm = ChatKimi(
        api_key=kimi_simulator.api_key,
        base_url=kimi_simulator.base_url_for(transport),
        transport=transport,
    )
    kimi_simulator.queue(*[Fault(kind="reset")] * 3, Reply(content="unused"))
    with pytest.raises(APIConnectionError):
        call(llm, mode)
    assert len(kimi_simulator.requests) == 3


@pytest.mark.parametrize("mode", MODES)
def test_a_reset_is_retried_to_success(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    kimi_simulator.queue(Fault(kind="reset"), Reply(content="Second try."))
    assert call(make_llm(max_retries=1), mode).content == "Second try."
    assert len(kimi_simulator.requests) == 2


@pytest.mark.parametrize(
    "retry_after",
    [0.3, "date"],
    ids=["seconds", "http-date"],
)
def test_retry_after_is_honoured(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    retry_after: float | str,
) -> None:
    wait = retry_after
    if retry_after == "date":
        wait = email.utils.formatdate(time.time() + 1.5, usegmt=True)
    kimi_simulator.fail(429, "Throttling", "slow down", retry_after=wait)
    kimi_simulator.queue(Reply(content="After the wait."))
    start = time.monotonic()
    assert make_llm(max_retries=1).invoke("hi").content == "After the wait."
    assert time.monotonic() - start >= 0.25  # it did wait, not the 0.5 s backoff
    assert [r.status for r in kimi_simulator.requests] == [429, 200]


@pytest.mark.parametrize("mode", MODES)
def test_a_wait_past_max_retry_wait_raises_at_once_with_retry_after(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    kimi_simulator.fail(429, "Throttling.RateQuota", "later", retry_after=3600)
    kimi_simulator.queue(Reply(content="unused"))
    start = time.monotonic()
    with pytest.raises(RateLimitError) as info:
        call(make_llm(max_retries=3), mode)
    assert time.monotonic() - start < 5
    assert info.value.retry_after == 3600.0
    assert isinstance(info.value.retry_after, float)
    assert len(kimi_simulator.requests) == 1


def test_max_retry_wait_is_a_field(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    assert ChatKimi(api_key="k").max_retry_wait == 60.0
    kimi_simulator.fail(429, "Throttling", "later", retry_after=1)
    with pytest.raises(RateLimitError):
        make_llm(max_retries=2, max_retry_wait=0.5).invoke("hi")
    assert len(kimi_simulator.requests) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("code", ["insufficient_quota", "Arrearage"])
def test_quota_refusals_are_never_retried(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    mode: str,
    code: str,
) -> None:
    kimi_simulator.fail(429, code, "No quota.", retry_after=0, times=3)
    with pytest.raises(QuotaExceededError, match="quota or billing"):
        call(make_llm(max_retries=3), mode)
    assert len(kimi_simulator.requests) == 1


def test_server_errors_retried_then_raised(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.fail(500, "InternalError", "oops", retry_after=0, times=5)
    with pytest.raises(ServerError):
        make_llm(max_retries=1).invoke("hi")
    assert len(kimi_simulator.requests) == 2


@pytest.mark.parametrize("mode", STREAMS)
@pytest.mark.parametrize("after_events", [0, 1])
def test_a_stream_cut_before_its_first_chunk_is_retried(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    transport: str,
    mode: str,
    after_events: int,
) -> None:
    first = Fault(kind="drop", after_events=after_events)
    if after_events and transport == "dashscope":  # its first event is text
        first = Fault(kind="drop", after_events=0)
    kimi_simulator.queue(first, Reply(content=["After ", "the ", "retry."]))
    assert call(make_llm(max_retries=1), mode).content == "After the retry."
    assert len(kimi_simulator.requests) == 2


@pytest.mark.parametrize("mode", STREAMS)
def test_a_stream_that_ends_with_nothing_delivered_is_retried(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    transport: str,
    mode: str,
) -> None:
    empty = stream_body(transport, [text_event(transport, "")], done=True)
    kimi_simulator.queue(
        Fault(kind="raw", status=200, content_type="text/event-stream", body=empty),
        Reply(content="Whole."),
    )
    assert call(make_llm(max_retries=1), mode).content == "Whole."
    assert len(kimi_simulator.requests) == 2
    kimi_simulator.queue(
        Fault(kind="raw", status=200, content_type="text/event-stream", body=empty)
    )
    with pytest.raises(IncompleteStreamError):
        call(make_llm(max_retries=0), mode)


@pytest.mark.parametrize("mode", STREAMS)
def test_a_stream_cut_after_a_chunk_raises_and_is_not_retried(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    kimi_simulator.queue(
        Fault(kind="drop", after_events=3, reply=Reply(content="a b c d e f"))
    )
    with pytest.raises(IncompleteStreamError):
        call(make_llm(max_retries=2), mode)
    assert len(kimi_simulator.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_handled_failures_are_logged_by_us_at_info_not_as_errors(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    kimi_simulator.queue(
        Fault(kind="reset"),
        Fault(status=503, code="ServiceUnavailable", retry_after=0),
        Reply(content="Fine."),
    )
    assert call(make_llm(max_retries=2), mode).content == "Fine."
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    retries = [r.getMessage() for r in caplog.records if r.name == "langchain_kimi"]
    assert len(retries) == 2
    assert retries[0].startswith("Retry 1 of 2 in ")
    assert "code=APIConnectionError" in retries[0]
    assert retries[1].startswith("Retry 2 of 2 in 0.00 s")
    assert "code=ServiceUnavailable" in retries[1]


def test_the_dashscope_sdks_own_users_still_see_its_errors(
    kimi_simulator: KimiSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    import dashscope

    caplog.set_level(logging.INFO)
    kimi_simulator.queue(Fault(kind="reset"), Fault(kind="reset"))
    with pytest.raises(Exception):  # noqa: B017, PT011 - the SDK's own, unmapped
        dashscope.Generation.call(
            model="kimi-k2-thinking",
            messages=[{"role": "user", "content": "hi"}],
            api_key=kimi_simulator.api_key,
            base_address=kimi_simulator.native_base_url,
        )
    assert any(
        r.name == "dashscope" and r.levelno == logging.ERROR for r in caplog.records
    )
