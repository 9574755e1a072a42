"""Benchmark ChatKimi against the raw SDKs (and ChatOpenAI when installed).

    python bench/run.py            # full run, writes bench/results/latest.json
    python bench/run.py --quick    # fewer rounds, smaller replies (a smoke run)

The simulator runs in its own process on loopback, so its work does not share
this process's GIL. Clients are measured interleaved, round by round, in this
process, and each figure is the median over rounds. Ratios are to the raw
``openai`` SDK doing the same job.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MODEL = "kimi-k2-thinking"
MESSAGES = [{"role": "user", "content": "Hi"}]
REPEATS = 3


class Server:
    """The simulator in a child process, driven over its control endpoint."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "langchain_kimi.testing"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        info = json.loads(self.process.stdout.readline())
        self.url: str = info["url"]
        self.openai_url: str = info["openai_base_url"]
        self.native_url: str = info["native_base_url"]
        self.key: str = info["api_key"]

    def queue(self, *items: dict[str, Any]) -> None:
        request = urllib.request.Request(
            self.url + "/simulator/queue",
            data=json.dumps({"items": list(items)}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as response:
            response.read()

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def thinking_reply(deltas: int, piece: str = "word ") -> dict[str, Any]:
    half = deltas // 2
    return {"content": [piece] * half, "reasoning": [piece] * half}


# -- clients ----------------------------------------------------------------


def make_clients(server: Server) -> dict[str, dict[str, Callable[..., Any]]]:
    """Per client: ``stream()``, ``invoke()``, ``ainvoke()`` doing the same job."""
    import dashscope
    import openai

    from langchain_kimi import ChatKimi

    raw = openai.OpenAI(api_key=server.key, base_url=server.openai_url, max_retries=0)
    araw = openai.AsyncOpenAI(
        api_key=server.key, base_url=server.openai_url, max_retries=0
    )

    def raw_stream() -> str:
        text = []
        for chunk in raw.chat.completions.create(
            model=MODEL,
            messages=MESSAGES,  # type: ignore[arg-type]
            stream=True,
            stream_options={"include_usage": True},
        ):
            if chunk.choices:
                delta = chunk.choices[0].delta
                text.append(getattr(delta, "reasoning_content", None) or "")
                text.append(delta.content or "")
        return "".join(text)

    def raw_invoke() -> str:
        reply = raw.chat.completions.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]
        return reply.choices[0].message.content or ""

    async def raw_ainvoke() -> str:
        reply = await araw.chat.completions.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]
        return reply.choices[0].message.content or ""

    native = {
        "model": MODEL,
        "messages": MESSAGES,
        "api_key": server.key,
        "base_address": server.native_url,
        "result_format": "message",
    }

    def ds_stream() -> str:
        text = []
        for event in dashscope.Generation.call(
            **native, stream=True, incremental_output=True
        ):
            message = event.output.choices[0].message
            text.append(message.get("reasoning_content") or "")
            text.append(message.content or "")
        return "".join(text)

    def ds_invoke() -> str:
        return str(
            dashscope.Generation.call(**native).output.choices[0].message.content
        )

    async def ds_ainvoke() -> str:
        reply = await dashscope.AioGeneration.call(**native)
        return str(reply.output.choices[0].message.content)

    clients: dict[str, dict[str, Callable[..., Any]]] = {
        "openai SDK": {
            "stream": raw_stream,
            "invoke": raw_invoke,
            "ainvoke": raw_ainvoke,
        },
        "dashscope SDK": {
            "stream": ds_stream,
            "invoke": ds_invoke,
            "ainvoke": ds_ainvoke,
        },
    }
    for transport in ("openai", "dashscope"):
        llm = ChatKimi(
            api_key=server.key,
            base_url=server.openai_url,
            transport=transport,  # type: ignore[arg-type]
            max_retries=0,
        )
        clients[f"ChatKimi ({transport})"] = _chat_model_client(llm)
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        pass
    else:
        chat_openai = ChatOpenAI(
            model=MODEL,
            api_key=server.key,  # type: ignore[arg-type]
            base_url=server.openai_url,
            max_retries=0,
            stream_usage=True,
        )
        clients["ChatOpenAI"] = _chat_model_client(chat_openai)
    return clients


