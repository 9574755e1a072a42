"""``python -m langchain_kimi demo`` and ``chat``, run as a user would."""

import contextlib
import os
import subprocess
import sys

import pytest

from langchain_kimi.testing import KimiSimulator, Reply
from tests.integration.commands import run, spawn


def test_demo_runs_offline_with_no_key() -> None:
    result = spawn("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "LOCAL SIMULATION" in out
    assert "[thinking]" in out and "[answer]" in out
    assert "-> get_weather({'city': 'Beijing'})" in out
    assert "<- get_weather: Beijing: sunny" in out
    assert "tokens:" in out  # kimi-k3 has no published price, and says so:
    assert "cost: not published for this model" in out
    assert "\033[" not in out  # plain text when not on a terminal


def test_demo_live_without_key_exits_2() -> None:
    result = run("demo", "--live")
    assert result.returncode == 2
    assert "DASHSCOPE_API_KEY" in result.stdout


def test_chat_without_key_exits_2() -> None:
    result = run("chat", "Who are you?")
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
    result = spawn("chat", "Who are you?", "--transport", transport, env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("[thinking]") < out.index("[answer]")
    assert "I am Kimi" in out and "tokens:" in out


def test_chat_no_reasoning_and_model_choice(kimi_simulator: KimiSimulator) -> None:
    env = {
        "DASHSCOPE_API_KEY": kimi_simulator.api_key,
        "DASHSCOPE_BASE_URL": kimi_simulator.openai_base_url,
    }
    result = run("chat", "Who are you?", "--no-reasoning", env=env)
    assert "[thinking]" not in result.stdout and "I am Kimi" in result.stdout
    result = run("chat", "hi", "--model", "Moonshot-Kimi-K2-Instruct", env=env)
    assert result.returncode == 0
    assert kimi_simulator.last_request.model == "Moonshot-Kimi-K2-Instruct"


def test_chat_reports_service_errors_with_exit_1(kimi_simulator: KimiSimulator) -> None:
    env = {
        "DASHSCOPE_API_KEY": "sk-wrong",
        "DASHSCOPE_BASE_URL": kimi_simulator.openai_base_url,
    }
    result = run("chat", "hi", env=env)
    assert result.returncode == 1
    assert "[invalid_api_key]" in result.stdout  # the compatible endpoint's spelling


def _sim_env(
    kimi_simulator: KimiSimulator, transport: str = "openai"
) -> dict[str, str]:
    return {
        "DASHSCOPE_API_KEY": kimi_simulator.api_key,
        "DASHSCOPE_BASE_URL": kimi_simulator.base_url_for(transport),
    }


def _session(
    stdin: str, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return run("chat", *args, env=env, stdin=stdin)


@pytest.mark.parametrize("transport", ["openai", "dashscope"])
def test_chat_session_keeps_history_until_reset(
    kimi_simulator: KimiSimulator, transport: str
) -> None:
    kimi_simulator.queue(
        Reply(reasoning="A greeting.", content="Hello, Ada."),
        Reply(reasoning="It was said before.", content="Your name is Ada."),
        Reply(content="I do not know your name."),
    )
    stdin = "My name is Ada.\n\nWhat is my name?\n/reset\nWhat is my name?\n"
    result = (
        _session(  # the seed's model: text content, reasoning of past turns dropped
            stdin,
            _sim_env(kimi_simulator, transport),
            "--transport",
            transport,
            "--model",
            "kimi-k2-thinking",
        )
    )
    assert result.returncode == 0, result.stderr
    roles = [[m["role"] for m in r.messages] for r in kimi_simulator.requests]
    assert roles == [["user"], ["user", "assistant", "user"], ["user"]]
    second = kimi_simulator.requests[1].messages
    assert second[0]["content"] == "My name is Ada."
    assert second[1]["content"] == "Hello, Ada."
    assert "reasoning_content" not in second[1]  # a finished turn's reasoning
    out = result.stdout
    assert "\033[" not in out  # piped: plain text
    turns = out.split("you: ")[1:]
    assert [t.splitlines()[0] for t in turns] == [
        "My name is Ada.",
        "What is my name?",
        "What is my name?",
    ]
    first, second_turn, third = turns
    assert first.index("[thinking]") < first.index("A greeting.")
    assert first.index("A greeting.") < first.index("[answer]")
    assert first.index("[answer]") < first.index("Hello, Ada.")
    assert "Your name is Ada." in second_turn and "(history cleared)" in second_turn
    assert "[thinking]" not in third and "I do not know your name." in third
    assert out.count("tokens: ") == 3 and out.count("cost: $") == 4
    assert "total (3 turns): " in out.splitlines()[-1]


def test_chat_session_reports_tokens_and_cost_per_turn_and_in_total(
    kimi_simulator: KimiSimulator,
) -> None:
    kimi_simulator.queue(
        Reply(content="one", usage={"input_tokens": 1000, "output_tokens": 2000}),
        Reply(content="two", usage={"input_tokens": 3000, "output_tokens": 4000}),
    )
    result = _session(
        "first\nsecond\n", _sim_env(kimi_simulator), "--model", "kimi-k2-thinking"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    # prices: 0.574 / 2.294 USD per million input / output tokens
    assert "tokens: 1000 in, 2000 out; cost: $0.005162" in lines
    assert "tokens: 3000 in, 4000 out; cost: $0.010898" in lines
    assert lines[-1] == "total (2 turns): 4000 in, 6000 out; cost: $0.016060"


def test_chat_session_exit_command_and_unknown_commands(
    kimi_simulator: KimiSimulator,
) -> None:
    kimi_simulator.queue(Reply(content="Hi."))
    result = _session("/help\nhello\n/exit\nnot sent\n", _sim_env(kimi_simulator))
    assert result.returncode == 0, result.stderr
    assert "Unknown command /help" in result.stdout
    assert len(kimi_simulator.requests) == 1
    assert "not sent" not in result.stdout


def test_chat_session_without_key_exits_2() -> None:
    result = _session("hello\n", {})
    assert result.returncode == 2
    assert "DASHSCOPE_API_KEY is not set" in result.stdout


def test_chat_session_goes_on_after_a_failed_turn(
    kimi_simulator: KimiSimulator,
) -> None:
    kimi_simulator.fail(400, "InvalidParameter", "Simulated refusal.")
    kimi_simulator.queue(Reply(content="Fine now."))
    result = _session("first\nsecond\n", _sim_env(kimi_simulator))
    assert result.returncode == 1  # a turn failed
    assert "The service failed: [InvalidParameter] Simulated refusal." in result.stdout
    assert "Fine now." in result.stdout
    assert [len(r.messages) for r in kimi_simulator.requests] == [1, 1]
    assert "total (1 turns)" in result.stdout


def test_chat_session_stops_on_a_rejected_key(kimi_simulator: KimiSimulator) -> None:
    env = {**_sim_env(kimi_simulator), "DASHSCOPE_API_KEY": "sk-wrong"}
    result = _session("first\nsecond\n", env)
    assert result.returncode == 1
    assert "[invalid_api_key]" in result.stdout  # the compatible endpoint's spelling
    assert len(kimi_simulator.requests) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_chat_session_on_a_terminal_leaves_on_ctrl_d(
    kimi_simulator: KimiSimulator,
) -> None:
    import pty
    import select

    kimi_simulator.queue(Reply(reasoning="Greet.", content="Hello there."))
    primary, secondary = pty.openpty()
    base = {k: v for k, v in os.environ.items() if not k.startswith("DASHSCOPE_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "langchain_kimi", "chat"],
        stdin=secondary,
        stdout=secondary,
        stderr=subprocess.PIPE,
        env={**base, **_sim_env(kimi_simulator), "NO_COLOR": "1"},
    )
    os.close(secondary)
    output = b""
    cursor = 0

    def read_until(marker: bytes) -> None:
        """Read up to and past the next ``marker`` after the cursor."""
        nonlocal output, cursor
        while marker not in output[cursor:]:
            ready, _, _ = select.select([primary], [], [], 30)
            assert ready, f"no {marker!r} within 30 s: {output!r}"
            chunk = os.read(primary, 4096)
            assert chunk, output
            output += chunk
        cursor = output.index(marker, cursor) + len(marker)

    try:
        read_until(b"you> ")
        os.write(primary, b"hi\n")
        read_until(b"tokens: ")
        read_until(b"you> ")
        os.write(primary, b"\x04")  # Ctrl-D
        assert process.wait(timeout=60) == 0
        with contextlib.suppress(OSError):  # the terminal closes with the process
            read_until(b"total (1 turns)")
    finally:
        process.kill()
        os.close(primary)
    text = output.decode()
    assert "Chatting with kimi-k3" in text and "/reset" in text
    assert text.index("Greet.") < text.index("Hello there.")
    assert "total (1 turns)" in text
