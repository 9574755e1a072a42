"""Every Python example in README.md and in ChatKimi's docstring runs.

Blocks run in order in one namespace (as a reader would paste them), against the
simulator through DASHSCOPE_API_KEY / DASHSCOPE_BASE_URL. Top-level ``await``
is allowed, as in a notebook. Test functions a block defines are then called
with the simulator.
"""

import ast
import asyncio
import inspect
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from langchain_kimi import ChatKimi
from langchain_kimi.testing import KimiSimulator

README = Path(__file__).parents[2] / "README.md"


def readme_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def docstring_blocks() -> list[str]:
    """Bodies of ``.. code-block:: python``: lines indented past the directive."""
    lines = (inspect.getdoc(ChatKimi) or "").splitlines()
    blocks = []
    for number, line in enumerate(lines):
        if line.strip() != ".. code-block:: python":
            continue
        indent = len(line) - len(line.lstrip())
        body = []
        for following in lines[number + 1 :]:
            if following.strip() and len(following) - len(following.lstrip()) <= indent:
                break
            body.append(following)
        blocks.append(textwrap.dedent("\n".join(body)))
    return blocks


def run_blocks(blocks: list[str], simulator: KimiSimulator) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "docs"}
    for block in blocks:
        code = compile(block, "<docs>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        result = eval(code, namespace)
        if inspect.iscoroutine(result):
            asyncio.run(result)
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            value(simulator)
    return namespace


@pytest.fixture
def docs_env(
    kimi_simulator: KimiSimulator, monkeypatch: pytest.MonkeyPatch
) -> KimiSimulator:
    monkeypatch.setenv("DASHSCOPE_API_KEY", kimi_simulator.api_key)
    monkeypatch.setenv("DASHSCOPE_BASE_URL", kimi_simulator.openai_base_url)
    return kimi_simulator


def test_readme_has_examples_for_every_section() -> None:
    assert len(readme_blocks()) >= 8


# README shows the warning an unknown argument gives (``top_k``).
@pytest.mark.filterwarnings("ignore:'top_k' is not a ChatKimi parameter:UserWarning")
def test_readme_python_examples_run(docs_env: KimiSimulator) -> None:
    namespace = run_blocks(readme_blocks(), docs_env)
    assert namespace["msg"].additional_kwargs["reasoning_content"]
    assert len(docs_env.requests) >= 10
    assert all(r.status == 200 for r in docs_env.requests)


def test_docstring_examples_run(docs_env: KimiSimulator) -> None:
    blocks = docstring_blocks()
    assert len(blocks) >= 9
    namespace = run_blocks(blocks, docs_env)
    assert namespace["msg"].usage_metadata
    assert all(r.status == 200 for r in docs_env.requests)


def test_docstring_follows_the_integration_template() -> None:
    doc = inspect.getdoc(ChatKimi) or ""
    for heading in (
        "Setup:",
        "Instantiate:",
        "Invoke:",
        "Stream:",
        "Async:",
        "Tool calling:",
        "Structured output:",
        "Reasoning:",
        "Token usage:",
        "Response metadata:",
    ):
        assert heading in doc
