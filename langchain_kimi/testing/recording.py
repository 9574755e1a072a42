"""What the simulator keeps: the requests it received and the replies it will send."""

from __future__ import annotations

import collections
import threading
from dataclasses import dataclass, field
from typing import Any

from langchain_kimi.testing.replies import Fault, Reply


@dataclass
class RecordedRequest:
    """One request as the simulator received it.

    ``finished`` turns true once its answer is over: sent whole, or cut short
    because the client closed the connection (a stream it stopped reading).
    """

    protocol: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int = 200
    finished: bool = False

    @property
    def model(self) -> Any:
        return self.body.get("model")

    @property
    def messages(self) -> list[dict[str, Any]]:
        if self.protocol == "dashscope":
            return list((self.body.get("input") or {}).get("messages") or [])
        return list(self.body.get("messages") or [])

    @property
    def params(self) -> dict[str, Any]:
        """Request parameters, whichever protocol carried them."""
        if self.protocol == "dashscope":
            return dict(self.body.get("parameters") or {})
        return {k: v for k, v in self.body.items() if k not in ("model", "messages")}


@dataclass
class ReplyQueue:
    """Queued replies and faults, popped in order from the server's thread."""

    items: collections.deque[Reply | Fault] = field(default_factory=collections.deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def pop(self) -> Reply | Fault | None:
        with self.lock:
            return self.items.popleft() if self.items else None
