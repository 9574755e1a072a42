"""ChatKimi's lean ``stream`` / ``astream`` against langchain-core's own path.

The same reply goes through ``BaseChatModel.stream`` (core's implementation,
driving ChatKimi's ``_stream``) and through ``ChatKimi.stream``; a handler
records every callback event, and the two records must match. A langchain-core
upgrade that changes the callback contract then fails here, not for a user.
"""

import re
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import LLMResult
from langchain_core.tools import tool

from langchain_kimi import ChatKimi
from langchain_kimi.testing import Fault, KimiSimulator, Reply, ToolCallSpec


@tool
def get_weather(city: str) -> str:
    """Weather in a city."""
    return "sunny"


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class EventLog(AsyncCallbackHandler):
    """Every chat-model callback; ids (run, request) numbered by first appearance."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self._ids: dict[str, str] = {}

    def _id(self, value: Any) -> str:
        key = str(value)
        return self._ids.setdefault(key, f"run-{len(self._ids)}")

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, UUID):
            return self._id(value)
        if isinstance(value, str):
            return _UUID.sub(lambda match: self._id(match.group(0)), value)
        if isinstance(value, dict):
            return {k: self._scrub(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._scrub(v) for v in value]
        return value

    def _message(self, message: BaseMessage | None) -> Any:
        if message is None:
            return None
        return self._scrub(
            {
                "type": type(message).__name__,
                "content": message.content,
                "additional_kwargs": message.additional_kwargs,
                "response_metadata": message.response_metadata,
                "id": message.id,
                "tool_calls": getattr(message, "tool_calls", None),
                "invalid_tool_calls": getattr(message, "invalid_tool_calls", None),
                "tool_call_chunks": getattr(message, "tool_call_chunks", None),
                "usage_metadata": getattr(message, "usage_metadata", None),
                "chunk_position": getattr(message, "chunk_position", None),
            }
        )

    def _result(self, response: LLMResult | None) -> Any:
        if response is None:
            return None
        return [
            [self._message(getattr(g, "message", None)) for g in generations]
            for generations in response.generations
        ]

    async def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kw: Any
    ) -> None:
        self.events.append(
            (
                "start",
                self._scrub(
                    {
                        "serialized": serialized,
                        "messages": [[m.model_dump() for m in ms] for ms in messages],
                        **{k: v for k, v in kw.items() if k != "parent_run_id"},
                    }
                ),
            )
        )

    async def on_llm_new_token(self, token: str, **kw: Any) -> None:
        chunk = kw.get("chunk")
        message = getattr(chunk, "message", None)
        self.events.append(
            ("token", (token, self._message(message), self._id(kw["run_id"])))
        )

    async def on_llm_end(self, response: LLMResult, **kw: Any) -> None:
        self.events.append(("end", (self._result(response), self._id(kw["run_id"]))))

    async def on_llm_error(self, error: BaseException, **kw: Any) -> None:
        self.events.append(
            (
                "error",
                (
                    type(error).__name__,
                    self._scrub(str(error)),
                    self._result(kw.get("response")),
                    self._id(kw["run_id"]),
                ),
            )
        )


SCENARIOS: dict[str, tuple[list[Any], dict[str, Any]]] = {
    "text and reasoning": (
        [
            Reply(
                content=["Hel", "lo"],
                reasoning=["th", "ink"],
                usage={"input_tokens": 2, "output_tokens": 3},
            )
        ],
        {},
    ),
    "tool calls": (
        [
            Reply(
                reasoning="Look it up.",
                tool_calls=[
                    ToolCallSpec("get_weather", {"city": "Beijing"}, id="call_1"),
                ],
            )
        ],
        {"tools": True},
    ),
    "cut mid-stream": (
        [Fault(kind="drop", after_events=3, reply=Reply(content=["a", "b", "c", "d"]))],
        {},
    ),
    "error before the first chunk": (
        [Fault(status=400, code="InvalidParameter", message="bad")],
        {},
    ),
    "refused before any request": ([], {"top_p": 0.5}),
    "with run name, tags and metadata": (
        [Reply(content="ok")],
        {"config": {"run_name": "named", "tags": ["t"], "metadata": {"k": "v"}}},
    ),
}


def _run(
    model: Any, stream: Callable[..., Any], options: dict[str, Any], log: EventLog
) -> tuple[list[str], str | None]:
    config = {"callbacks": [log], **options.get("config", {})}
    kwargs = {k: v for k, v in options.items() if k not in ("tools", "config")}
    texts: list[str] = []
    try:
        for chunk in stream(model, "What is the weather in Beijing?", config, **kwargs):
            texts.append(str(chunk.content))
    except Exception as error:  # the error itself is compared below
        return texts, type(error).__name__
    return texts, None


async def _arun(
    model: Any, astream: Callable[..., Any], options: dict[str, Any], log: EventLog
) -> tuple[list[str], str | None]:
    config = {"callbacks": [log], **options.get("config", {})}
    kwargs = {k: v for k, v in options.items() if k not in ("tools", "config")}
    texts: list[str] = []
    try:
        async for chunk in astream(
            model, "What is the weather in Beijing?", config, **kwargs
        ):
            texts.append(str(chunk.content))
    except Exception as error:
        return texts, type(error).__name__
    return texts, None


def _model(make_llm: Callable[..., ChatKimi], options: dict[str, Any]) -> Any:
    llm = make_llm()
    return llm.bind_tools([get_weather]) if options.get("tools") else llm


def _streams(model: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``(core's stream, ChatKimi's stream)`` for a model or a tool-bound model."""
    bound = getattr(model, "bound", model)
    extra = getattr(model, "kwargs", {})

    def core(_: Any, text: str, config: Any, **kw: Any) -> Any:
        return BaseChatModel.stream(bound, text, config, **extra, **kw)

    def ours(_: Any, text: str, config: Any, **kw: Any) -> Any:
        return bound.stream(text, config, **extra, **kw)

    return core, ours


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_stream_callbacks_match_core(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, scenario: str
) -> None:
    items, options = SCENARIOS[scenario]
    model = _model(make_llm, options)
    core_stream, our_stream = _streams(model)
    logs = []
    outcomes = []
    for stream in (core_stream, our_stream):
        kimi_simulator.reset()
        kimi_simulator.queue(*items)
        log = EventLog()
        outcomes.append(_run(model, stream, options, log))
        logs.append(log.events)
    assert outcomes[0] == outcomes[1]
    assert [kind for kind, _ in logs[0]] == [kind for kind, _ in logs[1]]
    assert logs[0] == logs[1]
    assert logs[0][0][0] == "start" and logs[0][-1][0] in ("end", "error")


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
async def test_astream_callbacks_match_core(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, scenario: str
) -> None:
    items, options = SCENARIOS[scenario]
    model = _model(make_llm, options)
    bound = getattr(model, "bound", model)
    extra = getattr(model, "kwargs", {})

    def core(_: Any, text: str, config: Any, **kw: Any) -> Any:
        return BaseChatModel.astream(bound, text, config, **extra, **kw)

    def ours(_: Any, text: str, config: Any, **kw: Any) -> Any:
        return bound.astream(text, config, **extra, **kw)

    logs = []
    outcomes = []
    for astream in (core, ours):
        kimi_simulator.reset()
        kimi_simulator.queue(*items)
        log = EventLog()
        outcomes.append(await _arun(model, astream, options, log))
        logs.append(log.events)
    assert outcomes[0] == outcomes[1]
    assert logs[0] == logs[1]
