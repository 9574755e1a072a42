"""The idle bound of an async stream: one moving deadline, not a timer per event.

``anyio.fail_after`` around each wait for an event costs about 10 µs an event
(a cancel scope and a timer, made and dropped each time). ``IdleClock`` keeps
one timer for the whole stream: ``start()`` before a wait only moves a float
deadline, and the timer, when it comes due, re-arms itself at the moved
deadline unless the task is still waiting past it, in which case it cancels
the task. ``timed_out()`` then tells that cancellation from anyone else's and
withdraws it (``Task.uncancel``, Python 3.11+), as ``asyncio.timeout`` does.
Between waits (the caller holds an event) the clock does not run, so only time
spent waiting on the service counts.
"""

from __future__ import annotations

import asyncio


class IdleClock:
    """Bounds each wait between ``start()`` and ``stop()`` by ``idle`` seconds."""

    __slots__ = (
        "_cancelling",
        "_deadline",
        "_fired",
        "_handle",
        "_idle",
        "_loop",
        "_task",
        "_waiting",
    )

    def __init__(self, idle: float) -> None:
        self._idle = max(idle, 0.0)
        self._loop = asyncio.get_running_loop()
        self._task: asyncio.Task[object] | None = None
        self._deadline = 0.0
        self._waiting = False
        self._fired = False
        self._cancelling = 0
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """A wait begins: it may last ``idle`` seconds from now."""
        self._task = asyncio.current_task(self._loop)
        self._deadline = self._loop.time() + self._idle
        self._waiting = True
        if self._handle is None:
            self._handle = self._loop.call_at(self._deadline, self._due)

    def stop(self) -> None:
        """The wait ended (the clock stands still until the next ``start``)."""
        self._waiting = False

    def timed_out(self) -> bool:
        """Whether the ``CancelledError`` being handled is this clock's; if so
        it is withdrawn, and the caller raises ``TimeoutError`` instead."""
        if not self._fired:
            return False
        self._fired = False
        uncancel = getattr(self._task, "uncancel", None)  # Python 3.11+
        return uncancel is None or uncancel() <= self._cancelling

    def close(self) -> None:
        """Drop the timer (the stream is over)."""
        self._waiting = False
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _due(self) -> None:
        self._handle = None
        if not self._waiting or self._task is None:
            return  # re-armed by the next start()
        if self._loop.time() < self._deadline:  # moved on since: wait for it
            self._handle = self._loop.call_at(self._deadline, self._due)
            return
        cancelling = getattr(self._task, "cancelling", None)
        self._cancelling = cancelling() if cancelling is not None else 0
        self._fired = True
        self._task.cancel()
