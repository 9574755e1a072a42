"""A model used in the parent, then handed to a ``multiprocessing`` fork pool:
each worker must get its own connections, so every reply answers the
question that worker asked. The loopback server echoes each question and
keeps connections alive, so a connection shared across the fork would mix
replies up (or hang one worker on a reply another one read)."""

from __future__ import annotations

import asyncio
import multiprocessing
import socket

import pytest

from langchain_kimi import ChatKimi
from tests.integration.raw_server import Request, answer, base_url, raw_server

#: The model the workers use: set before the fork, so they inherit it as it
#: is (pickling it would start from its settings and hide the bug).
_MODEL: ChatKimi | None = None
QUESTIONS = [f"question {n}" for n in range(24)]
#: Each worker job asks a batch in turn (async: on one event loop).
BATCH = 4


def _echo(request: Request, sock: socket.socket) -> bool:
    text = f"echo: {request.last_user_text()}"
    sock.sendall(answer(request, {"role": "assistant", "content": text}))
    return True


def _ask(job: tuple[str, list[str]]) -> list[str]:
    mode, questions = job
    assert _MODEL is not None
    llm = _MODEL
    if mode == "invoke":
        return [str(llm.invoke(q).content) for q in questions]
    if mode == "stream":
        return ["".join(str(c.content) for c in llm.stream(q)) for q in questions]

    async def one(question: str) -> str:
        if mode == "ainvoke":
            return str((await llm.ainvoke(question)).content)
        return "".join([str(c.content) async for c in llm.astream(question)])

    async def run() -> list[str]:
        return [await one(q) for q in questions]

    return asyncio.run(run())


def _use_in_parent(llm: ChatKimi, mode: str) -> asyncio.AbstractEventLoop | None:
    """Make a call in the parent so a pooled connection stays open; async
    calls run on a loop kept open, so its client stays alive too."""
    if mode in ("invoke", "stream"):
        llm.invoke("parent")
        list(llm.stream("parent"))
        return None
    loop = asyncio.new_event_loop()
    loop.run_until_complete(llm.ainvoke("parent"))
    return loop


@pytest.mark.parametrize("mode", ["invoke", "stream", "ainvoke", "astream"])
def test_forked_workers_never_share_the_parents_connections(
    transport: str, mode: str
) -> None:
    global _MODEL
    with raw_server(_echo) as server:
        _MODEL = ChatKimi(
            api_key="sk-test",
            base_url=base_url(server, transport),
            transport=transport,
            max_retries=0,
            timeout=5,
        )
        loop = _use_in_parent(_MODEL, mode)
        try:
            batches = [
                (mode, QUESTIONS[n : n + BATCH])
                for n in range(0, len(QUESTIONS), BATCH)
            ]
            with multiprocessing.get_context("fork").Pool(3) as pool:
                replies = pool.map(_ask, batches, chunksize=1)
            assert [r for batch in replies for r in batch] == [
                f"echo: {q}" for q in QUESTIONS
            ]
            assert _MODEL.invoke("parent again").content == "echo: parent again"
        finally:
            if loop is not None:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()
            _MODEL = None
