"""Raw HTTP for the probe: one POST, and the status, headers and bytes as sent.

``python -m langchain_kimi probe`` must see what the service really sent (the
status, an error body however it is framed, stream chunks with or without
``index``), which both SDKs hide or reshape, so it goes around them with
``httpx2`` (the openai SDK's HTTP client). Sync, one pooled client per run.
What the bytes mean is the probe's business (``langchain_kimi.probe.reading``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx2

from langchain_kimi.errors import APIConnectionError, APITimeoutError


@dataclass(frozen=True)
class RawResponse:
    """One answer as received: ``headers`` with lower-case names; ``body`` the
    whole body, or (``complete`` false) what came before the reading stopped."""

    status: int
    headers: dict[str, str]
    body: bytes
    complete: bool = True


class RawClient:
    """POSTs JSON bodies and keeps the answers raw; ``with RawClient(...)``."""

    def __init__(self, *, timeout: float = 60.0) -> None:
        self._client = httpx2.Client(timeout=timeout)

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def post(
        self,
        url: str,
        body: Mapping[str, Any],
        *,
        api_key: str,
        headers: Mapping[str, str] | None = None,
        max_events: int | None = None,
    ) -> RawResponse:
        """POST ``body`` as JSON with the key as a bearer token.

        A successful event stream is read up to ``max_events`` ``data:``
        lines and then closed (the rest is never generated into the reply we
        keep); everything else is read whole.
        """
        sent = {"Authorization": f"Bearer {api_key}", **(headers or {})}
        try:
            with self._client.stream("POST", url, json=body, headers=sent) as answer:
                kept = {name.lower(): value for name, value in answer.headers.items()}
                streaming = answer.status_code == 200 and kept.get(
                    "content-type", ""
                ).startswith("text/event-stream")
                if not streaming or max_events is None:
                    return RawResponse(answer.status_code, kept, answer.read())
                data, complete = _events(answer.iter_bytes(), max_events)
                return RawResponse(answer.status_code, kept, data, complete)
        except httpx2.TimeoutException as exc:
            raise APITimeoutError(f"No answer from {url} in time.") from exc
        except httpx2.TransportError as exc:
            raise APIConnectionError(
                f"Could not reach {url} ({type(exc).__name__})."
            ) from exc


def _events(chunks: Iterator[bytes], max_events: int) -> tuple[bytes, bool]:
    """The bytes up to the end of the ``max_events``-th ``data:`` line."""
    kept = bytearray()
    events = 0
    for chunk in chunks:
        start = len(kept)
        kept.extend(chunk)
        line_start = kept.rfind(b"\n", 0, start) + 1
        while (end := kept.find(b"\n", line_start)) != -1:
            if kept.startswith(b"data:", line_start):
                events += 1
                if events >= max_events:
                    return bytes(kept[: end + 1]), False
            line_start = end + 1
    return bytes(kept), True