def _chat_model_client(llm: Any) -> dict[str, Callable[..., Any]]:
    def stream() -> str:
        return "".join(str(c.content) for c in llm.stream("Hi"))

    def invoke() -> str:
        return str(llm.invoke("Hi").content)

    async def ainvoke() -> str:
        return str((await llm.ainvoke("Hi")).content)

    return {"stream": stream, "invoke": invoke, "ainvoke": ainvoke}


# -- scenarios ----------------------------------------------------------------


def timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


#: One loop for every async run: the raw AsyncOpenAI client (like most async
#: clients) cannot be reused once the loop it first ran on is closed.
LOOP = asyncio.new_event_loop()


def run_concurrent(ainvoke: Callable[[], Any], calls: int, limit: int) -> None:
    async def main() -> None:
        gate = asyncio.Semaphore(limit)

        async def one() -> None:
            async with gate:
                await ainvoke()

        await asyncio.gather(*(one() for _ in range(calls)))

    LOOP.run_until_complete(main())


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


def memory_growth(client: str, server: Server, chars: int) -> float:
    """Peak traced allocation growth, in a fresh process, while streaming."""
    server.queue({"content": ["x" * 100] * 10, "reasoning": None})
    server.queue({"content": ["x" * 100] * (chars // 100), "reasoning": None})
    out = subprocess.run(
        [
            sys.executable,
            str(Path(__file__)),
            "--memory-child",
            client,
            "--url",
            server.url,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def memory_child(client: str, url: str) -> None:
    import tracemalloc

    info = {
        "url": url,
        "openai_base_url": url + "/compatible-mode/v1",
        "native_base_url": url + "/api/v1",
        "api_key": "sk-kimi-simulator",
    }
    server = Server.__new__(Server)
    server.url, server.openai_url = info["url"], info["openai_base_url"]
    server.native_url, server.key = info["native_base_url"], info["api_key"]
    stream = make_clients(server)[client]["stream"]
    stream()  # warm up: imports, connection, caches
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    stream()
    _, peak = tracemalloc.get_traced_memory()
    print(peak - base)


# -- report -----------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--out", default=str(HERE / "results" / "latest.json"))
    parser.add_argument("--memory-child")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.url)
        return

    rounds = args.rounds or (2 if args.quick else 5)
    deltas = 600 if args.quick else 6000
    calls = 30 if args.quick else 150
    chars = 100_000 if args.quick else 1_000_000
    server = Server()
    try:
        clients = make_clients(server)
        names = list(clients)
        times: dict[str, dict[str, list[float]]] = {
            scenario: {name: [] for name in names}
            for scenario in ("stream", "invoke", "ainvoke")
        }
        for name in names:  # warm-up: imports, connections
            server.queue(thinking_reply(10))
            clients[name]["stream"]()
            clients[name]["invoke"]()
            run_concurrent(clients[name]["ainvoke"], 64, 64)
        for round_number in range(rounds):
            order = (
                names[round_number % len(names) :] + names[: round_number % len(names)]
            )
            for name in order:
                client = clients[name]
                server.queue(thinking_reply(deltas))
                times["stream"][name].append(timed(client["stream"]))
                for _ in range(REPEATS):  # short scenarios: more samples
                    times["invoke"][name].append(
                        timed(lambda c=client: [c["invoke"]() for _ in range(calls)])  # type: ignore[misc]
                    )
                    times["ainvoke"][name].append(
                        timed(lambda c=client: run_concurrent(c["ainvoke"], calls, 64))  # type: ignore[misc]
                    )
        imports = {
            "langchain_kimi": "import langchain_kimi",
            "langchain_core.language_models, openai": (
                "import langchain_core.language_models, openai"
            ),
            "dashscope": "import dashscope",
        }
        import_times = {
            label: median([import_time(stmt) for _ in range(rounds * 2)])
            for label, stmt in imports.items()
        }
        memory = {name: memory_growth(name, server, chars) for name in names}
    finally:
        server.close()

    results = {
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "versions": {
                pkg: _version(pkg)
                for pkg in (
                    "langchain-kimi",
                    "langchain-core",
                    "openai",
                    "dashscope",
                    "langchain-openai",
                )
            },
        },
        "settings": {
            "rounds": rounds,
            "stream_deltas": deltas,
            "sequential_calls": calls,
            "concurrent_calls": calls,
            "concurrency": 64,
            "memory_reply_chars": chars,
        },
        "seconds": {
            scenario: {name: median(values) for name, values in per.items()}
            for scenario, per in times.items()
        },
        "import_seconds": import_times,
        "memory_peak_growth_bytes": memory,
    }
    results["targets"] = [
        {
            "target": what,
            "ratio": round(ratio, 3),
            "limit": limit,
            "met": ratio <= limit,
        }
        for what, ratio, limit in targets(results)
    ]
    _print(results)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {out}")


def targets(results: dict[str, Any]) -> list[tuple[str, float, float]]:
    """The performance issue's targets: (what, measured ratio, limit)."""
    seconds = results["seconds"]
    raw = "openai SDK"
    imports = results["import_seconds"]
    memory = results["memory_peak_growth_bytes"]
    chars = results["settings"]["memory_reply_chars"]
    checks = []
    for transport in ("openai", "dashscope"):
        kimi = f"ChatKimi ({transport})"
        checks += [
            (f"stream, {kimi} / openai SDK", _ratio(seconds["stream"], kimi, raw), 0.6),
            (
                f"sequential invoke, {kimi} / openai SDK",
                _ratio(seconds["invoke"], kimi, raw),
                1.05,
            ),
            (
                f"concurrent ainvoke, {kimi} / openai SDK",
                _ratio(seconds["ainvoke"], kimi, raw),
                1.1,
            ),
            (
                f"stream memory, {kimi} peak growth / reply size",
                memory[kimi] / chars,
                3.0,
            ),
        ]
    checks.append(
        (
            "stream, ChatKimi (dashscope) / dashscope SDK",
            _ratio(seconds["stream"], "ChatKimi (dashscope)", "dashscope SDK"),
            1.6,
        )
    )
    checks.append(
        (
            "import langchain_kimi / import langchain_core.language_models, openai",
            imports["langchain_kimi"]
            / imports["langchain_core.language_models, openai"],
            1.15,
        )
    )
    return checks


def _ratio(times: dict[str, float], name: str, base: str) -> float:
    return times[name] / times[base]


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _print(results: dict[str, Any]) -> None:
    seconds = results["seconds"]
    settings = results["settings"]
    labels = {
        "stream": f"stream {settings['stream_deltas']} deltas",
        "invoke": f"{settings['sequential_calls']} sequential invoke",
        "ainvoke": f"{settings['concurrent_calls']} ainvoke @ 64",
    }
    names = list(seconds["stream"])
    print("| scenario | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for scenario, label in labels.items():
        base = seconds[scenario]["openai SDK"]
        cells = [
            f"{seconds[scenario][n]:.3f}s ({seconds[scenario][n] / base:.2f}x)"
            for n in names
        ]
        print(f"| {label} | " + " | ".join(cells) + " |")
    memory = results["memory_peak_growth_bytes"]
    size = settings["memory_reply_chars"]
    cells = [f"{memory[n] / size:.2f}x reply" for n in names]
    print("| peak memory growth | " + " | ".join(cells) + " |")
    imports = results["import_seconds"]
    base = imports["langchain_core.language_models, openai"]
    print()
    for label, value in imports.items():
        print(f"import {label}: {value * 1000:.0f} ms ({value / base:.2f}x)")
    print()
    for target in results["targets"]:
        verdict = "met" if target["met"] else "MISSED"
        ratio, limit = target["ratio"], target["limit"]
        print(f"{verdict:6} {ratio:.2f} <= {limit}: {target['target']}")


if __name__ == "__main__":
    main()
