"""The base class every transport shares: the retry policy around one-shot I/O."""

from __future__ import annotations

import contextlib
import copy
import os
import threading
import weakref
from abc import ABC, abstractmethod
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Iterator,
    Mapping,
)
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from urllib.parse import urlsplit

import anyio

from langchain_kimi.errors import KimiError, register_secret
from langchain_kimi.protocols.types import Delta, Result
from langchain_kimi.request.build import ChatRequest
from langchain_kimi.transports.perloop import PerLoop, forget_all_loops
from langchain_kimi.transports.retry import (
    MAX_RETRY_WAIT,
    RetryPolicy,
    acall_with_retries,
    astream_with_retries,
    call_with_retries,
    stream_with_retries,
)

T = TypeVar("T")


class _Closes(Protocol):
    def close(self) -> object: ...


class _AsyncCloses(Protocol):
    def close(self) -> Awaitable[object]: ...


C = TypeVar("C", bound=_Closes)
A = TypeVar("A", bound=_AsyncCloses)

#: Held while a transport builds a client or pool, so threads racing to make
#: the first call share one.
_BUILD_LOCK = threading.Lock()
#: Every transport that has built a client, session or pool.
_POOLED: weakref.WeakSet[Pooled[Any, Any]] = weakref.WeakSet()
#: What a forked child inherited: never used there (its connections are the
#: parent's), never closed (that could end the parent's), only kept alive so
#: collecting it closes nothing either.
_INHERITED: list[object] = []


def _forget_after_fork() -> None:
    """In a forked child: every transport builds its clients afresh, so no
    two processes share a connection and read each other's replies."""
    global _BUILD_LOCK
    _BUILD_LOCK = threading.Lock()  # another thread may have held it
    forget_all_loops()
    for pooled in list(_POOLED):
        _INHERITED.extend(
            live for live in (pooled._client, pooled._aclients) if live is not None
        )
        pooled._client = None
        pooled._aclients = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def delivers(delta: Delta) -> bool:
    """Whether a delta gives the caller something: text, reasoning, tool-call
    pieces or the finish. Until one does, a failed stream is retried."""
    return bool(
        delta.get("content")
        or delta.get("reasoning_content")
        or delta.get("tool_calls")
        or delta.get("finish_reason")
    )


