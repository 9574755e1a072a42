"""``python -m langchain_kimi probe`` when the key is refused or an answer cannot
be read: a clear word, no traceback, and no profile claiming what it did not see."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from langchain_kimi.probe.cases import cases
from langchain_kimi.testing import Fault, KimiSimulator


def _probe(
    simulator: KimiSimulator, output: Path, key: str
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DASHSCOPE_")}
    env = {
        **base,
        "DASHSCOPE_API_KEY": key,
        "DASHSCOPE_BASE_URL": simulator.openai_base_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "langchain_kimi", "probe", "--yes", "--output", output],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.fixture(scope="module")
def rejected(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path, int]:
    """One probe run with a key the service refuses: its result, the output
    path it was given, and how many requests reached the service."""
    output = tmp_path_factory.mktemp("probe") / "kimi-profile.json"
    with KimiSimulator() as simulator:
        result = _probe(simulator, output, "sk-from-another-region")
        return result, output, len(simulator.requests)


def test_a_rejected_key_exits_2_says_keys_are_per_region_and_writes_nothing(
    rejected: tuple[subprocess.CompletedProcess[str], Path, int],
) -> None:
    result, output, _ = rejected
    assert result.returncode == 2, result.stdout
    assert "rejected the API key" in result.stdout
    assert "keys are per region" in result.stdout
    assert "console" in result.stdout  # where keys come from
    assert "sk-from-another-region" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()


def test_a_rejected_key_stops_the_probe_at_the_first_refusal(
    rejected: tuple[subprocess.CompletedProcess[str], Path, int],
) -> None:
    assert rejected[2] == 1


def test_a_false_gzip_header_and_deep_json_are_reported_and_the_probe_goes_on(
    kimi_simulator: KimiSimulator, tmp_path: Path
) -> None:
    kimi_simulator.queue(
        Fault(
            kind="raw",
            status=200,
            body=b'{"not": "gzip"}',
            headers={"Content-Encoding": "gzip"},
        ),
        Fault(kind="raw", status=200, body="[" * 200_000),
    )
    output = tmp_path / "kimi-profile.json"
    result = _probe(kimi_simulator, output, kimi_simulator.api_key)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    # The first case gets the false gzip header; the first one the simulator
    # accepts after it (a refusal by the rules comes first), the deep JSON.
    assert "json_mode/compatible: the answer could not be read" in result.stdout
    assert re.search(
        r"^  \w+/\w+: the body's JSON nests too deeply to read$",
        result.stdout,
        re.MULTILINE,
    )
    assert output.exists()
    assert len(kimi_simulator.requests) == len(cases())  # every case still went out
