"""The benchmark stays runnable (a smoke run of tiny sizes; nothing here is timed\nor judged)."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench" / "run.py"
CLIENTS = {"openai SDK", "dashscope SDK", "ChatKimi (openai)", "ChatKimi (dashscope)"}


def test_quick_benchmark_run_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    run = subprocess.run(
        [sys.executable, str(BENCH), "--smoke", "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    results = json.loads(out.read_text())
    for scenario in ("stream", "invoke", "ainvoke"):
        assert set(results["seconds"][scenario]) >= CLIENTS
    assert set(results["memory_peak_growth_bytes"]) >= CLIENTS
    assert "langchain_kimi" in results["import_seconds"]
    for name in CLIENTS:
        assert set(results["first_chunk_seconds"][name]) == {"sync", "async"}
        opened = results["connections"][name]
        assert set(opened) == {"invoke", "stream", "ainvoke", "astream"}
        assert all(isinstance(count, int) for count in opened.values())
        scale = results["scale"][name]
        assert set(scale) == {"seconds", "peak_rss_growth_bytes", "connections"}
    assert results["settings"]["connect_delay"] > 0
    # 10 throughput, memory and import targets; per ChatKimi transport, 2 time
    # to first chunk, 4 sequential connection and 1 concurrent connection targets.
    assert len(results["targets"]) == 24
    assert all(isinstance(target["met"], bool) for target in results["targets"])
    # Piped, the progress display is plain lines on stderr, not a redrawn bar.
    assert "first chunk, connections: done in" in run.stderr
    assert "\r" not in run.stderr
