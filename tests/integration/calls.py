"""Helpers for tests that drive each call path, and raw wire bodies per protocol."""

import asyncio
import json
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage

from langchain_kimi import ChatKimi

#: The four ways to call a model; a behaviour must hold on each.
MODES = ["invoke", "stream", "ainvoke", "astream"]
WHOLE = ["invoke", "ainvoke"]
STREAMS = ["stream", "astream"]


def call(llm: ChatKimi, mode: str, input: Any = "hi", **kwargs: Any) -> BaseMessage:
    """The reply through ``mode``; a stream's chunks are summed into one message."""
    if mode == "invoke":
        return llm.invoke(input, **kwargs)
    if mode == "ainvoke":
        return asyncio.run(llm.ainvoke(input, **kwargs))
    if mode == "stream":
        return _sum(list(llm.stream(input, **kwargs)))

    async def collect() -> list[AIMessageChunk]:
        return [chunk async for chunk in llm.astream(input, **kwargs)]

    return _sum(asyncio.run(collect()))


def reply(llm: Any, mode: str, input: Any = "hi", **kwargs: Any) -> BaseMessage:
    """Like ``call``, but a stream's chunks are summed whole (reasoning and
    ``additional_kwargs`` kept)."""
    if mode in WHOLE:
        return call(llm, mode, input, **kwargs)
    if mode == "stream":
        chunks = list(llm.stream(input, **kwargs))
    else:

        async def collect() -> list[AIMessageChunk]:
            return [chunk async for chunk in llm.astream(input, **kwargs)]

        chunks = asyncio.run(collect())
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


def _sum(chunks: list[AIMessageChunk]) -> AIMessage:
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return AIMessage(
        content=total.content,
        usage_metadata=total.usage_metadata,
        response_metadata=total.response_metadata,
    )


def whole_body(transport: str, choices: Any, usage: Any = None) -> str:
    """A whole reply's JSON in the transport's protocol, with these choices."""
    if transport == "dashscope":
        return json.dumps(
            {"output": {"choices": choices}, "usage": usage, "request_id": "rid-raw"}
        )
    return json.dumps({"id": "chatcmpl-raw", "choices": choices, "usage": usage})


def stream_body(transport: str, events: list[dict[str, Any]], *, done: bool) -> str:
    """An event stream in the transport's protocol carrying ``events`` as data."""
    if transport == "dashscope":
        return "".join(
            f"id:{n}\nevent:result\n:HTTP_STATUS/200\ndata:{json.dumps(e)}\n\n"
            for n, e in enumerate(events, start=1)
        )
    blocks = [f"data: {json.dumps(e)}\n\n" for e in events]
    return "".join(blocks) + ("data: [DONE]\n\n" if done else "")


def text_event(transport: str, text: str, finish: str | None = None) -> dict[str, Any]:
    """One stream event carrying ``text`` (and a finish reason, if given)."""
    if transport == "dashscope":
        choice = {
            "message": {"role": "assistant", "content": text},
            "finish_reason": finish or "null",
        }
        return {"output": {"choices": [choice]}, "request_id": "rid-raw"}
    return {
        "id": "c",
        "choices": [{"delta": {"content": text}, "finish_reason": finish}],
    }
