"""The first ``ainvoke`` / ``astream`` in a process does not stall the event loop
while the SDK imports: a ticker coroutine sleeping 5 ms never waits 100 ms."""

import json
import os
import subprocess
import sys

import pytest

from langchain_kimi.testing import KimiSimulator

#: Runs in a fresh interpreter: the two calls, each the first on its transport.
CHILD = """
import asyncio, json, sys, time
from langchain_kimi import ChatKimi

async def main(url, key, plan):
    worst = {}
    for transport, path in plan:
        llm = ChatKimi(api_key=key, base_url=url, transport=transport, max_retries=0)
        gaps, done = [], asyncio.Event()

        async def ticker():
            last = time.perf_counter()
            while not done.is_set():
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                gaps.append(now - last)
                last = now

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0.02)
        if path == "ainvoke":
            await llm.ainvoke("Hi")
        else:
            async for _ in llm.astream("Hi"):
                pass
        done.set()
        await task
        worst[f"{transport}-{path}"] = max(gaps)
    print(json.dumps(worst))

asyncio.run(main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3])))
"""


@pytest.mark.parametrize(
    "plan",
    [
        [["openai", "ainvoke"], ["dashscope", "astream"]],
        [["openai", "astream"], ["dashscope", "ainvoke"]],
    ],
    ids=["openai-ainvoke+dashscope-astream", "openai-astream+dashscope-ainvoke"],
)
def test_the_first_async_call_never_blocks_the_loop_for_100_ms(
    kimi_simulator: KimiSimulator, plan: list[list[str]]
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHSCOPE_")}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            kimi_simulator.openai_base_url,
            kimi_simulator.api_key,
            json.dumps(plan),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    worst = json.loads(result.stdout.strip().splitlines()[-1])
    assert len(worst) == 2
    assert max(worst.values()) < 0.1, worst
