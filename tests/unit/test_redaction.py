"""Keys out of error text, and base URLs the key could leak through refused."""

from __future__ import annotations

import pytest

from langchain_kimi.errors import AuthenticationError, redact, register_secret
from langchain_kimi.request.checks import check_base_url
from langchain_kimi.transports.base import endpoint_of, failure_reason


def test_anything_that_looks_like_a_key_is_redacted() -> None:
    assert redact("Incorrect API key provided: sk-abc123XYZ_-9.") == (
        "Incorrect API key provided: sk-***."
    )


def test_a_registered_key_is_redacted_whatever_it_looks_like() -> None:
    register_secret("plain-gateway-key-42")
    assert "plain-gateway-key-42" not in redact("key plain-gateway-key-42 refused")


def test_short_strings_are_not_registered_as_secrets() -> None:
    register_secret("abc")
    assert redact("abc") == "abc"


def test_error_messages_are_redacted_at_construction() -> None:
    error = AuthenticationError("bad key sk-0123456789", status_code=401)
    assert "sk-0123456789" not in str(error) and "sk-0123456789" not in error.message


@pytest.mark.parametrize(
    "url",
    [
        "http://alice:pw@host.example/api/v1",
        "http://evil.example:80\\@localhost:80/api/v1",
        "ws://evil.example/api/v1",
        "http://evil.example\t/api/v1",
        "http://host.example:99999/api/v1",
        "http:///api/v1",
    ],
)
def test_base_urls_that_could_leak_the_key_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"kimi-k2\.5: base_url") as info:
        check_base_url(url, "kimi-k2.5")
    assert "pw" not in str(info.value) and "alice" not in str(info.value)


def test_endpoint_of_names_host_and_port() -> None:
    assert endpoint_of("https://dashscope.aliyuncs.com/api/v1") == (
        "dashscope.aliyuncs.com:443"
    )
    assert endpoint_of("http://[::1]:8080/x") == "[::1]:8080"


def test_failure_reason_finds_the_os_reason_under_wrappers() -> None:
    inner = ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 9)")
    outer = RuntimeError("wrapper")
    outer.__cause__ = inner
    assert failure_reason(outer) == "Connection refused"
