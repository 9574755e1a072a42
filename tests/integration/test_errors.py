"""Service errors, retries, cut streams and timeouts, over both transports."""

import logging
from collections.abc import Callable

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from langchain_kimi import (
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ChatKimi,
    ContentModerationError,
    IncompleteStreamError,
    KimiError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from langchain_kimi.models import INSTRUCT_MODEL
from langchain_kimi.testing import Fault, KimiSimulator, Reply


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "InvalidParameter", BadRequestError),
        (400, "DataInspectionFailed", ContentModerationError),
        (400, "Arrearage", BadRequestError),
        (429, "Throttling.RateQuota", RateLimitError),
        (500, "InternalError", ServerError),
        (503, "ServiceUnavailable", ServerError),
    ],
)
def test_service_errors_surface_with_code_message_and_request_id(
    llm: ChatKimi,
    kimi_simulator: KimiSimulator,
    transport: str,
    status: int,
    code: str,
    cls: type,
) -> None:
    kimi_simulator.fail(status, code, "The service's own words.", times=3)
    with pytest.raises(cls) as info:
        llm.invoke("hi")
    error = info.value
    assert (error.status_code, error.code) == (status, code)
    assert error.request_id
    assert f"[{code}] The service's own words." in str(error)
    if transport == "openai":  # the dashscope SDK returns errors, it raises none
        assert error.__cause__ is not None


def test_wrong_key_is_an_authentication_error(
    make_llm: Callable[..., ChatKimi], transport: str
) -> None:
    code = {"openai": "invalid_api_key", "dashscope": "InvalidApiKey"}[transport]
    with pytest.raises(AuthenticationError, match=code) as info:
        make_llm(api_key="sk-wrong-secret-123").invoke("hi")
    assert "sk-wrong-secret-123" not in str(info.value)
    assert info.value.status_code == 401


def test_unknown_model_is_not_found(make_llm: Callable[..., ChatKimi]) -> None:
    with pytest.raises(NotFoundError) as info:
        make_llm(model="kimi-does-not-exist").invoke("hi")
    assert info.value.status_code == 404


def test_rate_limit_is_retried_honouring_retry_after(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.fail(429, "Throttling", "slow down", retry_after=0, times=2)
    kimi_simulator.queue(Reply(content="Third time lucky."))
    message = make_llm(max_retries=2).invoke("hi")
    assert message.content == "Third time lucky."
    assert [r.status for r in kimi_simulator.requests] == [429, 429, 200]


def test_server_errors_retried_then_raised(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.fail(500, "InternalError", "oops", retry_after=0, times=5)
    with pytest.raises(ServerError):
        make_llm(max_retries=1).invoke("hi")
    assert len(kimi_simulator.requests) == 2


def test_client_errors_are_never_retried(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.fail(400, "InvalidParameter", "bad", times=3)
    with pytest.raises(BadRequestError):
        make_llm(max_retries=3).invoke("hi")
    assert len(kimi_simulator.requests) == 1


def test_stream_retried_before_first_chunk(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.fail(503, "ServiceUnavailable", "busy", retry_after=0)
    kimi_simulator.queue(Reply(content=["After ", "the ", "retry."]))
    chunks = list(make_llm(max_retries=1).stream("hi"))
    assert "".join(str(c.content) for c in chunks) == "After the retry."
    assert [r.status for r in kimi_simulator.requests] == [503, 200]


def test_cut_stream_raises_and_is_not_retried_mid_answer(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(
        Fault(kind="drop", after_events=3, reply=Reply(content="a b c d e f"))
    )
    received = []
    with pytest.raises(IncompleteStreamError):
        for chunk in make_llm(max_retries=2).stream("hi"):
            received.append(chunk)
    assert len(kimi_simulator.requests) == 1
    assert all(c.response_metadata.get("finish_reason") is None for c in received)


async def test_cut_stream_raises_async(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(
        Fault(kind="drop", after_events=2, reply=Reply(content="a b c d e f"))
    )
    with pytest.raises(IncompleteStreamError):
        async for _ in llm.astream("hi"):
            pass


def test_mid_stream_error_event_raises_with_its_code(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(
        Fault(
            kind="stream_error",
            status=400,
            code="DataInspectionFailed",
            message="Output data may contain inappropriate content.",
        )
    )
    with pytest.raises(ContentModerationError, match="DataInspectionFailed"):
        list(llm.stream("hi"))


def test_slow_first_byte_times_out(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(content="late", delay=2.0))
    with pytest.raises(APITimeoutError):
        make_llm(timeout=0.3).invoke("hi")


async def test_slow_first_byte_times_out_async(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(content="late", delay=2.0))
    with pytest.raises(APITimeoutError):
        await make_llm(timeout=0.3).ainvoke("hi")


def test_async_errors_match_sync(llm: ChatKimi, kimi_simulator: KimiSimulator) -> None:
    import asyncio

    kimi_simulator.fail(429, "Throttling", "slow down")
    with pytest.raises(RateLimitError):
        asyncio.run(llm.ainvoke("hi"))


def test_capability_refusals_send_nothing(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    thinking = make_llm()
    instruct = make_llm(model=INSTRUCT_MODEL)
    cases = [
        (lambda: thinking.invoke("hi", top_p=0.9), "top_p"),
        (lambda: thinking.invoke("hi", presence_penalty=0.5), "presence_penalty"),
        (lambda: thinking.invoke("hi", enable_search=True), "enable_search"),
        (lambda: instruct.invoke("hi", max_tokens=9000), "max_tokens"),
        (
            lambda: instruct.invoke(
                [
                    HumanMessage("go"),
                    AIMessage("Once", additional_kwargs={"partial": True}),
                ]
            ),
            "partial",
        ),
    ]
    for call, parameter in cases:
        with pytest.raises(ValueError, match=parameter):
            call()
    assert kimi_simulator.requests == []


def test_key_never_logged(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    kimi_simulator.fail(500, "InternalError", "oops", retry_after=0)
    make_llm(max_retries=1).invoke("hi")
    with pytest.raises(KimiError):
        make_llm(api_key="sk-never-log-me").invoke("hi")
    assert kimi_simulator.api_key not in caplog.text
    assert "sk-never-log-me" not in caplog.text
