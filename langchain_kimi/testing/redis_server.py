"""A throwaway ``redis-server`` on a free loopback port, for tests of a shared
``KimiRateLimiter`` (the Debian package's binary; nothing is written to disk).

>>> with RedisServer() as redis:
...     limiter = KimiRateLimiter(requests_per_minute=500, redis_url=redis.url)

``stop()`` and ``start()`` take it down and bring it back on the same port,
to show what callers do while the store is unreachable.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from types import TracebackType

BINARY = "redis-server"


def available() -> bool:
    """Whether a ``redis-server`` binary is on ``PATH``."""
    return shutil.which(BINARY) is not None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """One ``redis-server`` process; ``password`` turns on ``requirepass``."""

    def __init__(self, *, password: str | None = None) -> None:
        self.port = free_port()
        self.password = password
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 5.0) -> None:
        """Start it and wait until it accepts connections."""
        binary = shutil.which(BINARY) or BINARY
        command = [binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        if self.password:
            command += ["--requirepass", self.password]
        self._process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), 0.1):
                    return
            except OSError:
                if self._process.poll() is not None:
                    break
                time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not start on port {self.port}.")

    def stop(self) -> None:
        """Stop it (its data is gone: nothing was saved)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=5)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
