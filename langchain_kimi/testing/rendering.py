"""Rendering replies and errors in both wire protocols, as the service does.

Compatible mode: chat-completions JSON, or SSE ``data:`` chunks ended by
``data: [DONE]``. Native: ``{"output": {"choices": ...}, "usage", "request_id"}``,
or SSE events ``id:N / event:result / :HTTP_STATUS/200 / data:{json}``, with
``finish_reason`` ``"null"`` until the end and cumulative usage on every event.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

from langchain_kimi.request.tokens import estimate_text as estimate_tokens
from langchain_kimi.testing.replies import Reply, ToolCallSpec, UsagePlacement

_SURROGATE = re.compile("[\ud800-\udfff]")


def _dump(obj: Any) -> str:
    """Compact JSON; a lone surrogate (scripted on purpose) goes out as the
    ``\\uXXXX`` escape a server would send, so the event still encodes."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def usage_counts(
    reply: Reply, input_tokens: int, cache: tuple[int, int] = (0, 0)
) -> dict[str, int]:
    """Token counts for a reply: scripted, or estimated (``request.tokens``);
    ``cache`` is ``(cached, created)`` input tokens unless the script sets
    ``cached_tokens``."""
    if reply.usage is not None:
        counts = dict(reply.usage)
        counts.setdefault("input_tokens", input_tokens)
        counts.setdefault("output_tokens", 0)
    else:
        reasoning = estimate_tokens(reply.reasoning_text() or "")
        arguments = "".join(_arguments(call) for call in reply.tool_calls)
        counts = {
            "input_tokens": input_tokens,
            "output_tokens": reasoning + estimate_tokens(reply.text() + arguments),
        }
        if reply.reasoning is not None:
            counts["reasoning_tokens"] = reasoning
    if "cached_tokens" not in counts and any(cache):
        counts["cached_tokens"] = min(cache[0], counts["input_tokens"])
        counts["cache_creation_tokens"] = cache[1]
    return counts


def _arguments(call: ToolCallSpec) -> str:
    if isinstance(call.arguments, str):
        return call.arguments
    return json.dumps(call.arguments, ensure_ascii=False)


def _call_ids(reply: Reply, request_id: str) -> list[str]:
    return [
        call.id or f"call_{request_id[:8]}_{index}"
        for index, call in enumerate(reply.tool_calls)
    ]


def _wire_calls(reply: Reply, request_id: str) -> list[dict[str, Any]]:
    return [
        {
            "id": call_id,
            "type": "function",
            "index": index,
            "function": {"name": call.name, "arguments": _arguments(call)},
        }
        for index, (call, call_id) in enumerate(
            zip(reply.tool_calls, _call_ids(reply, request_id), strict=True)
        )
    ]


def _message(reply: Reply, request_id: str) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text()}
    if reply.reasoning is not None:
        message["reasoning_content"] = reply.reasoning_text()
    if reply.tool_calls:
        message["tool_calls"] = _wire_calls(reply, request_id)
    return message


def _usage(counts: dict[str, int], input_key: str, output_key: str) -> dict[str, Any]:
    usage: dict[str, Any] = {
        input_key: counts["input_tokens"],
        output_key: counts["output_tokens"],
        "total_tokens": counts["input_tokens"] + counts["output_tokens"],
    }
    if "reasoning_tokens" in counts:
        usage[f"{output_key}_details"] = {
            "reasoning_tokens": counts["reasoning_tokens"]
        }
    if "cached_tokens" in counts:
        details: dict[str, Any] = {"cached_tokens": counts["cached_tokens"]}
        if counts.get("cache_creation_tokens"):
            details["cache_creation_input_tokens"] = counts["cache_creation_tokens"]
            details["cache_type"] = "ephemeral"
        usage["prompt_tokens_details"] = details
    return usage


def openai_usage(counts: dict[str, int]) -> dict[str, Any]:
    return _usage(counts, "prompt_tokens", "completion_tokens")


def native_usage(counts: dict[str, int]) -> dict[str, Any]:
    return _usage(counts, "input_tokens", "output_tokens")


# -- compatible mode ---------------------------------------------------------


def openai_body(
    reply: Reply,
    model: str,
    request_id: str,
    input_tokens: int,
    cache: tuple[int, int] = (0, 0),
) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{request_id}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "message": _message(reply, request_id),
                "finish_reason": reply.final_finish_reason(),
                "logprobs": None,
            }
        ],
        "usage": openai_usage(usage_counts(reply, input_tokens, cache)),
    }


def _deltas(
    reply: Reply, request_id: str, *, indexed: bool = True
) -> Iterator[dict[str, Any]]:
    """The message deltas of a stream: reasoning, content, then tool calls.

    A call comes in three pieces: id and name, then its arguments in two
    halves. Unless ``indexed``, no piece has an ``index`` and the later pieces
    have an empty id (``Behaviour.tool_call_index_in_stream``).
    """
    for piece in reply.reasoning_pieces():
        yield {"reasoning_content": piece}
    for piece in reply.content_pieces():
        yield {"content": piece}
    for call in _wire_calls(reply, request_id):
        arguments = call["function"]["arguments"]
        half = len(arguments) // 2
        key = {"index": call["index"]} if indexed else {}
        more = key if indexed else {"id": ""}
        yield {
            "tool_calls": [
                {
                    **key,
                    "id": call["id"],
                    "type": "function",
                    "function": {"name": call["function"]["name"], "arguments": ""},
                }
            ]
        }
        for part in (arguments[:half], arguments[half:]):
            if part:
                yield {"tool_calls": [{**more, "function": {"arguments": part}}]}


