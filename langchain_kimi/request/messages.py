"""LangChain messages to the request's message dicts (pure functions).

Both protocols take the same message dicts, so one conversion serves both
transports. Content blocks are mapped (and media checked against the model's
row) by ``content``. Reasoning is sent back according to the caller's
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

from langchain_kimi.model_specs import KimiModelSpec, get_model_spec
from langchain_kimi.request.content import text_of, to_content

KeepReasoning = Literal["tool_calls", "all", "none"]

#: A system message carrying this in ``additional_kwargs`` is a dynamic tools
#: message (``langchain_kimi.tools_message``): sent as ``{"role": "system",
#: "tools": [...]}`` with no content.
TOOLS_KEY = "tools"


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


def _assistant(
    message: AIMessage, spec: KimiModelSpec, keep: KeepReasoning
) -> dict[str, Any]:
    sent: dict[str, Any] = {
        "role": "assistant",
        "content": to_content(message.content, spec, "assistant", media=False),
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


def _tool(message: ToolMessage, spec: KimiModelSpec) -> dict[str, Any]:
    content = to_content(message.content, spec, "tool", json_blocks=True, media=False)
    text = text_of(content)
    if message.status == "error" and not text.lower().startswith("error"):
        text = f"Error: {text}"
    return {"role": "tool", "content": text, "tool_call_id": message.tool_call_id}


def _dynamic_tools(message: SystemMessage, spec: KimiModelSpec) -> dict[str, Any]:
    """A dynamic tools message: ``tools`` and no content (kimi-k3)."""
    if spec.known and not spec.dynamic_tools:
        raise ValueError(
            f"{spec.model} has no dynamically loaded tools: a system message "
            "carrying tools (tools_message) is answered 'tokenization failed'. "
            "Bind the tools with bind_tools([...]), or use kimi-k3."
        )
    if text_of(to_content(message.content, spec, "system", media=False)):
        raise ValueError(
            f"{spec.model}: a system message with tools must have no content "
            "(the service refuses both). Put the text in a system message of its own."
        )
    return {"role": "system", "tools": message.additional_kwargs[TOOLS_KEY]}


def to_request_message(
    message: BaseMessage,
    model: str | KimiModelSpec,
    keep: KeepReasoning = "tool_calls",
) -> dict[str, Any]:
    """Convert one LangChain message to a request message dict."""
    spec = get_model_spec(model) if isinstance(model, str) else model
    if isinstance(message, AIMessage):
        return _assistant(message, spec, keep)
    if isinstance(message, ToolMessage):
        return _tool(message, spec)
    if isinstance(message, SystemMessage) and message.additional_kwargs.get(TOOLS_KEY):
        return _dynamic_tools(message, spec)
    if isinstance(message, HumanMessage):
        role = "user"
    elif isinstance(message, SystemMessage):
        role = "system"
    elif isinstance(message, ChatMessage):
        role = message.role
    else:
        raise ValueError(
            f"{spec.model} cannot take a {type(message).__name__}; use System, "
            "Human, AI or Tool messages."
        )
    sent: dict[str, Any] = {
        "role": role,
        "content": to_content(message.content, spec, role),
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
    messages: Sequence[BaseMessage],
    model: str | KimiModelSpec,
    keep: KeepReasoning = "tool_calls",
) -> list[dict[str, Any]]:
    """Convert a conversation and check its tool-call structure."""
    spec = get_model_spec(model) if isinstance(model, str) else model
    sent = [to_request_message(m, spec, keep) for m in messages]
    check_tool_messages(sent, spec.model)
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
    """Add an instruction to the leading system message (or add one); a
    dynamic tools message takes no text, so one goes before it then."""
    first = sent[0] if sent else {}
    if first.get("role") == "system" and isinstance(first.get("content"), str):
        merged = dict(first)
        merged["content"] = f"{first['content']}\n\n{instruction}".lstrip()
        return [merged, *sent[1:]]
    return [{"role": "system", "content": instruction}, *sent]
