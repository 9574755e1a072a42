"""The HTTP sessions the dashscope transport hands to the SDK (``session=``).

The SDK's own sessions resend a request once on a dropped connection, drop
nested error bodies, read streams 512 bytes at a time with a quadratic line
splitter, and (async) leak one session per event loop. Passing our own
sessions, through the SDK's public ``session=`` keyword, fixes each of these
for our calls only:

- connection failures are re-raised outside the families the SDK resends
  (``requests.ConnectionError``, ``aiohttp.ClientConnectionError``), so one
  call is one request and ``max_retries`` is the whole story;
- the raw body of every response that is not an event stream is kept on the
  call's ``CallState``, for the protocol module to read (error bodies in any
  framing, whole replies);
- sync bodies are read one HTTP chunk at a time (or with ``read1`` when not
  chunked) and split by ``LineSplitter``, so each event is delivered when it
  arrives and long lines cost linear time; every
  read waits at most until the call's deadline (whole replies) or idle
  deadline (streams; pushed on by each ``data:`` line, not by comments, and
  when the caller asks for the next event);
- async sessions read lines up to 8 MiB (aiohttp's default is 512 KiB).

The dashscope logger's "Request failed" record is dropped (or demoted to
DEBUG) while one of our calls is in progress: the transport handles those
failures itself.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import SSLError as Urllib3SSLError

from langchain_kimi.protocols.sse import LineSplitter
from langchain_kimi.transports.watchdog import WATCHDOG

#: aiohttp's longest line is twice this; SSE lines up to 8 MiB are read.
READ_BUFSIZE = 4 * 2**20
POOL_SIZE = 64
_DATA = b"data:"


@dataclass
class CallState:
    """One SDK call: its deadlines, and what our session saw of the response."""

    deadline: float | None = None
    idle: float | None = None
    idle_deadline: float | None = None
    status: int | None = None
    headers: Mapping[str, str] | None = None
    body: bytes | None = None
    response: Any = None
    #: ``host:port`` and the path base_url lacks, for messages.
    where: str = "the service"
    expected_path: str | None = None
    #: The deadline passed while the headers were awaited (sync).
    headers_timed_out: bool = False
    #: The socket the response arrived on (sync; http.client forgets it when
    #: the body is delimited by the connection's close).
    sock: Any = None

    @classmethod
    def start(cls, timeout: float | None, *, stream: bool) -> CallState:
        """A whole reply gets a deadline; a stream an idle bound per event."""
        if timeout is None:
            return cls()
        now = time.monotonic()
        if stream:
            return cls(idle=timeout, idle_deadline=now + timeout)
        return cls(deadline=now + timeout)

    def event_arrived(self) -> None:
        if self.idle is not None:
            self.idle_deadline = time.monotonic() + self.idle

    def left(self) -> float | None:
        """Seconds until the nearest deadline (``None``: no deadline)."""
        bounds = [b for b in (self.deadline, self.idle_deadline) if b is not None]
        return min(bounds) - time.monotonic() if bounds else None

    def lower_case_headers(self) -> dict[str, str]:
        return {str(k).lower(): str(v) for k, v in (self.headers or {}).items()}


CALL: contextvars.ContextVar[CallState | None] = contextvars.ContextVar(
    "langchain_kimi_dashscope_call", default=None
)


@contextlib.contextmanager
def calling(state: CallState) -> Iterator[None]:
    """Mark the SDK code run inside as one of our calls (reset before yielding
    to a consumer: a generator shares its caller's context)."""
    token = CALL.set(state)
    try:
        yield
    finally:
        CALL.reset(token)


class DeadlineExceeded(requests.exceptions.Timeout):
    """The call's deadline, or the stream's idle bound, passed."""


class NotResentError(requests.exceptions.RequestException):
    """A connection failure; not a ``requests.ConnectionError``, so not resent."""


class NotResentTimeout(requests.exceptions.Timeout):
    """A connect timeout (requests' ``ConnectTimeout`` is a ConnectionError too)."""


class AioNotResentError(Exception):
    """An aiohttp connection failure, outside ``ClientConnectionError``."""


class AioNotResentTimeout(TimeoutError):
    """aiohttp's ``ServerTimeoutError`` is a ``ClientConnectionError`` too."""


# -- sync: requests ------------------------------------------------------------


class _Response(requests.Response):
    """A response whose body is read piece by piece under the call's deadlines."""

    _kimi_state: CallState | None = None
    _kimi_read_timeout: float | None = None

    @property
    def content(self) -> bytes:
        body: bytes = super().content or b""
        if self._kimi_state is not None:
            self._kimi_state.body = body
        return body

    def iter_content(self, chunk_size: Any = 1, decode_unicode: Any = False) -> Any:
        if self._content_consumed or decode_unicode or self.raw is None:
            return cast("Any", super()).iter_content(chunk_size, decode_unicode)
        return self._chunks()

    def iter_lines(
        self, chunk_size: Any = 512, decode_unicode: Any = False, delimiter: Any = None
    ) -> Any:
        if decode_unicode or delimiter is not None:
            return cast("Any", super()).iter_lines(
                chunk_size, decode_unicode, delimiter
            )
        return self._lines()

    def _read_timeout(self) -> tuple[float | None, bool]:
        """The next read's timeout, and whether it is our deadline's."""
        left = self._kimi_state.left() if self._kimi_state is not None else None
        if left is None:
            return self._kimi_read_timeout, False
        if left <= 0:
            raise DeadlineExceeded("The call's deadline passed.")
        if self._kimi_read_timeout is not None and self._kimi_read_timeout < left:
            return self._kimi_read_timeout, False
        return left, True

    def _chunks(self) -> Iterator[bytes]:
        raw = self.raw
        state = self._kimi_state
        timed = state is not None and (
            state.deadline is not None or state.idle is not None
        )
        sock = getattr(getattr(raw, "connection", None), "sock", None)
        if sock is None and state is not None:
            sock = state.sock
        pieces: Iterator[bytes]
        if raw.chunked and raw.supports_chunked_reads():
            pieces = raw.read_chunked(None, decode_content=True)  # each HTTP chunk
        else:  # whatever one network read gives
            pieces = iter(functools.partial(raw.read1, 65536, decode_content=True), b"")
        ours = False
        try:
            while True:
                if timed and sock is not None:  # our deadline, for this read
                    timeout, ours = self._read_timeout()
                    sock.settimeout(timeout)
                try:
                    data = next(pieces, None)
                except ReadTimeoutError as exc:
                    if ours:
                        raise DeadlineExceeded("The call's deadline passed.") from exc
                    raise requests.exceptions.ReadTimeout(exc) from exc
                if data is None:
                    break
                yield data
        except ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from exc
        except DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc) from exc
        except Urllib3SSLError as exc:
            raise requests.exceptions.SSLError(exc) from exc
        self._content_consumed = True

    def _lines(self) -> Iterator[bytes]:
        splitter = LineSplitter()
        state = self._kimi_state
        idle = state is not None and state.idle is not None
        for chunk in self.iter_content():
            for line in splitter.feed(chunk):
                if line.startswith(_DATA):
                    if is_keep_alive(line):
                        continue  # the SDK would read it as an event, and fail
                    if idle:  # each event pushes the idle deadline
                        state.event_arrived()  # type: ignore[union-attr]
                yield line


