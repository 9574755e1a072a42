"""The dashscope SDK internals the transport relies on, one test each.

``transports/dashscope.py`` and ``transports/dashscope_sessions.py`` steer the
SDK through three things it does not promise: the base class's ``call`` under
``Generation``, the ``requests.Response`` it reads (whose class our session
swaps), and its "Request failed" log record. pyproject pins the versions these
were checked against; a new SDK version that moves one of them fails here, with
the version in the message, before users see odd behaviour.
"""

import asyncio
import inspect
import logging
import socket

import aiohttp
import dashscope
import pytest
from dashscope import (
    AioGeneration,
    AioMultiModalConversation,
    Generation,
    MultiModalConversation,
)

from langchain_kimi.testing import KimiSimulator, Reply
from langchain_kimi.transports import dashscope_sessions as http
from langchain_kimi.transports.dashscope import _where

SDK = f"dashscope {dashscope.__version__}"


@pytest.mark.parametrize(
    ("cls", "module"),
    [
        (Generation, "dashscope.aigc.generation"),
        (AioGeneration, "dashscope.aigc.generation"),
        (MultiModalConversation, "dashscope.aigc.multimodal_conversation"),
        (AioMultiModalConversation, "dashscope.aigc.multimodal_conversation"),
    ],
)
def test_each_call_is_its_base_call_with_its_task(cls: type, module: str) -> None:
    """``_generate`` calls the base class's ``call`` with the task group, task
    and function the SDK's own ``call`` passes (``_where``)."""
    from dashscope.common.utils import _get_task_group_and_task

    task_group, function = _get_task_group_and_task(module)
    function = getattr(cls, "function", function)  # MultiModalConversation's own
    sdk = {"task_group": task_group, "task": cls.task, "function": function}  # type: ignore[attr-defined]
    assert sdk == _where(cls.task), f"{SDK}: {cls.__name__}.call now sends {sdk}"  # type: ignore[attr-defined]
    parameters = inspect.signature(super(cls, cls).call).parameters  # type: ignore[misc]
    for name in ("model", "input", "task_group", "task", "function"):
        assert name in parameters, f"{SDK}: {cls.__name__}'s base call lost {name!r}"
    assert "super().call(" in inspect.getsource(cls.call), (
        f"{SDK}: {cls.__name__}.call no longer goes through its base call"
    )


def test_the_sdk_reads_a_stream_through_the_response_our_session_returns(
    kimi_simulator: KimiSimulator,
) -> None:
    """Our adapter swaps the response's class to read under the call's
    deadlines; the SDK must read the body through that object."""
    kimi_simulator.queue(Reply(content="one two three"))
    state = http.CallState.start(30, stream=True)
    with http.calling(state):
        events = Generation.call(
            model="kimi-k2-thinking",
            messages=[{"role": "user", "content": "hi"}],
            api_key=kimi_simulator.api_key,
            base_address=kimi_simulator.native_base_url,
            stream=True,
            session=http.new_session(),
        )
        texts = [event.output.choices[0].message.content for event in events]
    assert isinstance(state.response, http._Response), (
        f"{SDK}: the SDK no longer reads through the session's response"
    )
    assert texts and "".join(texts).endswith("three"), f"{SDK}: {texts}"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("run", ["sync", "async"])
def test_the_sdk_logs_a_failed_request_as_request_failed(
    run: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The transport silences exactly this record while it handles the failure
    itself (``_QuietHandledFailures``); another wording would leak an ERROR
    log line per retried failure."""
    arguments = {
        "model": "kimi-k2-thinking",
        "messages": [{"role": "user", "content": "hi"}],
        "api_key": "sk-contract",
        "base_address": f"http://127.0.0.1:{_closed_port()}/api/v1",
    }
    caplog.set_level(logging.ERROR, logger="dashscope")
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the SDK raises
        if run == "sync":
            Generation.call(**arguments)
        else:

            async def call() -> None:
                async with aiohttp.ClientSession() as session:
                    await AioGeneration.call(**arguments, session=session)

            asyncio.run(call())
    failed = [
        r
        for r in caplog.records
        if r.name == "dashscope" and r.levelno == logging.ERROR
    ]
    assert any(r.msg == "Request failed" for r in failed), (
        f"{SDK}: the failure log is now {[r.msg for r in failed]!r}; "
        "update _QuietHandledFailures in transports/dashscope_sessions.py"
    )
