"""Transports: the only code that does I/O. One small class per SDK.

Each is a ``Transport`` (``base``): ``invoke`` / ``ainvoke`` return a
normalized result, ``stream`` / ``astream`` normalized deltas, retries
included, and only ``langchain_kimi.errors`` exceptions escape. The dashscope
transport is imported on first use, so ``import langchain_kimi`` does not
load ``dashscope``.
"""

from __future__ import annotations

from typing import Any

from langchain_kimi.transports.base import Transport

COMPATIBLE_PATH = "/compatible-mode/v1"
NATIVE_PATH = "/api/v1"
DEFAULT_HOST = "https://dashscope.aliyuncs.com"
DEFAULT_BASE_URLS = {
    "openai": DEFAULT_HOST + COMPATIBLE_PATH,
    "dashscope": DEFAULT_HOST + NATIVE_PATH,
}

__all__ = ["Transport", "endpoint_for", "http_errors", "make_transport"]


def endpoint_for(transport: str, base_url: str | None) -> str:
    """The base URL a transport should use.

    With no URL, the transport's default. A URL written for the other protocol
    (``.../compatible-mode/v1`` vs ``.../api/v1``, e.g. one DASHSCOPE_BASE_URL
    shared by both) is switched to this transport's path on the same host.
    """
    if not base_url:
        return DEFAULT_BASE_URLS[transport]
    url = base_url.rstrip("/")
    if transport == "dashscope" and url.endswith(COMPATIBLE_PATH):
        return url[: -len(COMPATIBLE_PATH)] + NATIVE_PATH
    if transport == "openai" and url.endswith(NATIVE_PATH):
        return url[: -len(NATIVE_PATH)] + COMPATIBLE_PATH
    return url


def make_transport(kind: str, **settings: Any) -> Transport:
    """Build the transport named by ``kind`` (importing its SDK only then).

    ``settings`` are ``Transport``'s keyword arguments: ``api_key``,
    ``base_url``, ``timeout``, ``max_retries``, ``max_retry_wait``,
    ``default_headers``.
    """
    cls: type[Transport]
    if kind == "dashscope":
        from langchain_kimi.transports.dashscope import DashScopeTransport

        cls = DashScopeTransport
    else:
        from langchain_kimi.transports.openai import OpenAITransport

        cls = OpenAITransport
    return cls(**settings)


def http_errors() -> tuple[type[Exception], ...]:
    """What the HTTP client under ``raw`` raises that is not yet a KimiError
    (e.g. a body under a false ``Content-Encoding``), for the probe to record
    as the case's failure; imported only when asked, as the SDKs are."""
    import httpx2

    return (httpx2.HTTPError,)
