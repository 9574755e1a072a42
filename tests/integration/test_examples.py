"""Every script under examples/ runs against the simulator, configured by env."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from langchain_kimi.testing import KimiSimulator

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path, kimi_simulator: KimiSimulator) -> None:
    env = {
        **os.environ,
        "DASHSCOPE_API_KEY": kimi_simulator.api_key,
        "DASHSCOPE_BASE_URL": kimi_simulator.openai_base_url,
    }
    result = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert kimi_simulator.requests, "the example made no request"
    assert all(r.status == 200 for r in kimi_simulator.requests)


def test_agent_example_simulates_by_itself() -> None:
    script = next(p for p in EXAMPLES if p.name == "agent_tool_loop.py")
    result = subprocess.run(
        [sys.executable, str(script), "--simulate"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "local simulation" in result.stdout
