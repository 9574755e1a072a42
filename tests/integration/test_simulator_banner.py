"""``python -m langchain_kimi.testing`` on a terminal prints a banner a person can
act on: where it listens, its key, and the two exports for ``chat``."""

import os
import pty
import re
import select
import subprocess
import sys
import time


def test_on_a_terminal_it_prints_the_url_the_key_and_the_exports() -> None:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "langchain_kimi.testing"],
        stdout=follower,
        stderr=subprocess.PIPE,
    )
    os.close(follower)
    seen = b""
    try:
        deadline = time.monotonic() + 20
        while b"Ctrl-C" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 1)
            if ready:
                seen += os.read(leader, 4096)
    finally:
        process.terminate()
        process.wait(10)
        os.close(leader)
    text = seen.decode().replace("\r\n", "\n")
    url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", text)
    assert url, text
    assert re.search(r"API key: +sk-kimi-simulator\n", text)
    assert f"export DASHSCOPE_BASE_URL={url[1]}/compatible-mode/v1" in text
    assert "export DASHSCOPE_API_KEY=sk-kimi-simulator" in text
    assert not text.lstrip().startswith("{")  # not the JSON line meant for pipes
