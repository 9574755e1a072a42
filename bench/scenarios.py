"""What the benchmark measures, one function per scenario.

Throughput (stream, invoke, ainvoke) runs in this process, interleaved round
by round. Import time, streaming memory, each (client, method) cell of the
connection scenario and the 1,000-stream scale run start a fresh interpreter:
several clients keep process-wide pools (the dashscope SDK's shared session,
langchain-openai's cached HTTP clients), and a connection one client left in
such a pool would hide whether the next one opens its own.
"""

from __future__ import annotations

import asyncio
import collections
import json
import resource
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from clients import Client, Server, make_client, thinking_reply

RUN = Path(__file__).resolve().parent / "run.py"

#: One loop for every async run in this process: the raw AsyncOpenAI client
#: (like most async clients) cannot be reused once the loop it first ran on is
#: closed, and pooled connections belong to one loop.
LOOP = asyncio.new_event_loop()


def timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def run_concurrent(
    ainvoke: Callable[[], Awaitable[Any]], calls: int, limit: int
) -> None:
    async def main() -> None:
        gate = asyncio.Semaphore(limit)

        async def one() -> None:
            async with gate:
                await ainvoke()

        await asyncio.gather(*(one() for _ in range(calls)))

    LOOP.run_until_complete(main())


def close_loop() -> None:
    """Let ``LOOP``'s last clean-up tasks (closing connections) finish."""
    pending = asyncio.all_tasks(LOOP)
    if pending:
        LOOP.run_until_complete(asyncio.wait(pending, timeout=1))
    LOOP.run_until_complete(LOOP.shutdown_asyncgens())
    LOOP.close()


# -- time to first chunk, connections -------------------------------------


def first_chunk_seconds(stream: Callable[[], Iterator[str]], times: int) -> list[float]:
    """Seconds to the first chunk of ``times`` sequential streams, each read
    to its end (a stream left unread cannot give its connection back)."""

    def one() -> float:
        start = time.perf_counter()
        pieces = stream()
        next(pieces)
        took = time.perf_counter() - start
        collections.deque(pieces, maxlen=0)
        return took

    return [one() for _ in range(times)]


def afirst_chunk_seconds(
    astream: Callable[[], AsyncIterator[str]], times: int
) -> list[float]:
    """``first_chunk_seconds`` for async streams, all on ``LOOP``."""

    async def main() -> list[float]:
        seconds = []
        for _ in range(times):
            start = time.perf_counter()
            pieces = astream()
            await anext(pieces)
            seconds.append(time.perf_counter() - start)
            async for _ in pieces:
                pass
        return seconds

    return LOOP.run_until_complete(main())


def sequential(call: Callable[[], Any], times: int) -> None:
    for _ in range(times):
        call()


def asequential(acall: Callable[[], Awaitable[Any]], times: int) -> None:
    async def main() -> None:
        for _ in range(times):
            await acall()

    LOOP.run_until_complete(main())


def opened_during(server: Server, call: Callable[[], Any]) -> tuple[int, Any]:
    """Connections ``server`` saw opened while ``call`` ran, and its result."""
    before = server.connections()["opened"]
    result = call()
    return server.connections()["opened"] - before, result


# -- fresh interpreters -----------------------------------------------------


def import_time(statement: str) -> float:
    code = (
        "import time; t = time.perf_counter(); "
        f"{statement}; print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-X", "frozen_modules=on", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def _child(kind: str, client: str, *arguments: str) -> str:
    """The last line a child run of ``run.py`` printed."""
    out = subprocess.run(
        [sys.executable, str(RUN), "--child", kind, client, *arguments],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"{kind} run for {client} failed:\n{out.stderr}")
    return out.stdout.strip().splitlines()[-1]


def memory_growth(client: str, server: Server, chars: int) -> float:
    """Peak traced allocation growth, in a fresh process, while streaming."""
    server.queue({"content": ["x" * 100] * 10, "reasoning": None})
    server.queue({"content": ["x" * 100] * (chars // 100), "reasoning": None})
    return float(_child("memory", client, "--url", server.url))


def memory_child(client: str, url: str) -> None:
    import tracemalloc

    stream = make_client(Server(url), client).stream
    "".join(stream())  # warm up: imports, connection, caches
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    "".join(stream())  # the caller keeps the text, as a real one would
    _, peak = tracemalloc.get_traced_memory()
    print(peak - base)


#: The reply in the connection and scale scenarios: 10 reasoning and 10
#: content deltas.
SMALL_REPLY = thinking_reply(20)

#: Each cell of the connection scenario: its calls and what they return (the
#: seconds to each first chunk for streams).
CALLS: dict[str, Callable[[Client, int], list[float] | None]] = {
    "invoke": lambda client, calls: sequential(client.invoke, calls),
    "stream": lambda client, calls: first_chunk_seconds(client.stream, calls),
    "ainvoke": lambda client, calls: asequential(client.ainvoke, calls),
    "astream": lambda client, calls: afirst_chunk_seconds(client.astream, calls),
}


def connections(client: str, method: str, server: Server, calls: int) -> dict[str, Any]:
    """``calls`` sequential calls of ``method`` by a fresh ``client``, in a
    fresh process: connections opened, and seconds to each first chunk."""
    arguments = ["--url", server.url, "--count", str(calls)]
    return dict(json.loads(_child("connections", client, method, *arguments)))


def connections_child(client: str, method: str, url: str, calls: int) -> None:
    server = Server(url)
    server.queue(*[SMALL_REPLY] * calls)
    instance = make_client(server, client)
    opened, seconds = opened_during(server, lambda: CALLS[method](instance, calls))
    close_loop()
    print(json.dumps({"connections": opened, "first_chunk_seconds": seconds}))


def scale(client: str, server: Server, streams: int) -> dict[str, Any]:
    """``streams`` concurrent ``astream`` calls on one loop, in a fresh process."""
    arguments = ["--url", server.url, "--count", str(streams)]
    return dict(json.loads(_child("scale", client, *arguments)))


def scale_child(client: str, url: str, streams: int) -> None:
    """Print total seconds, peak RSS growth and connections opened as JSON.

    One warm-up stream first (imports, the client's pool); then every stream
    starts at once and is read to its end. Memory is the process's peak
    resident size growth, so buffers outside Python's allocator count too.
    """
    server = Server(url)
    server.queue(*[SMALL_REPLY] * (streams + 1))
    astream = make_client(server, client).astream

    async def drain() -> None:
        async for _ in astream():
            pass

    async def main() -> dict[str, Any]:
        await drain()
        opened = server.connections()["opened"]
        resident = _resident()
        start = time.perf_counter()
        await asyncio.gather(*(drain() for _ in range(streams)))
        seconds = time.perf_counter() - start
        return {
            "seconds": seconds,
            "peak_rss_growth_bytes": _peak_rss() - resident,
            "connections": server.connections()["opened"] - opened,
        }

    print(json.dumps(asyncio.run(main())))


def _resident() -> int:
    """This process's resident set size now, in bytes (its peak where unknown)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return _peak_rss()
    return pages * resource.getpagesize()


def _peak_rss() -> int:
    """This process's peak resident set size, in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024
