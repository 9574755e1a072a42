"""Both wire formats to one normalized shape (pure functions).

Transports return only these plain dicts, so response parsing is shared:

- a **result** (one whole reply): ``id``, ``request_id``, ``model``,
  ``content``, ``reasoning_content``, ``tool_calls`` (``[{"id", "name",
  "arguments"}]``), ``finish_reason``, ``usage``;
- a **delta** (one streamed event): the same keys, each present only when the
  event carries it; ``tool_calls`` are pieces ``{"index", "id", "name",
  "arguments"}`` keyed by ``index``.

``usage`` is always ``{"input_tokens", "output_tokens", "total_tokens"}`` plus
``reasoning_tokens`` / ``cached_tokens`` when the service reports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DONE = "[DONE]"


def normalize_usage(raw: dict[str, Any] | None) -> dict[str, int] | None:
    """Usage from either protocol (prompt/completion or input/output names)."""
    if not raw:
        return None
    input_tokens = raw.get("prompt_tokens", raw.get("input_tokens")) or 0
    output_tokens = raw.get("completion_tokens", raw.get("output_tokens")) or 0
    usage = {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "total_tokens": raw.get("total_tokens") or input_tokens + output_tokens,
    }
    out_details = (
        raw.get("completion_tokens_details") or raw.get("output_tokens_details") or {}
    )
    if out_details.get("reasoning_tokens") is not None:
        usage["reasoning_tokens"] = out_details["reasoning_tokens"]
    in_details = (
        raw.get("prompt_tokens_details") or raw.get("input_tokens_details") or {}
    )
    if in_details.get("cached_tokens") is not None:
        usage["cached_tokens"] = in_details["cached_tokens"]
    return usage


def _whole_tool_calls(raw: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    calls = []
    for call in raw or ():
        function = call.get("function") or {}
        calls.append(
            {
                "id": call.get("id"),
                "name": function.get("name") or "",
                "arguments": function.get("arguments") or "",
            }
        )
    return calls


def _tool_call_pieces(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pieces = []
    for position, call in enumerate(raw):
        function = call.get("function") or {}
        pieces.append(
            {
                "index": call.get("index", position),
                "id": call.get("id") or None,
                "name": function.get("name") or None,
                "arguments": function.get("arguments") or "",
            }
        )
    return pieces


def _copy_message_delta(message: Mapping[str, Any], delta: dict[str, Any]) -> None:
    """Copy what a streamed message piece carries (text, reasoning, tool calls)."""
    if message.get("content"):
        delta["content"] = message["content"]
    if message.get("reasoning_content"):
        delta["reasoning_content"] = message["reasoning_content"]
    if message.get("tool_calls"):
        delta["tool_calls"] = _tool_call_pieces(message["tool_calls"])


def _result(
    body: Mapping[str, Any], message: dict[str, Any], finish: Any, usage: Any
) -> dict[str, Any]:
    return {
        "id": body.get("id"),
        "request_id": body.get("request_id"),
        "model": body.get("model"),
        "content": message.get("content") or "",
        "reasoning_content": message.get("reasoning_content") or None,
        "tool_calls": _whole_tool_calls(message.get("tool_calls")),
        "finish_reason": finish,
        "usage": normalize_usage(usage),
    }


def from_openai_completion(body: dict[str, Any]) -> dict[str, Any]:
    """A chat-completions JSON body to a normalized result."""
    choice = (body.get("choices") or [{}])[0]
    return _result(
        body,
        choice.get("message") or {},
        choice.get("finish_reason"),
        body.get("usage") or choice.get("usage"),
    )


def from_openai_chunk(chunk: dict[str, Any]) -> dict[str, Any]:
    """One chat-completions stream chunk to a normalized delta.

    Usage is read from both places real Kimi streams put it: a trailing chunk
    with empty ``choices``, or ``choices[0].usage`` of the finishing chunk.
    """
    delta: dict[str, Any] = {}
    usage = chunk.get("usage")
    choices = chunk.get("choices")
    if choices:
        choice = choices[0]
        message = choice.get("delta")
        if message:
            _copy_message_delta(message, delta)
        if choice.get("finish_reason"):
            delta["finish_reason"] = choice["finish_reason"]
        usage = usage or choice.get("usage")
    if usage:
        delta["usage"] = usage
    if "id" in chunk:
        delta["id"] = chunk["id"]
    if "model" in chunk:
        delta["model"] = chunk["model"]
    return delta


def _native_finish(choice: dict[str, Any]) -> str | None:
    finish = choice.get("finish_reason")
    return None if finish in (None, "", "null") else str(finish)


def from_native_response(body: Mapping[str, Any]) -> dict[str, Any]:
    """A native (DashScope) JSON body to a normalized result."""
    output = body.get("output") or {}
    choice = (output.get("choices") or [{}])[0]
    result = _result(
        body, choice.get("message") or {}, _native_finish(choice), body.get("usage")
    )
    result["id"] = body.get("request_id")
    return result


def from_native_event(body: Mapping[str, Any]) -> dict[str, Any]:
    """One native incremental stream event to a normalized delta.

    Native usage is cumulative and repeated on every event; the parser keeps
    the last one, so it is reported once.
    """
    delta: dict[str, Any] = {}
    output = body.get("output") or {}
    choices = output.get("choices")
    if choices:
        choice = choices[0]
        message = choice.get("message")
        if message:
            _copy_message_delta(message, delta)
        finish = _native_finish(choice)
        if finish:
            delta["finish_reason"] = finish
    if body.get("usage"):
        delta["usage"] = body["usage"]
    if body.get("request_id"):
        delta["request_id"] = delta["id"] = body["request_id"]
    return delta
