"""Every script under examples/ runs, offline, against the simulator."""

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[2] / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_against_the_simulator(script: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(script), "--simulate"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "local simulation" in result.stdout
    assert result.stdout.strip().splitlines()[-1]
