"""``python -m langchain_kimi chat`` on input or replies that are not clean text,
and on the offline path (``--simulate``). In process (``cli.main``) with stdin
and stdout as Python sets them up for pipes (UTF-8, strict), except the one
run of the real command."""

import io
import os
import subprocess
import sys

import pytest

from langchain_kimi import cli
from langchain_kimi.testing import KimiSimulator, Reply


def _pipe(data: bytes) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")


def _out(capsys: pytest.CaptureFixture[str]) -> str:
    """What was written to stdout (pytest's: UTF-8 and strict, as a pipe is)."""
    return capsys.readouterr().out


@pytest.fixture
def on_simulator(
    monkeypatch: pytest.MonkeyPatch, kimi_simulator: KimiSimulator
) -> KimiSimulator:
    monkeypatch.setenv("DASHSCOPE_API_KEY", kimi_simulator.api_key)
    monkeypatch.setenv("DASHSCOPE_BASE_URL", kimi_simulator.openai_base_url)
    return kimi_simulator


def test_a_piped_line_that_is_not_utf8_is_reported_and_the_next_is_answered(
    on_simulator: KimiSimulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", _pipe(b"caf\xe9\nWho are you?\n"))
    status = cli.main(["chat"])
    text = _out(capsys)
    assert "Line 1 is not utf-8 text (byte 0xe9 at position 4); skipped." in text
    assert "I am Kimi" in text
    assert "total (1 turns)" in text
    assert status == 1  # the skipped line is not passed off as fine


def test_a_reply_with_a_lone_surrogate_is_shown_replaced_and_the_session_goes_on(
    on_simulator: KimiSimulator,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    on_simulator.queue(Reply(content="a\ud800b"), Reply(content="second answer"))
    monkeypatch.setattr(sys, "stdin", _pipe(b"first\nsecond\n"))
    assert cli.main(["chat"]) == 0
    text = _out(capsys)
    assert "a\ufffdb" in text
    assert "second answer" in text
    assert "total (2 turns)" in text


def test_a_one_shot_reply_with_a_lone_surrogate_is_shown_replaced(
    on_simulator: KimiSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    on_simulator.queue(Reply(content="a\ud800b"))
    assert cli.main(["chat", "Hi"]) == 0
    assert "a\ufffdb" in _out(capsys)


def test_a_reply_the_output_encoding_cannot_show_is_replaced_with_a_note(
    on_simulator: KimiSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="latin-1", write_through=True)
    monkeypatch.setattr(sys, "stdout", stdout)  # e.g. a latin-1 terminal
    on_simulator.queue(Reply(content="Beijing 北京"))
    assert cli.main(["chat", "Hi"]) == 0
    text = raw.getvalue().decode("latin-1")
    assert "Beijing ??" in text
    assert "2 character(s) of the reply cannot be shown" in text


def test_a_question_argument_that_is_not_utf8_exits_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Python hands undecodable argv bytes (caf\xe9) over as surrogate escapes.
    assert cli.main(["chat", "--simulate", "caf\udce9"]) == 2
    assert "not valid text" in _out(capsys)


def test_chat_simulate_runs_a_piped_session_on_the_dashscope_transport(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DASHSCOPE_API_KEY", raising=False)
    monkeypatch.setattr(sys, "stdin", _pipe(b"My name is Ada.\nAnd?\n"))
    assert cli.main(["chat", "--simulate", "--transport", "dashscope"]) == 0
    text = _out(capsys)
    assert "LOCAL SIMULATION" in text
    assert "you: My name is Ada." in text
    assert "total (2 turns)" in text


def test_python_m_chat_simulate_answers_without_a_key_or_network() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHSCOPE_")}
    result = subprocess.run(
        [sys.executable, "-m", "langchain_kimi", "chat", "--simulate", "Who are you?"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "LOCAL SIMULATION" in result.stdout
    assert "I am Kimi" in result.stdout
