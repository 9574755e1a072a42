"""A bound on blocking socket reads that the HTTP client's own timeout cannot give.

httpx2 applies one read timeout, fixed when a body's reading starts, to
every read of that body; the sync openai stream's drain after ``[DONE]``
needs a much shorter one. ``WATCHDOG.watch(sock, seconds)`` shuts the socket
down if it is still watched when ``seconds`` pass, which wakes a blocked
``recv`` with end-of-file; ``unwatch`` says whether that happened. One daemon
thread serves every watch: it sleeps until the earliest deadline and is woken
only by a watch due before that, so a watch usually costs a lock and a dict
entry.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import threading
import time


class Watchdog:
    """Shuts watched sockets down at their deadlines (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._due: dict[int, tuple[float, socket.socket]] = {}
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None
        #: When the thread wakes next (``None``: only when notified).
        self._wake_at: float | None = None

    def watch(self, sock: socket.socket, seconds: float) -> int:
        """Start watching ``sock``; the token to pass to ``unwatch``."""
        deadline = time.monotonic() + seconds
        with self._lock:
            token = next(self._tokens)
            self._due[token] = (deadline, sock)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="langchain-kimi-watchdog", daemon=True
                )
                self._thread.start()
            elif self._wake_at is None or deadline < self._wake_at:
                self._lock.notify()
        return token

    def unwatch(self, token: int) -> bool:
        """Stop watching; whether the deadline came first (the socket is shut)."""
        with self._lock:
            return self._due.pop(token, None) is None

    def _run(self) -> None:
        with self._lock:
            while True:
                if not self._due:
                    self._wake_at = None
                    self._lock.wait()
                    continue
                now = time.monotonic()
                self._wake_at = min(deadline for deadline, _ in self._due.values())
                if self._wake_at > now:
                    self._lock.wait(self._wake_at - now)
                    continue
                for token, (deadline, sock) in list(self._due.items()):
                    if deadline <= now:
                        del self._due[token]
                        with contextlib.suppress(OSError):  # already closed
                            socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def _forget_thread(self) -> None:
        """In a forked child: the thread did not come along; start another."""
        self._lock = threading.Condition()
        self._due.clear()
        self._thread = None
        self._wake_at = None


WATCHDOG = Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=WATCHDOG._forget_thread)
