"""One async resource per running event loop, closed inside that loop when it ends.

An aiohttp session or an ``AsyncOpenAI`` client holds sockets bound to one
loop. Keeping one per loop lets every call on that loop reuse its pooled
connections; closing it inside its own loop (the only place that can) keeps a
model used under many ``asyncio.run`` calls from leaking sockets or logging
"Event loop is closed". The closing hook is an async generator suspended in
the loop: ``asyncio.run``, ``asyncio.Runner`` and pytest-asyncio call
``loop.shutdown_asyncgens()`` before closing a loop, which finishes it there.
A loop that is never closed (a module-level loop driven by
``run_until_complete``) has its resources closed in it at interpreter exit.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import threading
import weakref
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_ALL: weakref.WeakSet[PerLoop[Any]] = weakref.WeakSet()


@atexit.register
def _close_at_exit() -> None:
    for pools in list(_ALL):
        pools.close_idle_loops()


def forget_all_loops() -> None:
    """In a forked child: the inherited resources are the parent's; exit must
    not close them."""
    _ALL.clear()


class PerLoop(Generic[T]):
    """``await get()`` gives the running loop's resource, made on first use."""

    def __init__(
        self, factory: Callable[[], T], aclose: Callable[[T], Awaitable[object]]
    ) -> None:
        self._factory = factory
        self._aclose = aclose
        self._lock = threading.Lock()
        #: id(loop) -> (the loop, weakly; the resource; its closer)
        self._items: dict[
            int,
            tuple[
                weakref.ref[asyncio.AbstractEventLoop],
                T,
                AsyncGenerator[None, None],
            ],
        ] = {}
        _ALL.add(self)

    async def get(self) -> T:
        loop = asyncio.get_running_loop()
        item = self._items.get(id(loop))
        if item is not None and item[0]() is loop:
            return item[1]
        self._reap()
        resource = self._factory()
        closer = self._closer(id(loop), resource)
        await closer.asend(None)  # now suspended, and tracked by the loop
        with self._lock:
            self._items[id(loop)] = (weakref.ref(loop), resource, closer)
        return resource

    async def aclose(self) -> None:
        """Close the running loop's resource now (the next call makes another)."""
        item = self._items.get(id(asyncio.get_running_loop()))
        if item is not None:
            await item[2].aclose()

    def __len__(self) -> int:
        return len(self._items)

    def close_idle_loops(self) -> None:
        """Close, each in its own loop, the resources of loops that still exist
        but are not running (e.g. a module-level loop at interpreter exit)."""
        with self._lock:
            items = list(self._items.values())
        for ref, _, closer in items:
            loop = ref()
            if loop is not None and not loop.is_closed() and not loop.is_running():
                with contextlib.suppress(Exception):
                    loop.run_until_complete(closer.aclose())

    async def _closer(self, key: int, resource: T) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            with self._lock:
                self._items.pop(key, None)
            with contextlib.suppress(Exception):  # at loop shutdown: nobody to tell
                await self._aclose(resource)

    def _reap(self) -> None:
        """Forget resources of loops closed without ``shutdown_asyncgens()``.

        Their sockets cannot be closed any more (that needs the loop); the
        closer is finished here so that collecting it does not touch the
        closed loop.
        """
        with self._lock:
            dead = [
                key
                for key, (ref, _, _) in self._items.items()
                if (loop := ref()) is None or loop.is_closed()
            ]
            closers = [self._items.pop(key)[2] for key in dead]
        for closer in closers:
            step = closer.athrow(GeneratorExit)
            try:
                step.send(None)
            except BaseException:  # noqa: S110 - GeneratorExit/StopIteration expected
                pass
            finally:
                step.close()
