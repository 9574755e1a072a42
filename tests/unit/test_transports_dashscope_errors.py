"""What the dashscope transport makes of the SDK's and its clients' exceptions."""

import json

import aiohttp
import pytest
import requests
from aiohttp.http_exceptions import LineTooLong
from dashscope.common.error import InputRequired

from langchain_kimi.errors import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    IncompleteStreamError,
    InvalidResponseError,
    KimiError,
)
from langchain_kimi.transports.dashscope import is_callers, map_failure
from langchain_kimi.transports.dashscope_sessions import (
    AioNotResentError,
    AioNotResentTimeout,
    CallState,
    DeadlineExceeded,
    NotResentError,
)


@pytest.mark.parametrize(
    ("exc", "started", "cls"),
    [
        (InputRequired("prompt or messages is required!"), False, BadRequestError),
        (TypeError("argument after ** must be a mapping"), False, InvalidResponseError),
        (KeyError("code"), True, InvalidResponseError),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"), True, InvalidResponseError),
        (json.JSONDecodeError("x", "doc", 0), False, InvalidResponseError),
        (
            requests.exceptions.JSONDecodeError("x", "doc", 0),
            False,
            InvalidResponseError,
        ),
        (LineTooLong(b"data:...", "524288"), True, InvalidResponseError),
        (DeadlineExceeded("late"), True, APITimeoutError),
        (AioNotResentTimeout("late"), False, APITimeoutError),
        (requests.exceptions.ReadTimeout("late"), True, APITimeoutError),
        (NotResentError("reset"), False, APIConnectionError),
        (AioNotResentError("reset"), False, APIConnectionError),
        (aiohttp.ClientPayloadError("cut"), True, IncompleteStreamError),
        (requests.exceptions.ChunkedEncodingError("cut"), True, IncompleteStreamError),
        (RuntimeError("odd"), False, KimiError),
    ],
)
def test_every_failure_becomes_a_kimi_error(
    exc: Exception, started: bool, cls: type
) -> None:
    assert type(map_failure(exc, started=started)) is cls


@pytest.mark.parametrize(
    "exc",
    [
        TypeError("Object of type datetime is not JSON serializable"),
        ValueError("Out of range float values are not JSON compliant"),
        KeyError("model"),
    ],
)
def test_a_value_type_or_key_error_before_any_response_is_the_callers(
    exc: Exception,
) -> None:
    assert is_callers(exc, CallState())
    assert not is_callers(exc, CallState(status=200))  # after one: unreadable
    assert type(map_failure(exc, started=False)) is InvalidResponseError


@pytest.mark.parametrize(
    ("exc", "cls"),
    [
        (requests.exceptions.InvalidSchema("no adapter"), APIConnectionError),
        (requests.exceptions.InvalidURL("no host"), APIConnectionError),
        (aiohttp.InvalidUrlClientError("http://"), APIConnectionError),
        (LineTooLong(b"data:...", "8388608"), InvalidResponseError),
    ],
)
def test_before_any_response_client_errors_are_mapped_not_the_callers(
    exc: Exception, cls: type
) -> None:
    assert not is_callers(exc, CallState())
    assert type(map_failure(exc, started=False, responded=False)) is cls
