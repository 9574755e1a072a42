"""Connection reuse on every path (issue 13), counted by the simulator, not timed.

Sequential calls of one kind on one model open one connection; N concurrent
calls at most N; a stream left early is closed at once; async pools live one
per event loop and close with it; one model builds one transport however many
threads make its first call; sync native streams deliver each event when it
arrives; transports pickle and deep-copy as their settings.
"""

import asyncio
import copy
import os
import pickle
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from langchain_kimi import ChatKimi
from langchain_kimi.chat_models import base as chat_models
from langchain_kimi.testing import Fault, KimiSimulator, Reply
from langchain_kimi.transports import make_transport
from tests.integration.calls import MODES, STREAMS, call


def _gather(llm: ChatKimi, mode: str, count: int) -> None:
    """``count`` calls of ``mode`` at once (threads for sync, one loop for async)."""
    if mode.startswith("a"):

        async def run() -> None:
            await asyncio.gather(*(_acall(llm, mode) for _ in range(count)))

        asyncio.run(run())
        return
    threads = [threading.Thread(target=call, args=(llm, mode)) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)


async def _acall(llm: ChatKimi, mode: str) -> Any:
    if mode == "ainvoke":
        return await llm.ainvoke("hi")
    return [chunk async for chunk in llm.astream("hi")]


