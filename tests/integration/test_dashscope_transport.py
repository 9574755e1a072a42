"""What only the dashscope transport has to prove: lazy import, isolation, no leaks."""

import asyncio
import os
import subprocess
import sys
import threading
import time

import dashscope

from langchain_kimi import ChatKimi
from langchain_kimi.testing import KimiSimulator, Reply


def test_import_does_not_load_dashscope() -> None:
    code = (
        "import sys, langchain_kimi; "
        "assert 'dashscope' not in sys.modules, 'dashscope imported eagerly'; "
        "from langchain_kimi import ChatKimi; "
        "ChatKimi(api_key='k', transport='dashscope'); "
        "assert 'dashscope' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_two_endpoints_and_keys_side_by_side_across_threads() -> None:
    with KimiSimulator(api_key="sk-one") as one, KimiSimulator(api_key="sk-two") as two:
        first = ChatKimi(
            api_key="sk-one", base_url=one.native_base_url, transport="dashscope"
        )
        second = ChatKimi(
            api_key="sk-two", base_url=two.native_base_url, transport="dashscope"
        )
        one.queue(*(Reply(content=f"one {i}") for i in range(10)))
        two.queue(*(Reply(content=f"two {i}") for i in range(10)))
        answers: dict[str, list[object]] = {"one": [], "two": []}
        errors: list[BaseException] = []

        def run(name: str, llm: ChatKimi) -> None:
            try:
                for _ in range(10):
                    answers[name].append(llm.invoke("hi").content)
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=run, args=(name, llm))
            for name, llm in (("one", first), ("two", second))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert answers == {
            name: [f"{name} {i}" for i in range(10)] for name in ("one", "two")
        }
        assert len(one.requests) == len(two.requests) == 10
        assert dashscope.api_key is None  # module globals untouched
        assert all(r.headers["Authorization"] == "Bearer sk-one" for r in one.requests)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _settled_fds(limit: int) -> int:
    deadline = time.monotonic() + 5
    count = _open_fds()
    while count > limit and time.monotonic() < deadline:
        time.sleep(0.05)
        count = _open_fds()
    return count


def test_many_async_calls_leave_no_sockets_open(kimi_simulator: KimiSimulator) -> None:
    llm = ChatKimi(
        api_key=kimi_simulator.api_key,
        base_url=kimi_simulator.native_base_url,
        transport="dashscope",
        max_retries=0,
    )

    async def sequential() -> None:
        for _ in range(1000):
            await llm.ainvoke("hi")

    async def concurrent() -> None:
        await asyncio.gather(*(llm.ainvoke("hi") for _ in range(200)))

    asyncio.run(llm.ainvoke("warm up"))
    before = _open_fds()
    asyncio.run(sequential())
    asyncio.run(concurrent())
    assert _settled_fds(before) <= before
    assert len(kimi_simulator.requests) == 1201
