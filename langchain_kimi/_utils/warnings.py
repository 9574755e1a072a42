"""Warnings that point at the user's line, not at library internals.

``warnings.warn(stacklevel=N)`` needs a fixed depth, but the depth between a
user's ``llm.invoke(...)`` and the check that warns differs per path
(``invoke``, ``stream``, a pydantic validator, ...), and under ``ainvoke`` the
user's frame is not on the warning's stack at all: langchain-core runs the
call in a task of its own (``asyncio.gather``). Python 3.12's
``skip_file_prefixes`` has the same blind spot and does not exist on 3.10. So
``warn`` looks for the first frame outside the libraries involved and issues
the warning there with ``warnings.warn_explicit``; when the search reaches
asyncio's task machinery first, it uses the line a public async method
recorded on entry (``caller_recorded``), which the task's context carries.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import importlib.util
import os
import sys
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

#: Packages between a user's call and a warning; their frames are skipped.
_LIBRARIES = (
    "langchain_kimi",
    "langchain_core",
    "langchain",
    "langgraph",
    "langsmith",
    "pydantic",
    "concurrent",
)
_ASYNCIO = str(Path(asyncio.__file__).parent) + os.sep


@dataclass(frozen=True)
class _Line:
    filename: str
    lineno: int
    module_globals: dict[str, Any]


_RECORDED: contextvars.ContextVar[_Line | None] = contextvars.ContextVar(
    "langchain_kimi_call_site", default=None
)


@functools.cache
def _internal_prefixes() -> tuple[str, ...]:
    prefixes = [_ASYNCIO, threading.__file__]
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        for location in (spec and spec.submodule_search_locations) or ():
            prefixes.append(str(Path(location)) + os.sep)
    return tuple(prefixes)


def _line(frame: FrameType) -> _Line:
    return _Line(frame.f_code.co_filename, frame.f_lineno, frame.f_globals)


def _user_line(frame: FrameType | None) -> _Line | None:
    """The first frame outside the libraries, or the recorded line across a task."""
    internal = _internal_prefixes()
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(_ASYNCIO) and _RECORDED.get() is not None:
            return _RECORDED.get()
        if not filename.startswith(internal):
            return _line(frame)
        frame = frame.f_back
    return _RECORDED.get()


def caller_recorded() -> _Recorded:
    """``with caller_recorded():`` remembers the line that called the method
    it is written in, for async methods whose work langchain-core moves into
    other tasks: a warning raised there is shown at that line."""
    return _Recorded()


class _Recorded:
    def __enter__(self) -> None:
        line = _user_line(sys._getframe(1))
        self._token = _RECORDED.set(line)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _RECORDED.reset(self._token)


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """``warnings.warn`` at the user's line (see the module docstring)."""
    line = _user_line(sys._getframe(1))
    if line is None:
        warnings.warn(message, category, stacklevel=2)
        return
    module_globals = line.module_globals
    warnings.warn_explicit(
        message,
        category,
        line.filename,
        line.lineno,
        module=module_globals.get("__name__"),
        registry=module_globals.setdefault("__warningregistry__", {}),
    )
