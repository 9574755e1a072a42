"""Where a limiter's counters live: Redis, or this process.

The counters are the ``limits`` library's (moving and fixed windows over a
``limits`` storage); nothing here speaks Redis itself. With a ``redis_url``
every process using the same key shares them. When Redis cannot be reached
the counters move to this process, with one warning naming Redis and the URL
(credentials removed), so no call waits or fails for the store; every
``RECHECK`` seconds the next operation tries Redis again and moves back.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import threading
import time
import warnings
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:  # ``limits`` loads with the first limiter, not the package
    from limits.storage import MemoryStorage, Storage

T = TypeVar("T")
logger = logging.getLogger("langchain_kimi")

#: Seconds between attempts to reach Redis again while it is down.
RECHECK = 1.0
#: The longest wait for Redis on one operation, so a dead server never hangs a call.
REDIS_TIMEOUT = 0.5

_LOCAL: dict[str, MemoryStorage] = {}
_LOCAL_LOCK = threading.Lock()


def local_storage(key: str) -> MemoryStorage:
    """This process's counters for ``key``: limiters (and their copies) with one
    key share them, as processes share Redis."""
    with _LOCAL_LOCK:
        if key not in _LOCAL:
            from limits.storage import MemoryStorage

            _LOCAL[key] = MemoryStorage()
        return _LOCAL[key]


def without_credentials(url: str) -> str:
    """``url`` with any user name and password removed, fit for a log line."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


REDIS_SCHEMES = ("redis", "rediss", "redis+unix")


def check_redis_url(url: str) -> None:
    """Fail at construction, not at the first call, on a URL that is not
    Redis's or when the ``redis`` client is missing."""
    scheme = urlsplit(url).scheme
    if scheme not in REDIS_SCHEMES:
        raise ValueError(
            f"KimiRateLimiter: redis_url must start with redis://, rediss:// or "
            f"redis+unix:// (got {scheme or 'no'} scheme in "
            f"{without_credentials(url)!r})."
        )
    if importlib.util.find_spec("redis") is None:
        raise ImportError(
            "KimiRateLimiter(redis_url=...) needs the redis client: "
            'pip install "langchain-kimi-modelstudio[redis]".'
        )


class Store:
    """A key's counters: in Redis when ``url`` is given and Redis answers,
    else in this process."""

    def __init__(self, url: str | None, key: str) -> None:
        self.url = url
        self.key = key
        self._lock = threading.Lock()
        self._redis: Storage | None = None
        from limits.errors import StorageError

        self._errors: tuple[type[BaseException], ...] = (StorageError, OSError)
        self._down_since: float | None = None
        self._next_check = 0.0

    @property
    def shared(self) -> bool:
        """Whether the counters are in Redis right now."""
        return self.url is not None and self._down_since is None

    def run(self, operation: Callable[[Storage], T]) -> T:
        """``operation`` on Redis, or on this process's counters when it is down."""
        redis = self._reachable()
        if redis is not None:
            try:
                result = operation(redis)
            except self._errors as error:
                self._went_down(error)
            else:
                self._came_back()
                return result
        return operation(local_storage(self.key))

    def _reachable(self) -> Storage | None:
        if self.url is None:
            return None
        with self._lock:
            if self._down_since is not None and time.monotonic() < self._next_check:
                return None
            if self._redis is None:
                try:
                    self._redis = self._connect(self.url)
                except self._errors as error:
                    self._went_down(error, locked=True)
                    return None
            return self._redis

    def _connect(self, url: str) -> Storage:
        from limits.errors import StorageError
        from limits.storage import Storage, storage_from_string
        from redis.backoff import NoBackoff
        from redis.exceptions import RedisError
        from redis.retry import Retry

        self._errors = (StorageError, OSError, RedisError)
        options: dict[str, Any] = {
            "socket_timeout": REDIS_TIMEOUT,
            "socket_connect_timeout": REDIS_TIMEOUT,
            "retry": Retry(NoBackoff(), 0),
        }
        storage = storage_from_string(url, wrap_exceptions=True, **options)
        if not isinstance(storage, Storage):
            raise ValueError(
                f"KimiRateLimiter: {without_credentials(url)} is no Redis URL."
            )
        # Its pooled sockets close when this store goes, not at the collector's
        # convenience (with a ResourceWarning each).
        weakref.finalize(self, _disconnect, storage)
        return storage

    def _went_down(self, error: BaseException, *, locked: bool = False) -> None:
        if not locked:
            with self._lock:
                self._went_down(error, locked=True)
            return
        self._next_check = time.monotonic() + RECHECK
        if self._down_since is not None:
            return
        self._down_since = time.monotonic()
        warnings.warn(
            f"KimiRateLimiter: Redis at {without_credentials(self.url or '')} is "
            f"unreachable ({type(error).__name__}); calls go on under this "
            f"process's own limit for key {self.key!r} until it answers again.",
            RuntimeWarning,
            stacklevel=2,
        )

    def _came_back(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None:
                return
            self._down_since = None
        logger.info(
            "KimiRateLimiter: Redis at %s answers again; key %r is shared again.",
            without_credentials(self.url or ""),
            self.key,
        )


def _disconnect(storage: Any) -> None:
    """Close a Redis storage's pooled connections (``limits`` keeps the
    ``redis`` client as ``storage.storage``)."""
    pool = getattr(getattr(storage, "storage", None), "connection_pool", None)
    if pool is not None:
        with contextlib.suppress(Exception):
            pool.disconnect()
