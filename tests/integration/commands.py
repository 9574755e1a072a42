"""Running ``python -m langchain_kimi ...`` in tests: in this process through
``cli.main(argv)`` (most tests), or in a real child (one test per command
proves what the child adds: the interpreter, ``-m``, the entry point)."""

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

from langchain_kimi.cli.main import main


def _environment(env: dict[str, str] | None) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("DASHSCOPE_")}
    return {**base, **(env or {})}


def run(
    *args: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """The command in this process, with its own environment, stdin and output."""
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.dict(os.environ, _environment(env), clear=True),
        mock.patch.object(sys, "stdin", io.StringIO(stdin)),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = main(list(args))
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def spawn(
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """The command in a real child process."""
    return subprocess.run(
        [sys.executable, "-m", "langchain_kimi", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env=_environment(env),
    )
