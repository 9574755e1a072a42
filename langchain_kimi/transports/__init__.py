"""Transports: the only code that does I/O. One small class per SDK.

Each is a ``Transport`` (``base``): ``invoke`` / ``ainvoke`` return a
normalized result, ``stream`` / ``astream`` normalized deltas, retries
included, and only ``langchain_kimi.errors`` exceptions escape. The dashscope
transport is imported on first use, so ``import langchain_kimi`` does not
load ``dashscope``.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Any
from urllib.parse import urlsplit

from langchain_kimi.transports.base import Transport

COMPATIBLE_PATH = "/compatible-mode/v1"
NATIVE_PATH = "/api/v1"
DEFAULT_HOST = "https://dashscope.aliyuncs.com"
DEFAULT_BASE_URLS = {
    "openai": DEFAULT_HOST + COMPATIBLE_PATH,
    "dashscope": DEFAULT_HOST + NATIVE_PATH,
}

#: Model Studio's regions serving Kimi, and the shared host of those that
#: have one (the others are reached through a workspace's own host only).
REGIONS = {
    "cn-beijing": "China (Beijing)",
    "ap-southeast-1": "Singapore",
    "ap-northeast-1": "Tokyo",
    "us-east-1": "US (Virginia)",
    "eu-central-1": "Germany (Frankfurt)",
}
SHARED_HOSTS = {
    "cn-beijing": DEFAULT_HOST,
    "us-east-1": "https://dashscope-us.aliyuncs.com",
    "ap-southeast-1": "https://dashscope-intl.aliyuncs.com",
}
DEFAULT_REGION = "cn-beijing"

__all__ = [
    "REGIONS",
    "Transport",
    "check_region",
    "endpoint_for",
    "http_errors",
    "load",
    "loaded",
    "make_transport",
    "region_named",
    "region_url",
]
_MODULES = {
    "openai": "langchain_kimi.transports.openai",
    "dashscope": "langchain_kimi.transports.dashscope",
}


def check_region(region: str) -> None:
    """``ValueError`` listing the five for a region Model Studio does not have."""
    if region not in REGIONS:
        raise ValueError(
            f"region={region!r} is not a Model Studio region; use one of "
            f"{', '.join(REGIONS)} (or set DASHSCOPE_REGION)."
        )


def region_url(transport: str, region: str, workspace_id: str | None) -> str:
    """The base URL of ``region`` (through ``workspace_id``'s host if given).

    ``ValueError`` for a region Model Studio does not have, and for one with
    no shared host when no workspace is given.
    """
    check_region(region)
    path = NATIVE_PATH if transport == "dashscope" else COMPATIBLE_PATH
    if workspace_id:
        return f"https://{workspace_id}.{region}.maas.aliyuncs.com{path}"
    if region not in SHARED_HOSTS:
        raise ValueError(
            f"region={region!r} is reached through a workspace's own host: set "
            "workspace_id=... (or DASHSCOPE_WORKSPACE_ID) to the workspace's id "
            "from the Model Studio console."
        )
    return SHARED_HOSTS[region] + path


def region_named(base_url: str | None) -> str:
    """The region a base URL's host serves, in words (or the host itself):
    a shared host, or a workspace host, which names its region code."""
    host = (urlsplit(endpoint_for("openai", base_url)).hostname or "").lower()
    for code, shared in SHARED_HOSTS.items():
        if urlsplit(shared).hostname == host:
            return f"the {REGIONS[code]} region"
    labels = host.split(".")
    for code, name in REGIONS.items():
        if code in labels:
            return f"the {name} region"
    return f"the host {host}"


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


#: What a first call imports besides the SDK: langchain-core's tracers, and
#: the async backends under the openai SDK. Missing ones are skipped.
_FIRST_CALL = (
    "langchain_core.tracers.langchain",
    "langchain_core.tracers.stdout",
    "langchain_core.tracers.run_collector",
    "langchain_core.messages.block_translators.langchain_v0",
    "langsmith.run_helpers",
    "anyio._backends._asyncio",
    "anyio.streams.memory",
    "anyio.streams.stapled",
    "tenacity.asyncio",
)


def load(kind: str) -> None:
    """Import the transport ``kind`` names, its SDK and what a first call
    imports (about a second in all), on a worker thread before the first
    async call, so that it does not stall the event loop.

    The import makes some 300,000 objects, enough to set off a full
    collection of the cyclic garbage collector, which holds the GIL (and so
    the loop) for 100 ms or more. So the collector is paused meanwhile, and
    then the objects it would scan, nearly all long-lived modules and
    classes, are moved out of its reach (``gc.freeze``).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        importlib.import_module(_MODULES.get(kind, _MODULES["openai"]))
        for name in _FIRST_CALL:
            try:
                importlib.import_module(name)
            except ImportError:
                continue
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def loaded(kind: str) -> bool:
    """Whether ``load(kind)`` has been done (or begun) in this process."""
    return _MODULES.get(kind, _MODULES["openai"]) in sys.modules


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