def openai_events(
    reply: Reply,
    model: str,
    request_id: str,
    input_tokens: int,
    *,
    include_usage: bool,
    indexed: bool = True,
    usage_in: UsagePlacement = "trailing",
    cache: tuple[int, int] = (0, 0),
) -> Iterator[str]:
    """SSE blocks of a compatible-mode stream; usage where ``usage_in`` says
    (the trailing chunk only when ``include_usage`` asks for it)."""
    base = {
        "id": f"chatcmpl-{request_id}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice: dict[str, Any] = {"index": 0, "delta": delta, "finish_reason": finish}
        choice.update(extra)
        return f"data: {_dump({**base, 'choices': [choice]})}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    for delta in _deltas(reply, request_id, indexed=indexed):
        yield chunk(delta)
    usage = openai_usage(usage_counts(reply, input_tokens, cache))
    in_choice = usage_in in ("choice", "both")
    yield chunk(
        {}, reply.final_finish_reason(), **({"usage": usage} if in_choice else {})
    )
    if include_usage and usage_in in ("trailing", "both"):
        yield f"data: {_dump({**base, 'choices': [], 'usage': usage})}\n\n"
    yield "data: [DONE]\n\n"


def openai_error(
    status: int, code: str, message: str, request_id: str
) -> dict[str, Any]:
    kind = "invalid_request_error" if status < 500 else "internal_error"
    return {
        "error": {"message": message, "type": kind, "param": None, "code": code},
        "request_id": request_id,
    }


# -- native ------------------------------------------------------------------


def _as_items(message: dict[str, Any]) -> dict[str, Any]:
    """A multimodal-generation message: ``content`` as ``[{"text": ...}]``
    (empty when there is no text)."""
    text = message.get("content") or ""
    return {**message, "content": [{"text": text}] if text else []}


def native_body(
    reply: Reply,
    request_id: str,
    input_tokens: int,
    *,
    multimodal: bool = False,
    cache: tuple[int, int] = (0, 0),
) -> dict[str, Any]:
    message = _message(reply, request_id)
    return {
        "output": {
            "choices": [
                {
                    "finish_reason": reply.final_finish_reason(),
                    "message": _as_items(message) if multimodal else message,
                }
            ]
        },
        "usage": native_usage(usage_counts(reply, input_tokens, cache)),
        "request_id": request_id,
    }


def native_event(number: int, data: dict[str, Any], *, error: bool = False) -> str:
    status = data.get("status_code", 200) if error else 200
    kind = "error" if error else "result"
    return f"id:{number}\nevent:{kind}\n:HTTP_STATUS/{status}\ndata:{_dump(data)}\n\n"


def native_events(
    reply: Reply,
    request_id: str,
    input_tokens: int,
    *,
    incremental: bool,
    indexed: bool,
    multimodal: bool = False,
    cache: tuple[int, int] = (0, 0),
) -> Iterator[str]:
    """SSE blocks of a native stream (incremental or cumulative); on
    multimodal-generation each message's ``content`` is a list of items."""
    final = usage_counts(reply, input_tokens, cache)
    shape = _as_items if multimodal else dict
    seen = {"content": "", "reasoning_content": ""}
    produced = 0
    number = 0
    deltas = list(_deltas(reply, request_id, indexed=indexed))
    for number, delta in enumerate(deltas, start=1):
        for key in ("content", "reasoning_content"):
            if key in delta:
                seen[key] += delta[key]
                produced += estimate_tokens(delta[key])
        if incremental:
            message: dict[str, Any] = {"role": "assistant", "content": ""}
            message.update(delta)
        else:
            message = {"role": "assistant", "content": seen["content"]}
            if seen["reasoning_content"]:
                message["reasoning_content"] = seen["reasoning_content"]
            if "tool_calls" in delta:
                message["tool_calls"] = delta["tool_calls"]
        counts = dict(final, output_tokens=min(produced, final["output_tokens"]))
        counts.pop("reasoning_tokens", None)
        body = {
            "output": {
                "choices": [{"finish_reason": "null", "message": shape(message)}]
            },
            "usage": native_usage(counts),
            "request_id": request_id,
        }
        yield native_event(number, body)
    last_message: dict[str, Any] = {"role": "assistant", "content": ""}
    if not incremental:
        last_message["content"] = seen["content"]
    body = {
        "output": {
            "choices": [
                {
                    "finish_reason": reply.final_finish_reason(),
                    "message": shape(last_message),
                }
            ]
        },
        "usage": native_usage(final),
        "request_id": request_id,
    }
    yield native_event(number + 1, body)


def native_error(code: str, message: str, request_id: str) -> dict[str, Any]:
    return {"code": code, "message": message, "request_id": request_id}
