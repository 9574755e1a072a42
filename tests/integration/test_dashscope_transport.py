"""What only the dashscope transport has to prove: lazy import, isolation, no
leaks, and that it sends what ``dashscope.Generation.call`` sends."""

import asyncio
import os
import subprocess
import sys
import threading
import time

import aiohttp
import dashscope
import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import K26_MODEL, THINKING_MODEL
from langchain_kimi.testing import KimiSimulator, Reply
from langchain_kimi.testing.recording import RecordedRequest


def test_import_does_not_load_dashscope() -> None:
    code = (
        "import sys, langchain_kimi; "
        "assert 'dashscope' not in sys.modules, 'dashscope imported eagerly'; "
        "from langchain_kimi import ChatKimi; "
        "ChatKimi(api_key='k', transport='dashscope'); "
        "assert 'dashscope' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_two_endpoints_and_keys_side_by_side_across_threads() -> None:
    with KimiSimulator(api_key="sk-one") as one, KimiSimulator(api_key="sk-two") as two:
        first = ChatKimi(
            api_key="sk-one", base_url=one.native_base_url, transport="dashscope"
        )
        second = ChatKimi(
            api_key="sk-two", base_url=two.native_base_url, transport="dashscope"
        )
        one.queue(*(Reply(content=f"one {i}") for i in range(10)))
        two.queue(*(Reply(content=f"two {i}") for i in range(10)))
        answers: dict[str, list[object]] = {"one": [], "two": []}
        errors: list[BaseException] = []

        def run(name: str, llm: ChatKimi) -> None:
            try:
                for _ in range(10):
                    answers[name].append(llm.invoke("hi").content)
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=run, args=(name, llm))
            for name, llm in (("one", first), ("two", second))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        assert answers == {
            name: [f"{name} {i}" for i in range(10)] for name in ("one", "two")
        }
        assert len(one.requests) == len(two.requests) == 10
        assert dashscope.api_key is None  # module globals untouched
        assert all(r.headers["Authorization"] == "Bearer sk-one" for r in one.requests)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _settled_fds(limit: int) -> int:
    deadline = time.monotonic() + 5
    count = _open_fds()
    while count > limit and time.monotonic() < deadline:
        time.sleep(0.05)
        count = _open_fds()
    return count


def test_many_async_calls_leave_no_sockets_open(kimi_simulator: KimiSimulator) -> None:
    llm = ChatKimi(
        api_key=kimi_simulator.api_key,
        base_url=kimi_simulator.native_base_url,
        transport="dashscope",
        max_retries=0,
    )

    async def sequential() -> None:
        for _ in range(1000):
            await llm.ainvoke("hi")

    async def concurrent() -> None:
        await asyncio.gather(*(llm.ainvoke("hi") for _ in range(200)))

    asyncio.run(llm.ainvoke("warm up"))
    before = _open_fds()
    asyncio.run(sequential())
    asyncio.run(concurrent())
    assert _settled_fds(before) <= before
    assert len(kimi_simulator.requests) == 1201


TOOL = {
    "type": "function",
    "function": {
        "name": "lookup",
        "description": "Look an order up.",
        "parameters": {"type": "object", "properties": {"id": {"type": "string"}}},
    },
}


def _sent(request: RecordedRequest) -> tuple[str, dict[str, str], dict[str, object]]:
    """What a request carried: path, headers but the User-Agent, JSON body."""
    headers = {k.lower(): v for k, v in request.headers.items()}
    headers.pop("user-agent")
    return request.path, headers, request.body


#: The SDK call each model's requests must equal: text-generation for the
#: seed's text-only model, multimodal-generation for the lineup's.
_SDK_CALLS = {
    THINKING_MODEL: (dashscope.Generation, dashscope.AioGeneration),
    K26_MODEL: (dashscope.MultiModalConversation, dashscope.AioMultiModalConversation),
}


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("run", ["sync", "async"])
@pytest.mark.parametrize("model", list(_SDK_CALLS))
def test_the_request_sent_is_the_one_the_sdk_call_sends(
    kimi_simulator: KimiSimulator, stream: bool, run: str, model: str
) -> None:
    """The transport calls the SDK's base call with ``Generation``'s task, or
    ``MultiModalConversation``'s for the multimodal models (no typed wrapper
    per event); an SDK whose call sends another request for the same
    arguments fails here."""
    sync_call, async_call = _SDK_CALLS[model]
    llm = ChatKimi(
        model=model,
        api_key=kimi_simulator.api_key,
        base_url=kimi_simulator.native_base_url,
        transport="dashscope",
        max_retries=0,
        timeout=30,
        temperature=0.3,
        default_headers={"X-Trace": "contract"},
    )
    messages = [SystemMessage("Be brief."), HumanMessage("Where is A-17?")]
    request = llm._call(messages, ["STOP"], stream, {"tools": [TOOL]}).request
    transport = llm._get_transport()
    arguments = transport._arguments(request)  # type: ignore[attr-defined]
    given = {k: v for k, v in arguments.items() if k != "input"}
    given["messages"] = arguments["input"]["messages"]

    async def both_async() -> None:
        if stream:
            [_ async for _ in transport.astream(request)]
        else:
            await transport.ainvoke(request)
        async with aiohttp.ClientSession() as session:
            answer = await async_call.call(**given, session=session)
            if stream:
                [_ async for _ in answer]

    if run == "async":
        asyncio.run(both_async())
    else:
        if stream:
            list(transport.stream(request))
        else:
            transport.invoke(request)
        answer = sync_call.call(**given)
        if stream:
            list(answer)
    ours, reference = kimi_simulator.requests
    assert reference.status == 200
    assert _sent(ours) == _sent(reference)
    assert ("x-dashscope-sse" in _sent(ours)[1]) == stream
