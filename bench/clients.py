"""The simulator in a child process, and the clients the benchmark compares.

Every client does the same four jobs on the same reply: ``stream`` and
``astream`` yield one text piece per streamed chunk (so the time to the first
chunk can be taken), ``invoke`` and ``ainvoke`` return the whole answer.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

#: The throughput figures stay on the seed's text-only thinking model, which the
#: raw SDKs call the same way (text-generation); bench/image.py uses kimi-k3.
MODEL = "kimi-k2-thinking"
MESSAGES = [{"role": "user", "content": "Hi"}]
API_KEY = "sk-kimi-simulator"  # the simulator's default key


class Server:
    """A simulator reached over HTTP; ``start()`` runs one in a child process."""

    def __init__(self, url: str, process: subprocess.Popen[str] | None = None) -> None:
        self.url = url
        self.openai_url = url + "/compatible-mode/v1"
        self.native_url = url + "/api/v1"
        self.key = API_KEY
        self.process = process

    @classmethod
    def start(cls, connect_delay: float = 0.0) -> Server:
        command = [sys.executable, "-m", "langchain_kimi.testing"]
        if connect_delay:
            command += ["--connect-delay", str(connect_delay)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert process.stdout is not None
        return cls(json.loads(process.stdout.readline())["url"], process)

    def queue(self, *items: dict[str, Any]) -> None:
        self._control("/simulator/queue", {"items": list(items)})

    def connections(self) -> dict[str, Any]:
        """Connections clients opened so far (the control endpoint's counts)."""
        return dict(self._control("/simulator/connections"))

    def _control(self, route: str, payload: dict[str, Any] | None = None) -> Any:
        """A control endpoint: the simulator's key, JSON both ways."""
        request = urllib.request.Request(
            self.url + route,
            data=None if payload is None else json.dumps(payload).encode(),
            headers={
                "Authorization": f"Bearer {self.key}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())

    def close(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)


def thinking_reply(deltas: int, piece: str = "word ") -> dict[str, Any]:
    half = deltas // 2
    return {"content": [piece] * half, "reasoning": [piece] * half}


@dataclass
class Client:
    stream: Callable[[], Iterator[str]]
    astream: Callable[[], AsyncIterator[str]]
    invoke: Callable[[], str]
    ainvoke: Callable[[], Awaitable[str]]


def client_names() -> list[str]:
    """The clients compared; ChatOpenAI only when langchain-openai is installed."""
    names = list(_FACTORIES)
    if importlib.util.find_spec("langchain_openai") is None:
        names.remove("ChatOpenAI")
    return names


def make_client(server: Server, name: str) -> Client:
    """A fresh instance of client ``name``, pointed at ``server``."""
    return _FACTORIES[name](server)


def make_clients(server: Server) -> dict[str, Client]:
    return {name: make_client(server, name) for name in client_names()}


def _openai_client(server: Server) -> Client:
    import openai

    options: dict[str, Any] = {
        "api_key": server.key,
        "base_url": server.openai_url,
        "max_retries": 0,
    }
    raw, araw = openai.OpenAI(**options), openai.AsyncOpenAI(**options)
    streamed: Any = {
        "model": MODEL,
        "messages": MESSAGES,
        "stream": True,
        "stream_options": {"include_usage": True},
    }

    def piece(chunk: Any) -> str:
        if not chunk.choices:
            return ""
        delta = chunk.choices[0].delta
        return (getattr(delta, "reasoning_content", None) or "") + (delta.content or "")

    def stream() -> Iterator[str]:
        for chunk in raw.chat.completions.create(**streamed):
            yield piece(chunk)

    async def astream() -> AsyncIterator[str]:
        async for chunk in await araw.chat.completions.create(**streamed):
            yield piece(chunk)

    def invoke() -> str:
        reply = raw.chat.completions.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]
        return reply.choices[0].message.content or ""

    async def ainvoke() -> str:
        reply = await araw.chat.completions.create(model=MODEL, messages=MESSAGES)  # type: ignore[arg-type]
        return reply.choices[0].message.content or ""

    return Client(stream, astream, invoke, ainvoke)


def _dashscope_client(server: Server) -> Client:
    """The SDK as its users call it: its own shared session (one per loop in async)."""
    import dashscope

    native: dict[str, Any] = {
        "model": MODEL,
        "messages": MESSAGES,
        "api_key": server.key,
        "base_address": server.native_url,
        "result_format": "message",
    }

    def piece(event: Any) -> str:
        message = event.output.choices[0].message
        return str(message.get("reasoning_content") or "") + (message.content or "")

    def stream() -> Iterator[str]:
        for event in dashscope.Generation.call(
            **native, stream=True, incremental_output=True
        ):
            yield piece(event)

    async def astream() -> AsyncIterator[str]:
        events = await dashscope.AioGeneration.call(
            **native, stream=True, incremental_output=True
        )
        async for event in events:
            yield piece(event)

    def invoke() -> str:
        return str(
            dashscope.Generation.call(**native).output.choices[0].message.content
        )

    async def ainvoke() -> str:
        reply = await dashscope.AioGeneration.call(**native)
        return str(reply.output.choices[0].message.content)

    return Client(stream, astream, invoke, ainvoke)


def _chat_kimi_client(server: Server, transport: str) -> Client:
    from langchain_kimi import ChatKimi

    llm = ChatKimi(
        model=MODEL,
        api_key=server.key,
        base_url=server.openai_url,
        transport=transport,  # type: ignore[arg-type]
        max_retries=0,
    )
    return _chat_model_client(llm)


def _chat_openai_client(server: Server) -> Client:
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(
        model=MODEL,
        api_key=server.key,  # type: ignore[arg-type]
        base_url=server.openai_url,
        max_retries=0,
        stream_usage=True,
    )
    return _chat_model_client(llm)


def _chat_model_client(llm: Any) -> Client:
    def stream() -> Iterator[str]:
        return (str(chunk.content) for chunk in llm.stream("Hi"))

    async def astream() -> AsyncIterator[str]:
        async for chunk in llm.astream("Hi"):
            yield str(chunk.content)

    def invoke() -> str:
        return str(llm.invoke("Hi").content)

    async def ainvoke() -> str:
        return str((await llm.ainvoke("Hi")).content)

    return Client(stream, astream, invoke, ainvoke)


_FACTORIES: dict[str, Callable[[Server], Client]] = {
    "openai SDK": _openai_client,
    "dashscope SDK": _dashscope_client,
    "ChatKimi (openai)": functools.partial(_chat_kimi_client, transport="openai"),
    "ChatKimi (dashscope)": functools.partial(_chat_kimi_client, transport="dashscope"),
    "ChatOpenAI": _chat_openai_client,
}
