"""One call with a 10 MB base64 image: ChatKimi against the raw SDKs.

    python bench/image.py [--rounds 3] [--out bench/results/image.json]

Each client runs in a fresh interpreter against the simulator in another
process (so the server's copy of the body is not counted), on kimi-k3. The
image is a ``data:`` URL just under the page's 10 MB limit, built before the
measurement, as a caller would hold it. Per round, a warm-up call with a small
image (imports, connection), then one timed call, then one call under
``tracemalloc`` for the peak of memory allocated during the call (time and
memory are taken apart because tracing slows Python down). The target: time
and peak memory of each ChatKimi transport within 1.5x of the raw openai SDK.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clients import API_KEY, Server

MODEL = "kimi-k3"
TARGET = 1.5
#: Raw bytes whose base64 ``data:`` URL is just under 10 MiB.
RAW_BYTES = 7_800_000
CLIENTS = ("openai SDK", "ChatKimi (openai)", "ChatKimi (dashscope)", "dashscope SDK")
REPLY = {"content": ["A ", "picture."], "reasoning": None}


def data_url(size: int) -> str:
    return "data:image/png;base64," + base64.b64encode(os.urandom(size)).decode()


def _openai(url: str) -> Callable[[str], Any]:
    import openai

    client = openai.OpenAI(api_key=API_KEY, base_url=url + "/compatible-mode/v1")

    def call(image: str) -> Any:
        content = [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": image}},
        ]
        return client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": content}],  # type: ignore[misc,list-item]
        )

    return call


def _dashscope(url: str) -> Callable[[str], Any]:
    import dashscope

    def call(image: str) -> Any:
        content = [{"text": "What is this?"}, {"image": image}]
        return dashscope.MultiModalConversation.call(
            model=MODEL,
            messages=[{"role": "user", "content": content}],
            api_key=API_KEY,
            base_address=url + "/api/v1",
            result_format="message",
        )

    return call


def _chat_kimi(url: str, transport: str) -> Callable[[str], Any]:
    from langchain_core.messages import HumanMessage

    from langchain_kimi import ChatKimi

    base = url + ("/api/v1" if transport == "dashscope" else "/compatible-mode/v1")
    llm = ChatKimi(
        model=MODEL, api_key=API_KEY, base_url=base, transport=transport, max_retries=0
    )

    def call(image: str) -> Any:
        content = [
            {"type": "text", "text": "What is this?"},
            {"type": "image_url", "image_url": {"url": image}},
        ]
        return llm.invoke([HumanMessage(content)])

    return call


def make(name: str, url: str) -> Callable[[str], Any]:
    if name == "openai SDK":
        return _openai(url)
    if name == "dashscope SDK":
        return _dashscope(url)
    return _chat_kimi(url, "dashscope" if "dashscope" in name else "openai")


def child(name: str, url: str) -> None:
    """Print ``{"seconds", "peak_bytes"}`` of one call, after a warm-up."""
    server = Server(url)
    server.queue(REPLY, REPLY, REPLY)
    call = make(name, url)
    call(data_url(1_000))  # imports, connection, caches
    image = data_url(RAW_BYTES)
    start = time.perf_counter()
    call(image)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    call(image)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"seconds": seconds, "peak_bytes": peak - base}))


def measure(name: str, server: Server) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, "--url", server.url],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"{name} failed:\n{out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--child")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url)
        return
    server = Server.start()
    try:
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in CLIENTS}
        for _ in range(args.rounds):  # interleaved, round by round
            for name in CLIENTS:
                runs[name].append(measure(name, server))
    finally:
        server.close()
    results: dict[str, Any] = {
        "image_chars": len(data_url(RAW_BYTES)),
        "rounds": args.rounds,
        "median": {
            name: {
                key: statistics.median(run[key] for run in rounds)
                for key in ("seconds", "peak_bytes")
            }
            for name, rounds in runs.items()
        },
    }
    raw = results["median"]["openai SDK"]
    results["targets"] = [
        {
            "client": name,
            "measure": key,
            "ratio": results["median"][name][key] / raw[key],
            "met": results["median"][name][key] <= TARGET * raw[key],
        }
        for name in ("ChatKimi (openai)", "ChatKimi (dashscope)")
        for key in ("seconds", "peak_bytes")
    ]
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
