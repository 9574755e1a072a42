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
from langchain_kimi.transports.dashscope import map_failure
from langchain_kimi.transports.dashscope_http import (
    AioNotResentError,
    AioNotResentTimeout,
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
