"""The benchmark's verdicts and tables, and its progress display."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

CHATKIMI = ("ChatKimi (openai)", "ChatKimi (dashscope)")
METHODS = ("invoke", "stream", "ainvoke", "astream")


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target, measured: ratios, milliseconds or connections."""
    checks = _throughput_checks(results) + _connection_checks(results)
    return [
        {
            "target": what,
            "value": round(value, 3),
            "limit": limit,
            "unit": unit,
            "met": value <= limit,
        }
        for what, value, limit, unit in checks
    ]


def _throughput_checks(results: dict[str, Any]) -> list[tuple[str, float, float, str]]:
    seconds = results["seconds"]
    imports = results["import_seconds"]
    memory = results["memory_peak_growth_bytes"]
    chars = results["settings"]["memory_reply_chars"]
    checks = []
    for kimi in CHATKIMI:
        checks += [
            (f"stream, {kimi} / openai SDK", _ratio(seconds["stream"], kimi), 0.6),
            (
                f"sequential invoke, {kimi} / openai SDK",
                _ratio(seconds["invoke"], kimi),
                1.05,
            ),
            (
                f"concurrent ainvoke, {kimi} / openai SDK",
                _ratio(seconds["ainvoke"], kimi),
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
    return [(what, value, limit, "x") for what, value, limit in checks]


def _connection_checks(results: dict[str, Any]) -> list[tuple[str, float, float, str]]:
    settings = results["settings"]
    delay = f"{settings['connect_delay'] * 1000:g} ms connect delay"
    calls, streams = settings["sequential_connection_calls"], settings["scale_streams"]
    first_chunk = results["first_chunk_seconds"]
    checks: list[tuple[str, float, float, str]] = []
    for kimi in CHATKIMI:
        checks += [
            (
                f"median time to first chunk, {kimi} {mode}, {delay}",
                first_chunk[kimi][mode] * 1000,
                10,
                "ms",
            )
            for mode in ("sync", "async")
        ]
        checks += [
            (
                f"connections opened, {kimi}, {calls} sequential {method}",
                results["connections"][kimi][method],
                1,
                "connections",
            )
            for method in METHODS
        ]
        checks.append(
            (
                f"connections opened, {kimi}, {streams} concurrent astream",
                results["scale"][kimi]["connections"],
                streams,
                "connections",
            )
        )
    return checks


def _ratio(times: dict[str, float], name: str, base: str = "openai SDK") -> float:
    return times[name] / times[base]


# -- tables -----------------------------------------------------------------


def print_report(results: dict[str, Any]) -> None:
    _print_throughput(results)
    print()
    _print_connections(results)
    print()
    _print_scale(results)
    print()
    for target in results["targets"]:
        verdict = "met" if target["met"] else "MISSED"
        value, limit, unit = target["value"], target["limit"], target["unit"]
        print(f"{verdict:6} {value:g} <= {limit:g} {unit}: {target['target']}")


def _table(header: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|---|" + "---|" * (len(header) - 1))
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _print_throughput(results: dict[str, Any]) -> None:
    seconds = results["seconds"]
    settings = results["settings"]
    labels = {
        "stream": f"stream {settings['stream_deltas']} deltas",
        "invoke": f"{settings['sequential_calls']} sequential invoke",
        "ainvoke": f"{settings['concurrent_calls']} ainvoke @ 64",
    }
    names = list(seconds["stream"])
    rows = []
    for scenario, label in labels.items():
        base = seconds[scenario]["openai SDK"]
        rows.append(
            [label]
            + [
                f"{seconds[scenario][n]:.3f}s ({seconds[scenario][n] / base:.2f}x)"
                for n in names
            ]
        )
    memory = results["memory_peak_growth_bytes"]
    size = settings["memory_reply_chars"]
    rows.append(
        ["peak memory growth"] + [f"{memory[n] / size:.2f}x reply" for n in names]
    )
    _table(["scenario", *names], rows)
    imports = results["import_seconds"]
    base = imports["langchain_core.language_models, openai"]
    print()
    for label, value in imports.items():
        print(f"import {label}: {value * 1000:.0f} ms ({value / base:.2f}x)")


def _print_connections(results: dict[str, Any]) -> None:
    settings = results["settings"]
    calls = settings["sequential_connection_calls"]
    print(
        f"Connect delay {settings['connect_delay'] * 1000:g} ms. Median time to the "
        f"first chunk over {calls} sequential streams, and connections opened by "
        f"{calls} sequential calls (a fresh client per column):"
    )
    first_chunk = results["first_chunk_seconds"]
    rows = [
        [name]
        + [f"{first_chunk[name][mode] * 1000:.1f} ms" for mode in ("sync", "async")]
        + [str(counts[method]) for method in METHODS]
        for name, counts in results["connections"].items()
    ]
    _table(["client", "first chunk, sync", "first chunk, async", *METHODS], rows)


def _print_scale(results: dict[str, Any]) -> None:
    streams = results["settings"]["scale_streams"]
    print(f"{streams} concurrent astream calls on one event loop:")
    rows = [
        [
            name,
            f"{figures['seconds']:.2f}s",
            f"{figures['peak_rss_growth_bytes'] / streams / 1024:.0f} KiB",
            str(figures["connections"]),
        ]
        for name, figures in results["scale"].items()
    ]
    _table(["client", "total", "peak memory per stream", "connections"], rows)


# -- progress ---------------------------------------------------------------


class Progress:
    """A progress bar on a terminal; one plain line per phase when piped.

    It writes to stderr, so the report on stdout stays clean either way.
    """

    def __init__(self) -> None:
        self._bar: Any = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("{task.description:<24}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            )

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    @contextmanager
    def phase(self, label: str, steps: int) -> Iterator[Callable[[], None]]:
        """Yields ``step()``, to call once per step done."""
        if self._bar is not None:
            task = self._bar.add_task(label, total=steps)
            yield lambda: self._bar.advance(task)
            return
        start = time.perf_counter()
        print(f"{label} ({steps} steps)...", file=sys.stderr, flush=True)
        yield lambda: None
        took = time.perf_counter() - start
        print(f"{label}: done in {took:.1f} s", file=sys.stderr, flush=True)
