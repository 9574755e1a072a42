"""``python -m langchain_kimi demo`` and ``chat``, run as a user would."""

import os
import subprocess
import sys

import pytest

from langchain_kimi.testing import KimiSimulator


def _run(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DASHSCOPE_")}
    return subprocess.run(
        [sys.executable, "-m", "langchain_kimi", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**base, **(env or {})},
    )


def test_demo_runs_offline_with_no_key() -> None:
    result = _run("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "LOCAL SIMULATION" in out
    assert "[thinking]" in out and "[answer]" in out
    assert "-> get_weather({'city': 'Beijing'})" in out
    assert "<- get_weather: Beijing: sunny" in out
    assert "tokens:" in out and "cost: $" in out
    assert "\033[" not in out  # plain text when not on a terminal


def test_demo_live_without_key_exits_2() -> None:
    result = _run("demo", "--live")
    assert result.returncode == 2
    assert "DASHSCOPE_API_KEY" in result.stdout


def test_chat_without_key_exits_2() -> None:
    result = _run("chat", "Who are you?")
    assert result.returncode == 2
    assert "DASHSCOPE_API_KEY is not set" in result.stdout


@pytest.mark.parametrize("transport", ["openai", "dashscope"])
def test_chat_streams_reasoning_then_answer(
    kimi_simulator: KimiSimulator, transport: str
) -> None:
    env = {
        "DASHSCOPE_API_KEY": kimi_simulator.api_key,
        "DASHSCOPE_BASE_URL": kimi_simulator.openai_base_url,
    }
    result = _run("chat", "Who are you?", "--transport", transport, env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("[thinking]") < out.index("[answer]")
    assert "I am Kimi" in out and "tokens:" in out


def test_chat_no_reasoning_and_model_choice(kimi_simulator: KimiSimulator) -> None:
    env = {
        "DASHSCOPE_API_KEY": kimi_simulator.api_key,
        "DASHSCOPE_BASE_URL": kimi_simulator.openai_base_url,
    }
    result = _run("chat", "Who are you?", "--no-reasoning", env=env)
    assert "[thinking]" not in result.stdout and "I am Kimi" in result.stdout
    result = _run("chat", "hi", "--model", "Moonshot-Kimi-K2-Instruct", env=env)
    assert result.returncode == 0
    assert kimi_simulator.last_request.model == "Moonshot-Kimi-K2-Instruct"


def test_chat_reports_service_errors_with_exit_1(kimi_simulator: KimiSimulator) -> None:
    env = {
        "DASHSCOPE_API_KEY": "sk-wrong",
        "DASHSCOPE_BASE_URL": kimi_simulator.openai_base_url,
    }
    result = _run("chat", "hi", env=env)
    assert result.returncode == 1
    assert "invalid_api_key" in result.stdout  # the compatible endpoint's spelling
