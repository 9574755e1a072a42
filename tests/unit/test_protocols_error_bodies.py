"""A stream request's error body may come SSE-framed; its facts are kept."""

import json

import pytest

from langchain_kimi.errors import AuthenticationError, ServerError
from langchain_kimi.protocols.common import status_error

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
    error = status_error(401, body, {}, None)
    assert isinstance(error, AuthenticationError)
    assert (error.code, error.message, error.request_id) == (
        "invalid_api_key",
        "Invalid API-key provided.",
        "req-1",
    )


def test_the_header_request_id_serves_when_the_body_has_none() -> None:
    body = json.dumps({"error": {"code": "internal_error", "message": "x"}}).encode()
    error = status_error(500, body, {}, "hdr")
    assert isinstance(error, ServerError)
    assert (error.code, error.request_id) == ("internal_error", "hdr")


@pytest.mark.parametrize("body", [None, b""])
def test_an_empty_body_names_the_status(body: bytes | None) -> None:
    error = status_error(502, body, {}, None)
    assert isinstance(error, ServerError)
    assert error.code is None and "502" in error.message


def test_a_body_without_an_error_object_keeps_its_text() -> None:
    error = status_error(502, b"data: [1]\n\n", {}, None)
    assert isinstance(error, ServerError)
    assert (error.code, error.message) == (None, "data: [1]")
