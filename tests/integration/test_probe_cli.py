"""``python -m langchain_kimi probe``, run as a user would, against the simulator."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from langchain_kimi.testing import Behaviour, Fault, KimiSimulator
from tests.integration.commands import run, spawn


def _run(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return run("probe", *args, env=env, stdin=stdin)


def _env(simulator: KimiSimulator) -> dict[str, str]:
    return {
        "DASHSCOPE_API_KEY": simulator.api_key,
        "DASHSCOPE_BASE_URL": simulator.openai_base_url,
    }


def test_without_a_key_it_exits_2_and_says_what_to_do(tmp_path: Path) -> None:
    result = _run("--yes", "--output", str(tmp_path / "p.json"))
    assert result.returncode == 2
    assert "DASHSCOPE_API_KEY is not set" in result.stdout
    assert "export DASHSCOPE_API_KEY=" in result.stdout
    assert not (tmp_path / "p.json").exists()


def test_it_records_a_profile_and_prints_the_table(
    kimi_simulator: KimiSimulator, tmp_path: Path
) -> None:
    kimi_simulator.behaviour = Behaviour(
        stream_usage="choice", stream_error_framing_native="sse"
    )
    output = tmp_path / "kimi-profile.json"
    result = _run("--yes", "--output", str(output), env=_env(kimi_simulator))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("The probe sends 35 small requests") < out.index("behaviour")
    assert "stream_usage                     choice" in out
    assert "differs" in out
    assert f"Profile written to {output}" in out
    assert f"pytest --kimi-profile {output}" in out
    assert "kimi-k3" in out and "The seed's two models are still served: yes." in out
    profile = json.loads(output.read_text())
    assert Behaviour.from_dict(profile) == kimi_simulator.behaviour
    assert len(kimi_simulator.requests) == 35


def test_the_default_output_is_kimi_profile_json(
    kimi_simulator: KimiSimulator, tmp_path: Path
) -> None:
    result = spawn("probe", "--yes", env=_env(kimi_simulator), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert Behaviour.from_profile(tmp_path / "kimi-profile.json") == Behaviour()


@pytest.mark.parametrize("reply", ["", "n\n", "no\n"])
def test_it_asks_first_and_sends_nothing_when_declined(
    kimi_simulator: KimiSimulator, tmp_path: Path, reply: str
) -> None:
    output = tmp_path / "p.json"
    result = _run("--output", str(output), env=_env(kimi_simulator), stdin=reply)
    assert result.returncode == 2
    assert "The probe sends 35 small requests" in result.stdout
    assert "Send them? [y/N]" in result.stdout
    assert "Nothing sent. Pass --yes" in result.stdout
    assert kimi_simulator.requests == []
    assert not output.exists()


def test_it_goes_ahead_when_confirmed(
    kimi_simulator: KimiSimulator, tmp_path: Path
) -> None:
    output = tmp_path / "p.json"
    result = _run("--output", str(output), env=_env(kimi_simulator), stdin="y\n")
    assert result.returncode == 0, result.stderr
    assert output.exists() and len(kimi_simulator.requests) == 35


def test_the_key_is_never_printed_or_written(
    kimi_simulator: KimiSimulator, tmp_path: Path
) -> None:
    """Not even when the service echoes it back in an error message."""
    key = kimi_simulator.api_key
    kimi_simulator.queue(
        Fault(status=400, code="InvalidParameter", message=f"Bad request for {key}.")
    )
    output = tmp_path / "p.json"
    result = _run("--yes", "--output", str(output), env=_env(kimi_simulator))
    assert result.returncode == 0, result.stderr
    assert "Bad request for ***." in result.stdout  # the echo was there, masked
    for text in (result.stdout, result.stderr, output.read_text()):
        assert key not in text


def test_an_unreachable_service_exits_1_without_a_file(tmp_path: Path) -> None:
    output = tmp_path / "p.json"
    env = {
        "DASHSCOPE_API_KEY": "sk-probe-unreachable-123",
        "DASHSCOPE_BASE_URL": "http://127.0.0.1:9/compatible-mode/v1",
    }
    result = _run("--yes", "--output", str(output), env=env)
    assert result.returncode == 1
    assert "The service failed: No answer from the service" in result.stdout
    assert "sk-probe-unreachable-123" not in result.stdout + result.stderr
    assert not output.exists()


def test_a_standalone_simulator_serves_a_recorded_profile(
    kimi_simulator: KimiSimulator, tmp_path: Path
) -> None:
    """Record from one simulator, serve the file from another process
    (``python -m langchain_kimi.testing --profile``), probe that: the same."""
    kimi_simulator.behaviour = Behaviour(
        required_tool_choice=True, error_codes_native="snake_case"
    )
    recorded = tmp_path / "recorded.json"
    assert (
        _run("--yes", "--output", str(recorded), env=_env(kimi_simulator)).returncode
        == 0
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "langchain_kimi.testing", "--profile", str(recorded)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert info["behaviour"] == kimi_simulator.behaviour.to_dict()
        replayed = tmp_path / "replayed.json"
        env = {
            "DASHSCOPE_API_KEY": info["api_key"],
            "DASHSCOPE_BASE_URL": info["openai_base_url"],
        }
        assert _run("--yes", "--output", str(replayed), env=env).returncode == 0
    finally:
        process.terminate()
        process.wait(10)
    assert Behaviour.from_profile(replayed) == kimi_simulator.behaviour
