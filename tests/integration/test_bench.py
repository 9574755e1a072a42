"""The benchmark stays runnable (a smoke run; nothing here is timed or judged)."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench" / "run.py"


def test_quick_benchmark_run_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--rounds", "1", "--out", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    results = json.loads(out.read_text())
    clients = {
        "openai SDK",
        "dashscope SDK",
        "ChatKimi (openai)",
        "ChatKimi (dashscope)",
    }
    for scenario in ("stream", "invoke", "ainvoke"):
        assert clients <= set(results["seconds"][scenario])
    assert clients <= set(results["memory_peak_growth_bytes"])
    assert "langchain_kimi" in results["import_seconds"]
    assert len(results["targets"]) == 10
