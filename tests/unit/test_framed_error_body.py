"""A stream request's error body may come SSE-framed; its facts are kept."""

import json

import pytest

from langchain_kimi.errors import AuthenticationError, BadRequestError
from langchain_kimi.protocols.openai import status_error

ERROR = {
    "error": {"message": "Invalid API-key provided.", "code": "invalid_api_key"},
    "request_id": "req-1",
}


@pytest.mark.parametrize(
    "body",
    [json.dumps(ERROR).encode(), f"data: {json.dumps(ERROR)}\n\n".encode()],
    ids=["plain", "sse-framed"],
)
def test_code_message_and_request_id_come_from_the_body(body: bytes) -> None:
    error = status_error(401, {}, "Error code: 401", {}, body)
    assert isinstance(error, AuthenticationError)
    assert (error.code, error.message, error.request_id) == (
        "invalid_api_key",
        "Invalid API-key provided.",
        "req-1",
    )


def test_the_sdks_detail_and_the_header_come_first() -> None:
    detail = {"code": "InvalidParameter", "message": "bad"}
    error = status_error(
        400,
        detail,
        "Error code: 400",
        {"x-request-id": "hdr"},
        json.dumps(ERROR).encode(),
    )
    assert isinstance(error, BadRequestError)
    assert (error.code, error.message, error.request_id) == (
        "InvalidParameter",
        "bad",
        "hdr",
    )


@pytest.mark.parametrize("body", [None, b"", b"<html>502</html>", b"data: [1]\n\n"])
def test_a_body_without_an_error_object_keeps_the_fallback(body: bytes | None) -> None:
    error = status_error(502, {}, "Error code: 502", {}, body)
    assert (error.code, error.message, error.request_id) == (
        None,
        "Error code: 502",
        None,
    )
