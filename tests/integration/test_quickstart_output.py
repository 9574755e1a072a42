"""``examples/quickstart.py`` labels the streamed reasoning once and starts the
answer on a line of its own."""

import runpy
from pathlib import Path

import pytest

from langchain_kimi.testing import KimiSimulator, Reply

SCRIPT = Path(__file__).parents[2] / "examples" / "quickstart.py"


def test_the_stream_prints_thinking_once_then_the_answer_on_a_new_line(
    kimi_simulator: KimiSimulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    kimi_simulator.queue(
        Reply(content="I am Kimi.", reasoning="Greet."),
        Reply(content=["No, ", "7 x 143."], reasoning=["Try ", "small ", "primes."]),
    )
    monkeypatch.setenv("DASHSCOPE_API_KEY", kimi_simulator.api_key)
    monkeypatch.setenv("DASHSCOPE_BASE_URL", kimi_simulator.openai_base_url)
    runpy.run_path(str(SCRIPT), run_name="__main__")
    streamed = capsys.readouterr().out.split("streaming:\n", 1)[1]
    assert streamed.count("[thinking]") == 1
    assert streamed == "[thinking] Try small primes.\n[answer] No, 7 x 143.\n"
