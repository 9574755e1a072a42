"""The pure parts of issue 12: classification, error bodies, retry policy."""

import logging

import pytest

from langchain_kimi.errors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    ContentModerationError,
    IncompleteReplyError,
    IncompleteResponseError,
    IncompleteStreamError,
    InvalidResponseError,
    KimiError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    error_for,
)
from langchain_kimi.protocols.common import (
    body_error_info,
    parse_retry_after,
    status_error,
)
from langchain_kimi.transports.retry import (
    RetryPolicy,
    call_with_retries,
    stream_with_retries,
)


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (401, "InvalidApiKey", AuthenticationError),
        (401, "invalid_api_key", AuthenticationError),
        (400, "DataInspectionFailed", ContentModerationError),
        (400, "data_inspection_failed", ContentModerationError),
        (400, "InternalError.Algo.DataInspectionFailed", ContentModerationError),
        (404, "ModelNotFound", NotFoundError),
        (404, "model_not_found", NotFoundError),
        (400, "InvalidParameter", BadRequestError),
        (400, "invalid_parameter_error", BadRequestError),
        (429, "Throttling", RateLimitError),
        (429, "Throttling.RateQuota", RateLimitError),
        (429, "limit_requests", RateLimitError),
        (429, "limit_burst_rate", RateLimitError),
        (429, "insufficient_quota", QuotaExceededError),
        (429, "CommodityNotPurchased", QuotaExceededError),
        (429, "PrepaidBillOverdue", QuotaExceededError),
        (400, "Arrearage", QuotaExceededError),
        (403, "AllocationQuota.FreeTierOnly", QuotaExceededError),
        (500, "InternalError", ServerError),
        (500, "InternalError.Algo", ServerError),
        (500, "internal_error", ServerError),
        (503, "ModelServingError", ServerError),
        (503, "ModelUnavailable", ServerError),
        (503, "ServiceUnavailable", ServerError),
        (500, "RequestTimeOut", ServerError),
        (500, "SystemError", ServerError),
        (503, None, ServerError),
        (418, None, BadRequestError),
    ],
)
def test_both_spellings_of_every_code(status: int, code: str | None, cls: type) -> None:
    assert type(error_for(status, code, "msg", "rid")) is cls


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("Throttling.RateQuota", RateLimitError),
        ("limit_requests", RateLimitError),
        ("InternalError.Algo", ServerError),
        ("internal_error", ServerError),
        ("ModelServingError", ServerError),
        ("data_inspection_failed", ContentModerationError),
        ("SomethingNew", KimiError),
    ],
)
def test_in_band_errors_are_classified_by_code_alone(code: str, cls: type) -> None:
    assert type(error_for(None, code, "msg")) is cls


def test_the_service_words_decide_over_the_code() -> None:
    assert type(error_for(400, "InvalidParameter", "Model not exist.")) is NotFoundError
    limited = error_for(
        429, "Throttling.AllocationQuota", "Free allocated quota exceeded."
    )
    assert type(limited) is QuotaExceededError


def test_a_403_is_an_authentication_error_only_when_the_code_says_the_key_is_wrong() -> (
    None
):
    assert type(error_for(403, "InvalidApiKey", "m")) is AuthenticationError
    assert type(error_for(403, "AccessDenied", "m")) is PermissionDeniedError
    assert type(error_for(403, None, "m")) is PermissionDeniedError
    assert type(error_for(403, "AllocationQuota.FreeTierOnly", "m")) is (
        QuotaExceededError
    )


def test_quota_errors_are_never_retried_and_say_what_to_check() -> None:
    error = error_for(429, "insufficient_quota", "You exceeded your current quota.")
    assert not error.retryable
    assert "quota or billing" in error.message
    assert RetryPolicy(max_retries=5).delay(0, error) is None


def test_incomplete_errors_share_a_base_and_are_retryable() -> None:
    stream = IncompleteStreamError("cut")
    whole = IncompleteResponseError("cut")
    assert isinstance(stream, IncompleteReplyError)
    assert isinstance(whole, IncompleteReplyError)
    assert isinstance(stream, APIConnectionError)  # as before
    assert not isinstance(whole, APIConnectionError)
    assert stream.retryable and whole.retryable
    assert not issubclass(InvalidResponseError, APIConnectionError)


def test_error_text_shows_code_message_status_request_id_and_retry_after() -> None:
    error = error_for(429, "Throttling", "Slow down.", "rid-1", retry_after=3600)
    assert str(error) == (
        "[Throttling] Slow down. (HTTP 429, request_id=rid-1, retry_after=3600s)"
    )
    assert isinstance(error.retry_after, float | int)


