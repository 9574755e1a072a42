"""Closing iterators promptly, in order, from the outside in.

A stream is a chain of generators (the caller's, the parser's, the retry
wrapper's, the transport's, the HTTP client's). Left to the garbage collector,
an async generator is closed by a task the event loop schedules later; if the
loop ends first, ``shutdown_asyncgens()`` closes the whole chain at once, in
no order, and the HTTP client's generators trip over each other ("aclose():
asynchronous generator is already running"). So each link closes the one it
reads from as soon as it stops itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator


def close(iterator: Iterator[object]) -> None:
    """Close a generator (no-op for other iterators or a finished one)."""
    closer = getattr(iterator, "close", None)
    if closer is not None:
        closer()


async def aclose(iterator: AsyncIterator[object]) -> None:
    """Close an async generator (no-op for other iterators or a finished one)."""
    closer = getattr(iterator, "aclose", None)
    if closer is not None:
        await closer()