def is_keep_alive(line: bytes) -> bool:
    """Whether a ``data:`` line carries nothing (a keep-alive, not an event)."""
    return len(line) < 16 and not line[5:].strip()


class _BoundedHeaders:
    """A connection whose whole wait for the response headers ends at the
    call's deadline: the socket's timeout bounds each read only, so a server
    trickling one header line at a time would hold the call for ever. The
    watchdog shuts the socket down at the deadline, and the call is marked
    timed out."""

    sock: Any

    def getresponse(self) -> Any:
        state = CALL.get()
        left = state.left() if state is not None else None
        if state is not None:
            state.sock = self.sock
        if state is None or left is None or self.sock is None:
            return super().getresponse()  # type: ignore[misc]
        token = WATCHDOG.watch(self.sock, max(left, 0.0))
        try:
            return super().getresponse()  # type: ignore[misc]
        finally:
            if WATCHDOG.unwatch(token):
                state.headers_timed_out = True


class _Connection(_BoundedHeaders, HTTPConnection):
    pass


class _TLSConnection(_BoundedHeaders, HTTPSConnection):
    pass


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _TLSConnection


class KimiAdapter(HTTPAdapter):
    """Sends once, bounds the wait for headers, and swaps in ``_Response``."""

    def __init__(self) -> None:
        super().__init__(pool_connections=4, pool_maxsize=POOL_SIZE)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TLSPool}

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: Any = None,
    ) -> requests.Response:
        state = CALL.get()
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        left = state.left() if state is not None else None
        if left is not None:
            if left <= 0:
                raise DeadlineExceeded("The call's deadline passed before sending.")
            connect = min(connect, left) if connect else left
            read = min(read, left) if read else left
        try:
            response = super().send(
                request,
                stream=True,
                timeout=(connect, read),
                verify=verify,
                cert=cert,
                proxies=proxies,
            )
        except requests.exceptions.ConnectTimeout as exc:
            raise NotResentTimeout(exc, request=request) from exc
        except requests.exceptions.RequestException as exc:
            if state is not None and state.headers_timed_out:
                raise DeadlineExceeded("The call's deadline passed.") from exc
            if isinstance(exc, requests.exceptions.ConnectionError):
                raise NotResentError(exc, request=request) from exc
            raise
        if state is not None and state.headers_timed_out:
            response.close()
            raise DeadlineExceeded("The call's deadline passed.")
        response.__class__ = _Response
        assert isinstance(response, _Response)
        response._kimi_state = state
        response._kimi_read_timeout = (
            timeout[1] if isinstance(timeout, tuple) else timeout
        )
        if state is not None:
            state.status = response.status_code
            state.headers = response.headers
            state.response = response
        return response


def new_session() -> requests.Session:
    session = requests.Session()
    adapter = KimiAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# -- the SDK's "Request failed" log --------------------------------------------


class _QuietHandledFailures(logging.Filter):
    """Drop "Request failed" while our call handles it (DEBUG if enabled)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            CALL.get() is not None
            and record.levelno >= logging.ERROR
            and record.msg == "Request failed"
        ):
            if not logging.getLogger(record.name).isEnabledFor(logging.DEBUG):
                return False
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


_FILTER = _QuietHandledFailures()


def quiet_handled_failures() -> None:
    """Install the filter on the dashscope logger (once; inert outside our calls)."""
    logger = logging.getLogger("dashscope")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