@pytest.mark.parametrize(
    "body",
    [
        b'{"error": {"code": "invalid_api_key", "message": "Bad key."}, '
        b'"request_id": "rid"}',
        b'data: {"error": {"code": "invalid_api_key", "message": "Bad key."}, '
        b'"request_id": "rid"}\n\n',
        b'{"code": "invalid_api_key", "message": "Bad key.", "request_id": "rid"}',
        b'id:1\nevent:error\n:HTTP_STATUS/401\ndata:{"code":"invalid_api_key",'
        b'"message":"Bad key.","request_id":"rid"}\n\n',
    ],
    ids=["json-nested", "sse-nested", "json-flat", "sse-native"],
)
def test_error_bodies_in_every_framing(body: bytes) -> None:
    info = body_error_info(body)
    assert info == {
        "code": "invalid_api_key",
        "message": "Bad key.",
        "request_id": "rid",
    }
    error = status_error(401, body, {}, None)
    assert type(error) is AuthenticationError
    assert (error.code, error.request_id) == ("invalid_api_key", "rid")


def test_error_bodies_that_are_not_json_keep_their_text() -> None:
    assert body_error_info(b"<html>502 Bad Gateway</html>")["message"] == (
        "<html>502 Bad Gateway</html>"
    )
    assert body_error_info(b"\xff\xfe oops")["message"].endswith("oops")
    assert body_error_info(b'"just a string"')["code"] is None
    error = status_error(502, b"<html>Bad Gateway</html>", {}, "rid-h")
    assert type(error) is ServerError
    assert error.request_id == "rid-h"


def test_retry_after_header_forms() -> None:
    assert parse_retry_after({"retry-after": "2"}) == 2.0
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_retry_policy_honours_retry_after_up_to_max_retry_wait() -> None:
    policy = RetryPolicy(max_retries=2, max_retry_wait=10, base_delay=0.5)
    assert policy.delay(0, error_for(429, "Throttling", "m", retry_after=1.5)) == 1.5
    assert policy.delay(0, error_for(429, "Throttling", "m", retry_after=11)) is None
    assert policy.delay(2, error_for(429, "Throttling", "m", retry_after=1)) is None
    assert policy.delay(0, error_for(400, "InvalidParameter", "bad")) is None
    delay = policy.delay(1, error_for(500, "InternalError", "oops"))
    assert delay is not None and 0.5 <= delay <= 1.5


def test_a_wait_past_max_retry_wait_is_raised_at_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = []

    def fail() -> None:
        calls.append(1)
        raise error_for(429, "Throttling", "slow", retry_after=3600)

    with pytest.raises(RateLimitError) as info:
        call_with_retries(fail, RetryPolicy(max_retries=3, max_retry_wait=60))
    assert len(calls) == 1
    assert info.value.retry_after == 3600


def test_each_retry_is_logged_at_info_with_attempt_wait_and_code(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="langchain_kimi")
    calls = []

    def fail() -> None:
        calls.append(1)
        raise error_for(503, "ServiceUnavailable", "busy", retry_after=0)

    with pytest.raises(ServerError):
        call_with_retries(fail, RetryPolicy(max_retries=2))
    assert len(calls) == 3
    records = [r for r in caplog.records if r.name == "langchain_kimi"]
    assert [r.levelno for r in records] == [logging.INFO, logging.INFO]
    assert "Retry 1 of 2 in 0.00 s" in records[0].getMessage()
    assert "code=ServiceUnavailable" in records[1].getMessage()


def test_max_retries_zero_means_one_attempt() -> None:
    calls = []

    def fail() -> None:
        calls.append(1)
        raise error_for(503, None, "busy", retry_after=0)

    with pytest.raises(ServerError):
        call_with_retries(fail, RetryPolicy(max_retries=0))
    assert len(calls) == 1


def _opener(streams: list[list[object]]):  # type: ignore[no-untyped-def]
    opened = []

    def open_stream():  # type: ignore[no-untyped-def]
        items = streams[len(opened)]
        opened.append(items)
        for item in items:
            if isinstance(item, Exception):
                raise item
            yield item

    return open_stream, opened


def test_a_stream_is_retried_until_something_is_delivered() -> None:
    cut = APIConnectionError("dropped")
    open_stream, opened = _opener(
        [["meta", cut], [], ["meta", "text", "more"]]  # fails, then ends empty
    )
    items = list(
        stream_with_retries(
            open_stream, RetryPolicy(max_retries=2), lambda x: x == "text"
        )
    )
    assert items == ["meta", "text", "more"]
    assert len(opened) == 3


def test_a_stream_that_delivered_is_not_retried() -> None:
    open_stream, opened = _opener([["text", APIConnectionError("dropped")], ["x"]])
    received = []
    with pytest.raises(APIConnectionError):
        for item in stream_with_retries(
            open_stream, RetryPolicy(max_retries=2), lambda x: x == "text"
        ):
            received.append(item)
    assert received == ["text"]
    assert len(opened) == 1


def test_a_stream_ending_with_nothing_delivered_is_incomplete() -> None:
    open_stream, _ = _opener([["meta"]])
    with pytest.raises(IncompleteStreamError):
        list(stream_with_retries(open_stream, RetryPolicy(0), lambda x: x == "text"))
