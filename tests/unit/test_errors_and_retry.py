import pytest

from langchain_kimi.errors import (
    AuthenticationError,
    BadRequestError,
    ContentModerationError,
    NotFoundError,
    RateLimitError,
    ServerError,
    error_for,
)
from langchain_kimi.retry import call_with_retries, parse_retry_after, retry_delay


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "InvalidParameter", BadRequestError),
        (400, "DataInspectionFailed", ContentModerationError),
        (401, "InvalidApiKey", AuthenticationError),
        (404, "ModelNotFound", NotFoundError),
        (429, "Throttling.RateQuota", RateLimitError),
        (500, "InternalError", ServerError),
        (503, None, ServerError),
        (None, "InternalError", ServerError),
    ],
)
def test_error_classes(status: int | None, code: str | None, cls: type) -> None:
    assert type(error_for(status, code, "msg", "rid")) is cls


def test_error_text_shows_code_message_status_and_request_id() -> None:
    error = error_for(401, "InvalidApiKey", "Invalid API-key provided.", "rid-1")
    assert str(error) == (
        "[InvalidApiKey] Invalid API-key provided. (HTTP 401, request_id=rid-1)"
    )
    assert (error.status_code, error.code, error.request_id) == (
        401,
        "InvalidApiKey",
        "rid-1",
    )


def test_retry_after_header_forms() -> None:
    assert parse_retry_after({"retry-after": "2"}) == 2.0
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({}) is None


def test_retry_policy() -> None:
    limited = error_for(429, "Throttling", "slow down", retry_after=1.5)
    assert retry_delay(0, limited, 2) == 1.5
    assert retry_delay(2, limited, 2) is None
    assert retry_delay(0, error_for(400, "InvalidParameter", "bad"), 2) is None
    delay = retry_delay(1, error_for(500, "InternalError", "oops"), 2)
    assert delay is not None and 0.5 <= delay <= 1.5


def test_call_with_retries_gives_up_after_max_retries() -> None:
    calls = []

    def fail() -> None:
        calls.append(1)
        raise error_for(503, None, "busy", retry_after=0)

    with pytest.raises(ServerError):
        call_with_retries(fail, 2)
    assert len(calls) == 3


def test_client_errors_are_not_retried() -> None:
    calls = []

    def fail() -> None:
        calls.append(1)
        raise error_for(400, "InvalidParameter", "bad")

    with pytest.raises(BadRequestError):
        call_with_retries(fail, 5)
    assert len(calls) == 1
