"""Tools in every LangChain form, and ``tool_choice``, to the request's form.

Model Studio documents three ``tool_choice`` values: ``"auto"``, ``"none"``
and the object that forces one named tool; kimi-k3's page adds
``"required"``. Thinking calls refuse a forced named tool. So a LangChain
choice that obliges the model to call a tool (``"any"``, ``"required"``,
``True``, a tool's name, the object) is sent as ``"required"`` where the model
documents it and any tool will do, as the object where a call without thinking
is meant to call exactly one tool, and otherwise as ``"auto"`` plus a system
instruction naming the tool(s) to call, with a warning saying so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import SystemMessage
from langchain_core.utils.function_calling import convert_to_openai_tool

from langchain_kimi.request.messages import TOOLS_KEY

ToolChoice = dict[str, Any] | str | bool | None

_PLAIN = ("auto", "none")
_ANY = ("any", "required")


def tool_definition(tool: Any) -> dict[str, Any]:
    """Any LangChain tool form to a function definition, minus fields Kimi lacks."""
    definition = convert_to_openai_tool(tool)
    function = {k: v for k, v in definition["function"].items() if k != "strict"}
    return {"type": "function", "function": function}


def tools_message(tools: Sequence[Any]) -> SystemMessage:
    """A system message that loads ``tools`` mid-conversation (kimi-k3).

    kimi-k3 takes "dynamically loaded tools": a system message carrying a
    ``tools`` list and no content, anywhere in ``messages``; the tools are
    visible from that point on. ``tools`` take any form ``bind_tools`` takes.
    ChatKimi sends the message as ``{"role": "system", "tools": [...]}``; on
    another model it raises ``ValueError`` before sending (the service
    answers "tokenization failed").
    """
    return SystemMessage(
        content="", additional_kwargs={TOOLS_KEY: [tool_definition(t) for t in tools]}
    )


def tool_names(tools: Sequence[Any]) -> list[str]:
    """The distinct names of function definitions (other entries have none)."""
    names = [
        str(tool["function"]["name"])
        for tool in tools
        if isinstance(tool, Mapping) and isinstance(tool.get("function"), Mapping)
    ]
    return list(dict.fromkeys(names))


def forced(name: str) -> dict[str, Any]:
    """The documented object that forces one named tool."""
    return {"type": "function", "function": {"name": name}}


@dataclass(frozen=True)
class ToolChoicePlan:
    """What a call's ``tool_choice`` becomes on the wire.

    ``value`` is sent as ``tool_choice`` (``None``: not sent); a non-empty
    ``instruction`` joins the leading system message; ``warning`` says why the
    choice could not be forced.
    """

    value: dict[str, Any] | str | None
    instruction: str = ""
    warning: str = ""


def _from_object(choice: Mapping[str, Any], model: str) -> str:
    """A dict choice (OpenAI's or Anthropic's spelling) to a string choice."""
    function = choice.get("function")
    if isinstance(function, Mapping) and function.get("name"):
        return str(function["name"])
    kind = choice.get("type")
    if kind == "tool" and choice.get("name"):
        return str(choice["name"])
    if kind in _PLAIN + _ANY:
        return str(kind)
    raise ValueError(
        f"{model}: tool_choice={dict(choice)!r} is not a form ChatKimi knows. Use "
        "'auto', 'none', 'any', a tool's name or "
        "{'type': 'function', 'function': {'name': ...}}."
    )


def required_tools(choice: ToolChoice, names: Sequence[str], model: str) -> list[str]:
    """The tools one of which the choice obliges the model to call (may be none).

    Raises ``ValueError`` for a choice that cannot be met by the bound tools.
    """
    if choice is None or choice is False:
        return []
    if isinstance(choice, Mapping):
        choice = _from_object(choice, model)
    if choice in _PLAIN:
        return []
    if not names:
        raise ValueError(
            f"{model}: tool_choice={choice!r} needs tools, and none are bound. "
            "Bind them with bind_tools([...]) or drop tool_choice."
        )
    if choice is True:
        if len(names) != 1:
            raise ValueError(
                f"{model}: tool_choice=True needs exactly one tool, got {len(names)}. "
                f"Name the tool (tool_choice={names[0]!r}) or use 'any'."
            )
        return list(names)
    if choice in _ANY:
        return list(names)
    if isinstance(choice, str) and choice in names:
        return [choice]
    raise ValueError(
        f"{model}: tool_choice={choice!r} names no bound tool (bound: {list(names)}). "
        "Name one of them, or use 'auto', 'any' or 'none'."
    )


def tool_choice_instruction(names: Sequence[str]) -> str:
    """The system instruction that carries a choice the service cannot force."""
    if len(names) == 1:
        return (
            f"You must call the tool {names[0]!r} in this reply: answer with a "
            "call to it, not with text."
        )
    listed = ", ".join(repr(name) for name in names)
    return (
        f"You must call one of these tools in this reply: {listed}. Answer with "
        "a tool call, not with text."
    )


def _unforced_warning(
    model: str, choice: ToolChoice, names: Sequence[str], thinking: bool
) -> str:
    why = (
        "the service refuses a forced tool_choice in thinking mode"
        if thinking
        else "the service documents only 'auto', 'none' and one named tool, not "
        "'required'"
    )
    target = (
        f"the tool {names[0]!r}"
        if len(names) == 1
        else f"one of {', '.join(repr(n) for n in names)}"
    )
    return (
        f"{model} cannot be forced to call {target} ({why}), so "
        f"tool_choice={choice!r} is sent as 'auto' plus a system instruction to "
        "call it. The model may still answer without a tool call."
    )


def plan_tool_choice(
    choice: ToolChoice,
    tools: Sequence[Any],
    model: str,
    *,
    can_force: bool,
    required: bool = False,
    thinking: bool | None = None,
) -> ToolChoicePlan:
    """What ``choice`` becomes for a call that can (or cannot) be forced to a
    named tool, to a model that does (or does not) take ``"required"``.

    Only documented values are sent: ``"auto"``, ``"none"``, the object
    naming one tool, and ``"required"`` where the model documents it.
    ``thinking`` (default: ``not can_force``) only words the warning.
    """
    names = required_tools(choice, tool_names(tools), model)
    if not names:
        if isinstance(choice, Mapping):
            return ToolChoicePlan(_from_object(choice, model))
        return ToolChoicePlan(choice if isinstance(choice, str) else None)
    plain = _from_object(choice, model) if isinstance(choice, Mapping) else choice
    if required and (plain is True or plain in _ANY):
        return ToolChoicePlan("required")
    if can_force and len(names) == 1:
        return ToolChoicePlan(forced(names[0]))
    thinks = not can_force if thinking is None else thinking
    return ToolChoicePlan(
        "auto",
        instruction=tool_choice_instruction(names),
        warning=_unforced_warning(model, choice, names, thinking=thinks),
    )