@pytest.mark.parametrize("mode", MODES)
def test_sequential_calls_open_one_connection(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    llm = make_llm()
    kimi_simulator.queue(*(Reply(content=["Reused ", "connection."]) for _ in range(6)))
    kimi_simulator.reset_connections()
    if mode.startswith("a"):

        async def six() -> None:
            for _ in range(6):
                await _acall(llm, mode)

        asyncio.run(six())
    else:
        for _ in range(6):
            call(llm, mode)
    stats = kimi_simulator.connections()
    assert (stats.opened, stats.requests) == (1, 6)


@pytest.mark.parametrize("mode", MODES)
def test_n_concurrent_calls_open_at_most_n_connections(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    llm = make_llm()
    call(llm, "invoke")  # the model's first call, alone
    kimi_simulator.reset_connections()
    _gather(llm, mode, 8)
    stats = kimi_simulator.connections()
    assert stats.requests == 8
    assert stats.opened <= 8


@pytest.mark.parametrize("mode", STREAMS)
def test_a_stream_left_early_is_closed_at_once(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    llm = make_llm()
    kimi_simulator.queue(
        Fault(kind="stall", after_events=2, stall=60, reply=Reply(content="a b c d"))
    )
    if mode == "stream":
        for _ in llm.stream("hi"):
            break
    else:

        async def first() -> None:
            async for _ in llm.astream("hi"):
                break
            await _until(lambda: kimi_simulator.last_request.finished)

        asyncio.run(first())
    _until_sync(lambda: kimi_simulator.last_request.finished)
    assert kimi_simulator.last_request.finished


async def _until(done: Callable[[], bool], limit: float = 10) -> None:
    end = time.monotonic() + limit
    while not done() and time.monotonic() < end:
        await asyncio.sleep(0.01)


def _until_sync(done: Callable[[], bool], limit: float = 10) -> None:
    end = time.monotonic() + limit
    while not done() and time.monotonic() < end:
        time.sleep(0.01)


@pytest.mark.parametrize("mode", STREAMS)
@pytest.mark.parametrize("framing", ["chunked", "close-delimited"])
def test_each_event_is_delivered_when_it_arrives(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    transport: str,
    mode: str,
    framing: str,
) -> None:
    """The simulator sends the first text event, then waits for our release,
    which the test gives only once that event has reached it: a client that
    held events back would wait for the stall to end and time out instead."""
    events = 2 if transport == "openai" else 1  # the role chunk, then text
    kimi_simulator.queue(
        Fault(
            kind="stall",
            after_events=events,
            stall=60,
            close_delimited=framing == "close-delimited",
            reply=Reply(content=["First ", "second."]),
        )
    )
    llm = make_llm(timeout=15)
    received: list[str] = []

    def on_chunk(text: str) -> None:
        if text and not received:
            kimi_simulator.release()
        received.append(text)

    if mode == "stream":
        for chunk in llm.stream("hi"):
            on_chunk(str(chunk.content))
    else:

        async def run() -> None:
            async for chunk in llm.astream("hi"):
                on_chunk(str(chunk.content))

        asyncio.run(run())
    assert "".join(received) == "First second."


@pytest.mark.parametrize("mode", MODES)
def test_a_multi_megabyte_line_is_read_whole(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    text = "z" * (6 * 2**20)
    kimi_simulator.queue(Reply(content=[text]))
    assert call(make_llm(), mode).content == text


@pytest.mark.parametrize("mode", STREAMS)
def test_line_separators_inside_json_do_not_split_events(
    llm: ChatKimi, kimi_simulator: KimiSimulator, mode: str
) -> None:
    text = "a\u2028b\u2029c\x85d\x0be\x1cf"  # str.splitlines() would split each
    kimi_simulator.queue(Reply(content=[text, " end"]))
    assert call(llm, mode).content == text + " end"


def test_one_transport_per_model_when_16_threads_start_at_once(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[object] = []

    def counting(kind: str, **settings: Any) -> Any:
        time.sleep(0.05)  # widen the race window
        transport = make_transport(kind, **settings)
        built.append(transport)
        return transport

    monkeypatch.setattr(chat_models, "make_transport", counting)
    llm = make_llm()
    barrier = threading.Barrier(16)
    errors: list[BaseException] = []

    def first_call() -> None:
        barrier.wait()
        try:
            llm.invoke("hi")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first_call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(built) == 1
    assert len(kimi_simulator.requests) == 16


SCRIPT = textwrap.dedent(
    """
    import asyncio, contextlib, gc, os
    from langchain_kimi import ChatKimi

    async def both(llm):
        await llm.ainvoke("hi")
        async for _ in llm.astream("hi"):
            pass
        async with contextlib.aclosing(llm.astream("hi")) as stream:
            async for _ in stream:
                break  # left early, closed by the caller
        async for _ in llm.astream("hi"):
            break  # left early, left to the loop to close

    for transport in ("openai", "dashscope"):
        llm = ChatKimi(api_key=os.environ["KEY"], base_url=os.environ[transport],
                       transport=transport, max_retries=0)
        for _ in range(4):
            asyncio.run(both(llm))
        with asyncio.Runner() as runner:
            runner.run(both(llm))
    gc.collect()
    print("done", flush=True)
    """
)


def test_repeated_asyncio_run_leaves_no_warning_or_open_pool(
    kimi_simulator: KimiSimulator,
) -> None:
    env = {
        **os.environ,
        "KEY": kimi_simulator.api_key,
        "openai": kimi_simulator.openai_base_url,
        "dashscope": kimi_simulator.native_base_url,
        "PYTHONWARNINGS": "default",
    }
    kimi_simulator.reset_connections()
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "done"
    for sign in (
        "Task exception was never retrieved",
        "error occurred during closing of asynchronous generator",
        "already running",
        "ignored GeneratorExit",
        "Event loop is closed",
        "ResourceWarning",
        "Unclosed",
        "unclosed",
        "Exception ignored",
    ):
        assert sign not in result.stderr, result.stderr
    # One pool per loop: 5 loops per transport; a stream left early costs its
    # connection (it is closed, not returned unread to the pool).
    assert kimi_simulator.connections().opened <= 2 * 5 * 3


@pytest.mark.parametrize("kind", ["openai", "dashscope"])
def test_transports_pickle_and_deep_copy_as_settings_after_use(
    kimi_simulator: KimiSimulator, kind: str
) -> None:
    llm = ChatKimi(
        api_key=kimi_simulator.api_key,
        base_url=kimi_simulator.base_url_for(kind),
        transport=kind,
        max_retries=0,
    )
    llm.invoke("hi")
    asyncio.run(llm.ainvoke("hi"))
    transport = llm._get_transport()
    client = transport.client  # type: ignore[attr-defined]
    for clone in (pickle.loads(pickle.dumps(transport)), copy.deepcopy(transport)):
        assert clone._client is None and clone._aclients is None  # type: ignore[attr-defined]
        copied = llm.model_copy()
        copied._transport = clone
        assert copied.invoke("hi").content
        assert asyncio.run(copied.ainvoke("hi")).content
        assert clone.client is not client  # type: ignore[attr-defined]
    assert transport.client is client  # type: ignore[attr-defined]


@pytest.mark.parametrize("mode", STREAMS)
@pytest.mark.parametrize("timeout", [None, 30.0], ids=["no-timeout", "timeout"])
def test_a_body_held_open_after_done_does_not_hold_back_the_streams_end(
    kimi_simulator: KimiSimulator, mode: str, timeout: float | None
) -> None:
    """After ``[DONE]`` the body's end is read for at most a moment (so the
    connection is reused); a body kept open is closed with its connection."""
    llm = ChatKimi(
        api_key=kimi_simulator.api_key,
        base_url=kimi_simulator.openai_base_url,
        max_retries=0,
        timeout=timeout,
    )
    held = Fault(kind="hold_open", stall=30, reply=Reply(content=["Held ", "open."]))
    kimi_simulator.queue(held, Reply(content="Next."))
    kimi_simulator.reset_connections()
    start = time.monotonic()
    message = call(llm, mode)
    assert time.monotonic() - start < 10  # not the 30 s the body stays open
    assert message.content == "Held open."
    assert message.response_metadata["finish_reason"] == "stop"
    assert message.usage_metadata is not None
    assert call(llm, mode).content == "Next."
    assert kimi_simulator.connections().opened == 2  # the held one was not reused


@pytest.mark.parametrize("mode", MODES)
def test_a_closed_transport_reopens_on_the_next_call(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    llm = make_llm()
    transport = llm._get_transport()
    kimi_simulator.reset_connections()
    if mode.startswith("a"):

        async def twice() -> list[Any]:
            first = await _acall(llm, mode)
            await transport.aclose()
            return [first, await _acall(llm, mode)]

        answers = asyncio.run(twice())
    else:
        first = call(llm, mode)
        transport.close()
        answers = [first, call(llm, mode)]
    assert all(answers)
    assert kimi_simulator.connections().opened == 2  # the pool was closed, then rebuilt
