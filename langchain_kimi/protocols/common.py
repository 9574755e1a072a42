"""What both protocols spell alike: usage counts, tool calls, message pieces."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_kimi.normalized import Delta, Result, ToolCall, ToolCallPiece, Usage


def _count(value: Any) -> int | None:
    """A token count from a number or numeric string; ``None`` if it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, (float, str)):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() and number >= 0 else None
    return None


def parse_usage(raw: Any, input_key: str, output_key: str) -> Usage | None:
    """Usage under either protocol's names; ``None`` when the counts do not parse.

    A reply whose usage is null or not numeric still returns its answer; it
    only goes without usage (and cost), never with made-up zeros.
    """
    if not isinstance(raw, Mapping):
        return None
    input_tokens = _count(raw.get(input_key))
    output_tokens = _count(raw.get(output_key))
    if input_tokens is None or output_tokens is None:
        return None
    total = _count(raw.get("total_tokens"))
    usage = Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=total if total is not None else input_tokens + output_tokens,
    )
    out_details = raw.get(f"{output_key}_details")
    if isinstance(out_details, Mapping):
        reasoning = _count(out_details.get("reasoning_tokens"))
        if reasoning is not None:
            usage["reasoning_tokens"] = reasoning
    in_details = raw.get(f"{input_key}_details")
    if isinstance(in_details, Mapping):
        cached = _count(in_details.get("cached_tokens"))
        if cached is not None:
            usage["cached_tokens"] = cached
    return usage


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def whole_tool_calls(raw: Any) -> list[ToolCall]:
    """The tool calls of a whole reply."""
    calls: list[ToolCall] = []
    for call in raw if isinstance(raw, list) else ():
        if not isinstance(call, Mapping):
            continue
        function = call.get("function") or {}
        calls.append(
            ToolCall(
                id=call.get("id") or None,
                name=_text(function.get("name")),
                arguments=_text(function.get("arguments")),
            )
        )
    return calls


def tool_call_pieces(raw: list[Any]) -> list[ToolCallPiece]:
    """Streamed tool-call pieces; ``index`` stays ``None`` when none was sent."""
    pieces: list[ToolCallPiece] = []
    for call in raw:
        if not isinstance(call, Mapping):
            continue
        function = call.get("function") or {}
        index = call.get("index")
        pieces.append(
            ToolCallPiece(
                index=index if isinstance(index, int) else None,
                id=call.get("id") or None,
                name=function.get("name") or None,
                arguments=_text(function.get("arguments")),
            )
        )
    return pieces


def copy_message_piece(message: Mapping[str, Any], delta: Delta) -> None:
    """Copy what a streamed message piece carries (text, reasoning, tool calls)."""
    content = message.get("content")
    if content and isinstance(content, str):
        delta["content"] = content
    reasoning = message.get("reasoning_content")
    if reasoning and isinstance(reasoning, str):
        delta["reasoning_content"] = reasoning
    calls = message.get("tool_calls")
    if calls and isinstance(calls, list):
        delta["tool_calls"] = tool_call_pieces(calls)


def result(
    message: Mapping[str, Any],
    *,
    response_id: Any,
    request_id: Any,
    model: Any,
    finish_reason: str | None,
    usage: Usage | None,
) -> Result:
    """A whole reply in the normalized shape."""
    return Result(
        id=str(response_id) if response_id else None,
        request_id=str(request_id) if request_id else None,
        model=model if isinstance(model, str) else None,
        content=_text(message.get("content")),
        reasoning_content=_text(message.get("reasoning_content")) or None,
        tool_calls=whole_tool_calls(message.get("tool_calls")),
        finish_reason=finish_reason,
        usage=usage,
    )
