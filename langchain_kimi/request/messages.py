"""LangChain messages to the request's message dicts (pure functions).

Both protocols take the same message dicts, so one conversion serves both
transports. Kimi models are text-only: any non-text block is refused here,
before a request is made. Reasoning is sent back according to the caller's
``keep_reasoning`` policy, because the thinking model's tool loops degrade
when an assistant turn with tool calls loses its ``reasoning_content``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

KeepReasoning = Literal["tool_calls", "all", "none"]

_NON_TEXT_BLOCKS = frozenset(
    {
        "image",
        "image_url",
        "input_image",
        "audio",
        "input_audio",
        "video",
        "video_url",
        "file",
        "document",
    }
)
_IGNORED_BLOCKS = frozenset(
    {"reasoning", "thinking", "tool_call", "tool_call_chunk", "tool_use"}
)


def _text_of(
    content: str | list[Any], model: str, role: str, *, json_blocks: bool = False
) -> str:
    """Flatten string or text-block content to one string; refuse other media.

    With ``json_blocks`` (tool results), a structured block that is not media is
    sent as its JSON text instead of being refused.
    """
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
            continue
        kind = block.get("type")
        if kind == "text":
            parts.append(block.get("text", ""))
        elif kind in _IGNORED_BLOCKS:
            continue
        elif kind in _NON_TEXT_BLOCKS:
            raise ValueError(
                f"{model} accepts text only, but a {role} message has a "
                f"'{kind}' content block. Remove the block or describe it in text."
            )
        elif json_blocks:
            parts.append(json.dumps(block, ensure_ascii=False))
        else:
            raise ValueError(
                f"{model} cannot take a '{kind}' content block in a {role} message; "
                "send text (a string or {'type': 'text', 'text': ...} blocks)."
            )
    return "".join(parts)


def reasoning_of(message: AIMessage) -> str | None:
    """The reasoning an assistant message carries, from kwargs or content blocks."""
    reasoning = message.additional_kwargs.get("reasoning_content")
    if isinstance(reasoning, str):
        return reasoning
    if isinstance(message.content, list):
        pieces = [
            block.get("reasoning", "")
            for block in message.content
            if isinstance(block, dict) and block.get("type") == "reasoning"
        ]
        if pieces:
            return "".join(pieces)
    return None


def _request_tool_calls(message: AIMessage) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = [
        {
            "id": call["id"] or "",
            "type": "function",
            "function": {
                "name": call["name"],
                "arguments": json.dumps(call["args"], ensure_ascii=False),
            },
        }
        for call in message.tool_calls
    ]
    calls.extend(
        {
            "id": call["id"],
            "type": "function",
            "function": {"name": call["name"], "arguments": call["args"] or ""},
        }
        for call in message.invalid_tool_calls
    )
    return calls


def _assistant(message: AIMessage, model: str, keep: KeepReasoning) -> dict[str, Any]:
    sent: dict[str, Any] = {
        "role": "assistant",
        "content": _text_of(message.content, model, "assistant"),
    }
    calls = _request_tool_calls(message)
    if calls:
        sent["tool_calls"] = calls
    if keep == "all" or (keep == "tool_calls" and calls):
        reasoning = reasoning_of(message)
        if reasoning:
            sent["reasoning_content"] = reasoning
    if message.additional_kwargs.get("partial"):
        sent["partial"] = True
    if message.name:
        sent["name"] = message.name
    return sent


def _tool(message: ToolMessage, model: str) -> dict[str, Any]:
    text = _text_of(message.content, model, "tool", json_blocks=True)
    if message.status == "error" and not text.lower().startswith("error"):
        text = f"Error: {text}"
    return {"role": "tool", "content": text, "tool_call_id": message.tool_call_id}


def to_request_message(
    message: BaseMessage, model: str, keep: KeepReasoning = "tool_calls"
) -> dict[str, Any]:
    """Convert one LangChain message to a request message dict."""
    if isinstance(message, AIMessage):
        return _assistant(message, model, keep)
    if isinstance(message, ToolMessage):
        return _tool(message, model)
    if isinstance(message, HumanMessage):
        role = "user"
    elif isinstance(message, SystemMessage):
        role = "system"
    elif isinstance(message, ChatMessage):
        role = message.role
    else:
        raise ValueError(
            f"{model} cannot take a {type(message).__name__}; use System, Human, "
            "AI or Tool messages."
        )
    sent: dict[str, Any] = {
        "role": role,
        "content": _text_of(message.content, model, role),
    }
    if message.name:
        sent["name"] = message.name
    return sent


def check_tool_messages(sent: Sequence[dict[str, Any]], model: str) -> None:
    """Refuse tool messages that answer no preceding assistant tool call.

    The service returns a 400 for them; saying which id is orphaned, before the
    request, is more useful.
    """
    open_ids: set[str] = set()
    for message in sent:
        role = message["role"]
        if role == "assistant":
            open_ids = {call["id"] for call in message.get("tool_calls", ())}
        elif role == "tool":
            call_id = message.get("tool_call_id")
            if call_id not in open_ids:
                raise ValueError(
                    f"{model}: a tool message answers tool_call_id={call_id!r}, "
                    "but no preceding assistant message made that call. Keep each "
                    "ToolMessage right after the AIMessage whose tool_calls it answers."
                )
        else:
            open_ids = set()


def to_request_messages(
    messages: Sequence[BaseMessage], model: str, keep: KeepReasoning = "tool_calls"
) -> list[dict[str, Any]]:
    """Convert a conversation and check its tool-call structure."""
    sent = [to_request_message(m, model, keep) for m in messages]
    check_tool_messages(sent, model)
    return sent


def tool_turns_without_reasoning(sent: Sequence[dict[str, Any]]) -> bool:
    """Whether an assistant turn with tool calls goes out without its reasoning."""
    return any(
        message["role"] == "assistant"
        and message.get("tool_calls")
        and not message.get("reasoning_content")
        for message in sent
    )


def with_system_instruction(
    sent: list[dict[str, Any]], instruction: str
) -> list[dict[str, Any]]:
    """Add an instruction to the leading system message (or add one)."""
    if sent and sent[0]["role"] == "system":
        first = dict(sent[0])
        first["content"] = f"{first['content']}\n\n{instruction}".lstrip()
        return [first, *sent[1:]]
    return [{"role": "system", "content": instruction}, *sent]
