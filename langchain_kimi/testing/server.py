"""An aiohttp app served on loopback from a background thread with its own loop.

The server also stands in for the network between a client and the service:
``connect_delay`` holds back the first request on each new TCP connection (the
TCP and TLS set-up a real client pays once per connection), and it counts the
connections it served and the requests each carried, so a test or benchmark
can see whether a client reuses its connections.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Self

from aiohttp import web

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class ConnectionStats:
    """Connections opened since the last reset and the requests they carried.

    ``requests`` counts every tracked request since the reset, including those
    on connections opened before it; ``per_connection`` lists, in opening
    order, the requests on each connection opened since.
    """

    opened: int
    requests: int
    per_connection: tuple[int, ...]


class _ConnectionLog:
    """Per-connection request counts, keyed weakly on the connection's transport.

    aiohttp keeps one transport per TCP connection for its whole life, so the
    first request seen on a transport is the first on a new connection.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: weakref.WeakKeyDictionary[asyncio.BaseTransport, list[int]]
        self._known = weakref.WeakKeyDictionary()
        self._opened: list[list[int]] = []
        self._requests = 0

    def count(self, transport: asyncio.BaseTransport) -> bool:
        """Count one request on ``transport``; true if it is the connection's first."""
        with self._lock:
            self._requests += 1
            counter = self._known.get(transport)
            if counter is not None:
                counter[0] += 1
                return False
            counter = [1]
            self._known[transport] = counter
            self._opened.append(counter)
            return True

    def stats(self) -> ConnectionStats:
        with self._lock:
            per_connection = tuple(counter[0] for counter in self._opened)
            return ConnectionStats(len(per_connection), self._requests, per_connection)

    def reset(self) -> None:
        """Start counting afresh; open connections stay known (no second delay)."""
        with self._lock:
            self._opened = []
            self._requests = 0


class LoopbackServer:
    """Serves ``routes`` on ``host:port`` (an ephemeral port by default).

    Use as a context manager or ``start()`` / ``stop()``; ``url`` is known once
    started. Requests whose path starts with ``control_prefix`` (a control
    endpoint, not the service) neither pay ``connect_delay`` nor count.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        connect_delay: float = 0.0,
        control_prefix: str | None = None,
    ) -> None:
        self._host, self._port = host, port
        self.connect_delay = connect_delay
        self._control_prefix = control_prefix
        self._connections = _ConnectionLog()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self._host}:{self._port}"

    @property
    def bound_address(self) -> tuple[str, int]:
        """The host and port served on (the port known once started)."""
        return self._host, self._port

    def routes(self, app: web.Application) -> None:
        """Add the server's routes to ``app``."""
        raise NotImplementedError

    def connections(self) -> ConnectionStats:
        """TCP connections opened (and requests served) since the last reset."""
        return self._connections.stats()

    def reset_connections(self) -> None:
        self._connections.reset()

    def start(self) -> Self:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as exc:  # reported to start()
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._shutdown())
            loop.close()

        self._thread = threading.Thread(target=run, name="kimi-simulator", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @web.middleware
    async def _per_connection(
        self, request: web.Request, handler: _Handler
    ) -> web.StreamResponse:
        """Count the request; delay it if it is the first on its connection."""
        transport = request.transport
        control = self._control_prefix and request.path.startswith(self._control_prefix)
        if transport is not None and not control:
            first = self._connections.count(transport)
            if first and self.connect_delay:
                await asyncio.sleep(self.connect_delay)
        return await handler(request)

    async def _serve(self) -> None:
        app = web.Application(
            client_max_size=64 * 1024 * 1024, middlewares=[self._per_connection]
        )
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        # A deep accept queue: a benchmark may open a thousand connections at once.
        site = web.TCPSite(self._runner, self._host, self._port, backlog=1024)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        self._port = sockets[0].getsockname()[1]

    async def _shutdown(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
