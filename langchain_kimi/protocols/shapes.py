"""Wire shapes the protocols allow but rarely use, read into the normalized ones.

Content may be a list of parts; tool-call arguments may be an object (taken
as the arguments) or something else (the call becomes invalid, with the
reason); ids and names may not be strings. JSON may escape a lone surrogate,
which no UTF-8 encoder takes back: every text read is ``clean``ed (each one
replaced by U+FFFD), so a reply can be sent in the next turn.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from langchain_kimi.protocols.types import ToolCall, ToolCallPiece

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """``text`` with lone surrogates (JSON may escape them, UTF-8 cannot encode
    them) replaced by U+FFFD, so a reply can be sent back in the next turn."""
    if text.isascii() or _SURROGATE.search(text) is None:
        return text
    return _SURROGATE.sub("\ufffd", text)


def clean_json(value: Any) -> Any:
    """``clean`` applied to every string of parsed JSON (tool arguments)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(key): clean_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    return value


def message_text(value: Any) -> str:
    """Message text: a string, or the texts of a list of content parts
    (``[{"type": "text", "text": ...}]``, natively ``[{"text": ...}]``)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return clean(
            "".join(
                part["text"]
                for part in value
                if isinstance(part, Mapping)
                and isinstance(part.get("text"), str)
                and part.get("type", "text") == "text"
            )
        )
    return ""


def _as_json_text(value: Any) -> str:
    return clean(json.dumps(value, ensure_ascii=False))


def _call_fields(
    call: Mapping[str, Any],
) -> tuple[str | None, str | None, str | None, list[str]]:
    """A wire tool call's id, name and arguments text (``None``: missing),
    and what is wrong with its shape (an object as arguments is fine)."""
    problems: list[str] = []
    raw_id = call.get("id")
    call_id: str | None = None
    if isinstance(raw_id, str):
        call_id = clean(raw_id) or None
    elif raw_id is not None:
        call_id = _as_json_text(raw_id)
        problems.append("its id is not a string")
    function = call.get("function")
    if function is None:
        function = {}
    if not isinstance(function, Mapping):
        problems.append("its function is not an object")
        return call_id, None, _as_json_text(function), problems
    raw_name = function.get("name")
    name: str | None = None
    if isinstance(raw_name, str):
        name = clean(raw_name) or None
    elif raw_name is not None:
        name = _as_json_text(raw_name)
        problems.append("its name is not a string")
    raw = function.get("arguments")
    arguments: str | None
    if isinstance(raw, str):
        arguments = clean(raw)
    elif isinstance(raw, Mapping):
        arguments = _as_json_text(raw)
    elif raw is None:
        arguments = None
    else:
        arguments = _as_json_text(raw)
        problems.append("its arguments are neither JSON text nor an object")
    return call_id, name, arguments, problems


def _problem(problems: list[str]) -> str:
    return "The tool call's wire shape is wrong: " + "; ".join(problems) + "."


def whole_tool_calls(raw: Any) -> list[ToolCall]:
    """The tool calls of a whole reply; a call of the wrong shape carries an
    ``error`` (it becomes an invalid tool call)."""
    calls: list[ToolCall] = []
    for call in raw if isinstance(raw, list) else ():
        if not isinstance(call, Mapping):
            continue
        call_id, name, arguments, problems = _call_fields(call)
        if arguments is None:
            problems.append("it has no arguments")
        parsed = ToolCall(id=call_id, name=name or "", arguments=arguments or "")
        if problems:
            parsed["error"] = _problem(problems)
        calls.append(parsed)
    return calls


def tool_call_pieces(raw: list[Any]) -> list[ToolCallPiece]:
    """Streamed tool-call pieces; ``index`` stays ``None`` when none was sent."""
    pieces: list[ToolCallPiece] = []
    for call in raw:
        if not isinstance(call, Mapping):
            continue
        call_id, name, arguments, problems = _call_fields(call)
        index = call.get("index")
        piece = ToolCallPiece(
            index=index if isinstance(index, int) else None,
            id=call_id,
            name=name,
            arguments=arguments or "",
        )
        if problems:
            piece["error"] = _problem(problems)
        if arguments is None:
            piece["no_arguments"] = True
        pieces.append(piece)
    return pieces