def endpoint_of(base_url: str) -> str:
    """``host:port`` of a base URL, for messages (the default port if none)."""
    parts = urlsplit(base_url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    host = parts.hostname or "?"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def failure_reason(exc: BaseException) -> str:
    """The operating system's reason behind a connection failure (``Connection
    refused``, ``Name or service not known``), found through the SDKs'
    wrappers (causes, contexts, ``reason`` and exception arguments); never a
    class name."""
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            number = current.errno
            if isinstance(number, int) and number > 0:  # asyncio words it oddly
                return os.strerror(number)
            return str(current.strerror)  # e.g. a resolver's (negative) code
        linked = [
            current.__cause__,
            current.__context__,
            getattr(current, "reason", None),
        ]
        linked += list(current.args)
        pending += [item for item in linked if isinstance(item, BaseException)]
    if isinstance(exc, TimeoutError):
        return "timed out"
    return "the connection failed or was closed by the other side"


def within(seconds: float | None) -> contextlib.AbstractContextManager[Any]:
    """A deadline on the awaits inside (``TimeoutError`` when it passes)."""
    if seconds is None:
        return contextlib.nullcontext()
    return anyio.fail_after(max(seconds, 0.0))


def _built(owner: object, name: str, factory: Callable[[], T]) -> T:
    """``owner``'s live attribute ``name``, built on first use."""
    value: T | None = getattr(owner, name)
    if value is None:
        with _BUILD_LOCK:
            value = getattr(owner, name)
            if value is None:
                value = factory()
                setattr(owner, name, value)
    return value


class Transport(ABC):
    """Sends ``ChatRequest`` objects; returns normalized results and deltas.

    Subclasses implement the ``*_once`` methods: one attempt of I/O through
    their SDK, with every byte interpreted by their protocol module, raising
    only ``langchain_kimi.errors`` exceptions. This class adds the retries,
    the same on every transport.

    A transport pickles and deep-copies as its settings only: the attributes
    named in ``_LIVE`` (clients, sessions, pools, locks) start empty in the
    copy and are rebuilt on first use, leaving the original's pool alone.
    """

    _LIVE: ClassVar[Mapping[str, Any]] = {}
    #: Where this transport's base URL should end.
    EXPECTED_PATH: ClassVar[str] = ""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        timeout: float | None,
        max_retries: int,
        max_retry_wait: float = MAX_RETRY_WAIT,
        default_headers: Mapping[str, str] | None = None,
        on_error: Callable[[KimiError], None] | None = None,
    ) -> None:
        register_secret(api_key)
        self._api_key = api_key
        self._base_url = base_url
        #: ``host:port``, for messages about the connection.
        self._where = endpoint_of(base_url)
        self._timeout = timeout
        self._policy = RetryPolicy(max_retries, max_retry_wait, on_error=on_error)
        self._headers = dict(default_headers or {})

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.update(self._LIVE)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __deepcopy__(self, memo: dict[int, Any]) -> Transport:
        clone = self.__class__.__new__(self.__class__)
        memo[id(self)] = clone
        clone.__setstate__(copy.deepcopy(self.__getstate__(), memo))
        return clone

    def invoke(self, request: ChatRequest) -> Result:
        return call_with_retries(lambda: self._invoke_once(request), self._policy)

    async def ainvoke(self, request: ChatRequest) -> Result:
        return await acall_with_retries(
            lambda: self._ainvoke_once(request), self._policy
        )

    def stream(self, request: ChatRequest) -> Iterator[Delta]:
        return stream_with_retries(
            lambda: self._stream_once(request), self._policy, delivers
        )

    def astream(self, request: ChatRequest) -> AsyncGenerator[Delta, None]:
        return astream_with_retries(
            lambda: self._astream_once(request), self._policy, delivers
        )

    def close(self) -> None:  # noqa: B027 - optional for transports holding nothing
        """Close the sync connection pool (it reopens on the next call)."""

    async def aclose(self) -> None:  # noqa: B027
        """Close the running event loop's connection pool."""

    def _path_hint(self) -> str | None:
        """The path a bare 404 should name, if base_url does not end in it."""
        path = self.EXPECTED_PATH
        if path and not self._base_url.rstrip("/").endswith(path):
            return path
        return None

    def timeout_option(self, name: str) -> dict[str, Any]:
        """``{name: timeout}``, or nothing when no timeout was set."""
        return {} if self._timeout is None else {name: self._timeout}

    @abstractmethod
    def _invoke_once(self, request: ChatRequest) -> Result: ...

    @abstractmethod
    async def _ainvoke_once(self, request: ChatRequest) -> Result: ...

    @abstractmethod
    def _stream_once(self, request: ChatRequest) -> Iterator[Delta]: ...

    @abstractmethod
    def _astream_once(self, request: ChatRequest) -> AsyncGenerator[Delta, None]: ...


class Pooled(Generic[C, A]):
    """The live half of an SDK transport: one sync client (or session) and
    one async client per event loop, each built on first use and pooling its
    connections; the per-loop ones are closed when their loop ends."""

    _LIVE: ClassVar[Mapping[str, Any]] = {"_client": None, "_aclients": None}
    _client: C | None = None
    _aclients: PerLoop[A] | None = None

    @abstractmethod
    def _new_client(self) -> C: ...

    @abstractmethod
    def _new_aclient(self) -> A: ...

    @property
    def client(self) -> C:
        """The sync client, one per transport and process (threads share its
        pool; a forked child builds its own)."""
        return _built(self, "_client", self._tracked(self._closed_with_self))

    def _closed_with_self(self) -> C:
        """A new sync client, closed when this transport goes: nothing in the
        SDK closes a client handed to it, and its pooled sockets would
        otherwise wait for the collector (a ``ResourceWarning`` each)."""
        client = self._new_client()
        weakref.finalize(self, _close_in, os.getpid(), client)
        return client

    async def aclient(self) -> A:
        """The running loop's async client, closed when that loop ends."""
        clients = _built(
            self,
            "_aclients",
            self._tracked(lambda: PerLoop(self._new_aclient, _aclose)),
        )
        return await clients.get()

    def _tracked(self, factory: Callable[[], T]) -> Callable[[], T]:
        """``factory``, noting this transport for ``_forget_after_fork``."""

        def build() -> T:
            _POOLED.add(self)
            return factory()

        return build

    def close(self) -> None:
        """Close the sync client; the next call builds another."""
        with _BUILD_LOCK:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        if self._aclients is not None:
            await self._aclients.aclose()


async def _aclose(client: _AsyncCloses) -> None:
    await client.close()


def _close_in(pid: int, client: _Closes) -> None:
    """Close ``client`` in the process that made it only: a forked child's
    copy shares the parent's sockets (see ``_INHERITED``)."""
    if os.getpid() == pid:
        with contextlib.suppress(Exception):
            client.close()
