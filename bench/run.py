"""Benchmark ChatKimi against the raw SDKs (and ChatOpenAI when installed).

    python bench/run.py            # full run, writes bench/results/latest.json
    python bench/run.py --quick    # fewer rounds, smaller replies
    python bench/run.py --smoke    # tiny sizes: the test suite's check that it runs

Two simulators run in child processes on loopback, so their work does not
share this process's GIL. On the first, clients are timed interleaved, round
by round, and each figure is the median over rounds; ratios are to the raw
``openai`` SDK doing the same job. The second holds back the first request on
each new TCP connection by 50 ms, the stand-in for TCP and TLS set-up to the
service, for the time to first chunk, the connections each client opens and
the 1,000-stream scale run. A progress bar shows on a terminal (stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
from importlib import metadata
from pathlib import Path
from typing import Any

import scenarios
from clients import Server, make_clients, thinking_reply
from report import Progress, print_report, targets

HERE = Path(__file__).resolve().parent
REPEATS = 3
CONNECT_DELAY = 0.05
IMPORTS = {
    "langchain_kimi": "import langchain_kimi",
    "langchain_core.language_models, openai": (
        "import langchain_core.language_models, openai"
    ),
    "dashscope": "import dashscope",
}


def throughput(
    server: Server, settings: dict[str, Any], progress: Progress
) -> dict[str, dict[str, float]]:
    """Median seconds per scenario and client: stream, invoke, ainvoke."""
    clients = make_clients(server)
    names = list(clients)
    rounds, calls = settings["rounds"], settings["sequential_calls"]
    times: dict[str, dict[str, list[float]]] = {
        scenario: {name: [] for name in names}
        for scenario in ("stream", "invoke", "ainvoke")
    }
    with progress.phase("throughput", len(names) * (rounds + 1)) as step:
        for client in clients.values():  # warm-up: imports, connections
            server.queue(thinking_reply(10))
            "".join(client.stream())
            client.invoke()
            scenarios.run_concurrent(client.ainvoke, 64, 64)
            step()
        for round_number in range(rounds):
            turn = round_number % len(names)
            for name in names[turn:] + names[:turn]:
                client = clients[name]
                server.queue(thinking_reply(settings["stream_deltas"]))
                times["stream"][name].append(
                    scenarios.timed(lambda c=client: "".join(c.stream()))
                )
                for _ in range(REPEATS):  # short scenarios: more samples
                    times["invoke"][name].append(
                        scenarios.timed(
                            lambda c=client: scenarios.sequential(c.invoke, calls)
                        )
                    )
                    times["ainvoke"][name].append(
                        scenarios.timed(
                            lambda c=client: scenarios.run_concurrent(
                                c.ainvoke, calls, 64
                            )
                        )
                    )
                step()
    return {
        scenario: {name: statistics.median(values) for name, values in per.items()}
        for scenario, per in times.items()
    }


def import_times(rounds: int, progress: Progress) -> dict[str, float]:
    with progress.phase("import time", len(IMPORTS)) as step:
        medians = {}
        for label, statement in IMPORTS.items():
            medians[label] = statistics.median(
                scenarios.import_time(statement) for _ in range(rounds * 2)
            )
            step()
    return medians


def memory(
    names: list[str], server: Server, chars: int, progress: Progress
) -> dict[str, float]:
    with progress.phase("stream memory", len(names)) as step:
        growth = {}
        for name in names:
            growth[name] = scenarios.memory_growth(name, server, chars)
            step()
    return growth


def first_chunks_and_connections(
    names: list[str], server: Server, calls: int, progress: Progress
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, int]]]:
    """Per client, the median time to first chunk (sync and async) and the
    connections opened by ``calls`` sequential calls of each method."""
    first_chunk: dict[str, dict[str, float]] = {name: {} for name in names}
    opened: dict[str, dict[str, int]] = {name: {} for name in names}
    with progress.phase("first chunk, connections", len(names) * 4) as step:
        for name in names:
            for method in scenarios.CALLS:
                cell = scenarios.connections(name, method, server, calls)
                opened[name][method] = cell["connections"]
                if cell["first_chunk_seconds"] is not None:
                    mode = "async" if method.startswith("a") else "sync"
                    seconds = statistics.median(cell["first_chunk_seconds"])
                    first_chunk[name][mode] = seconds
                step()
    return first_chunk, opened


def scale(
    names: list[str], server: Server, streams: int, progress: Progress
) -> dict[str, dict[str, Any]]:
    with progress.phase(f"{streams} concurrent astream", len(names)) as step:
        figures = {}
        for name in names:
            figures[name] = scenarios.scale(name, server, streams)
            step()
    return figures


#: Workload sizes: the full run (README's figures), --quick, and --smoke (the
#: test suite's check that every scenario still runs).
SIZES: dict[str, dict[str, int]] = {
    "full": {
        "rounds": 5,
        "stream_deltas": 6000,
        "sequential_calls": 150,
        "concurrent_calls": 150,
        "memory_reply_chars": 1_000_000,
        "sequential_connection_calls": 15,
        "scale_streams": 1000,
    },
    "quick": {
        "rounds": 2,
        "stream_deltas": 600,
        "sequential_calls": 30,
        "concurrent_calls": 30,
        "memory_reply_chars": 100_000,
        "sequential_connection_calls": 5,
        "scale_streams": 100,
    },
    "smoke": {
        "rounds": 1,
        "stream_deltas": 20,
        "sequential_calls": 3,
        "concurrent_calls": 3,
        "memory_reply_chars": 5_000,
        "sequential_connection_calls": 2,
        "scale_streams": 4,
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny sizes: proves it runs, measures nothing",
    )
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--out", default=str(HERE / "results" / "latest.json"))
    # A child run: one client's figures in a fresh interpreter.
    parser.add_argument("--child", nargs="+", metavar="KIND CLIENT [METHOD]")
    parser.add_argument("--url")
    parser.add_argument("--count", type=int)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return

    size = "smoke" if args.smoke else "quick" if args.quick else "full"
    rounds = args.rounds or SIZES[size]["rounds"]
    settings: dict[str, Any] = {
        **SIZES[size],
        "rounds": rounds,
        "concurrency": 64,
        "connect_delay": CONNECT_DELAY,
    }
    plain = Server.start()
    delayed = Server.start(connect_delay=CONNECT_DELAY)
    try:
        with Progress() as progress:
            seconds = throughput(plain, settings, progress)
            names = list(seconds["stream"])
            figures: dict[str, Any] = {
                "seconds": seconds,
                "import_seconds": import_times(rounds, progress),
                "memory_peak_growth_bytes": memory(
                    names, plain, settings["memory_reply_chars"], progress
                ),
            }
            first_chunk, opened = first_chunks_and_connections(
                names, delayed, settings["sequential_connection_calls"], progress
            )
            figures["first_chunk_seconds"] = first_chunk
            figures["connections"] = opened
            figures["scale"] = scale(
                names, delayed, settings["scale_streams"], progress
            )
    finally:
        plain.close()
        delayed.close()
        scenarios.close_loop()

    results: dict[str, Any] = {
        "machine": _machine(),
        "settings": settings,
        **figures,
    }
    results["targets"] = targets(results)
    print_report(results)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    missed = sum(not target["met"] for target in results["targets"])
    print(f"\n{len(results['targets']) - missed} targets met, {missed} missed")
    print(f"written to {out}")


def _child(args: argparse.Namespace) -> None:
    kind, client, *method = args.child
    if kind == "memory":
        scenarios.memory_child(client, args.url)
    elif kind == "connections":
        scenarios.connections_child(client, method[0], args.url, args.count)
    else:
        scenarios.scale_child(client, args.url, args.count)


def _machine() -> dict[str, Any]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "versions": {
            package: _version(package)
            for package in (
                "langchain-kimi-modelstudio",
                "langchain-core",
                "openai",
                "dashscope",
                "langchain-openai",
            )
        },
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


if __name__ == "__main__":
    main()
