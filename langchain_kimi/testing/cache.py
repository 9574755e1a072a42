"""The context cache, as the simulator keeps it: prompt prefixes seen before.

Every Kimi model on the latest page has context cache. Two ways in:
*explicit*, a content block carrying ``cache_control`` marks the prompt up to
its message for caching (a hit the next time the same marked prefix comes,
whatever its size); *implicit*, any prefix of at least
``IMPLICIT_MIN_TOKENS`` sent before is read from cache. A hit is reported as
``prompt_tokens_details.cached_tokens``; a marked prefix stored for the first
time as ``cache_creation_input_tokens``. Per model, until ``clear()``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_kimi.request.tokens import estimate_text
from langchain_kimi.testing.content import cache_marked

#: Model Studio's implicit cache starts at 1,024 tokens.
IMPLICIT_MIN_TOKENS = 1024


class PromptCache:
    """Prefixes seen, by digest: marked ones (explicit) and all (implicit)."""

    def __init__(self) -> None:
        self._marked: set[str] = set()
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._marked.clear()
            self._seen.clear()

    def account(
        self, model: str, messages: Sequence[Mapping[str, Any]]
    ) -> tuple[int, int]:
        """``(cached, created)`` tokens for this prompt, then remember it."""
        digest = hashlib.sha256(model.encode())
        prefixes: list[tuple[str, int, bool]] = []
        tokens = 0
        for message in messages:
            text = json.dumps(message, ensure_ascii=False, sort_keys=True)
            digest.update(text.encode())
            tokens += estimate_text(text)
            prefixes.append((digest.hexdigest(), tokens, cache_marked(message)))
        with self._lock:
            cached = max(
                (
                    size
                    for key, size, marked in prefixes
                    if (marked and key in self._marked)
                    or (size >= IMPLICIT_MIN_TOKENS and key in self._seen)
                ),
                default=0,
            )
            new_marks = [
                size
                for key, size, marked in prefixes
                if marked and key not in self._marked
            ]
            created = max(max(new_marks, default=0) - cached, 0)
            for key, _, marked in prefixes:
                self._seen.add(key)
                if marked:
                    self._marked.add(key)
        return cached, created
