"""Tools in every LangChain form, and ``tool_choice``, to the request's form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.utils.function_calling import convert_to_openai_tool

ToolChoice = dict[str, Any] | str | bool | None


def tool_definition(tool: Any) -> dict[str, Any]:
    """Any LangChain tool form to a function definition, minus fields Kimi lacks."""
    definition = convert_to_openai_tool(tool)
    function = {k: v for k, v in definition["function"].items() if k != "strict"}
    return {"type": "function", "function": function}


def tool_names(tools: Sequence[dict[str, Any]]) -> list[str]:
    return [tool["function"]["name"] for tool in tools]


def forced(name: str) -> dict[str, Any]:
    """The documented object that forces one named tool."""
    return {"type": "function", "function": {"name": name}}


def tool_choice_value(
    tool_choice: ToolChoice, tools: Sequence[dict[str, Any]]
) -> dict[str, Any] | str | None:
    """``tool_choice`` in LangChain's forms to the request's form."""
    names = tool_names(tools)
    if tool_choice is None or tool_choice is False:
        return None
    if tool_choice is True:
        if len(names) != 1:
            raise ValueError(
                f"tool_choice=True needs exactly one tool, got {len(names)}; "
                "name the tool instead."
            )
        return forced(names[0])
    if isinstance(tool_choice, dict):
        return tool_choice
    if tool_choice in ("auto", "none"):
        return tool_choice
    if tool_choice in ("required", "any"):
        return forced(names[0]) if len(names) == 1 else "required"
    if tool_choice not in names:
        raise ValueError(
            f"tool_choice={tool_choice!r} names no bound tool; bound: {names}."
        )
    return forced(tool_choice)
