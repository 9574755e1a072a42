"""The simulator's deterministic default answers, good enough for demos.

- A thinking call reasons before it answers.
- Given tools (top-level, or loaded by a system message) and a fresh
  question, it calls a tool only when one fits: the tool the ``tool_choice``
  object names; else the best match for the question (a tool sharing words
  with it, or named in it), or a tool a system message names (an instruction
  to call it), else under ``"required"`` the first tool. With ``parallel`` it
  calls every tool the question names. Arguments come from the tool's schema
  and the question's words. Nothing fits, or ``tool_choice="none"``: it answers in text.
- After tool results, it calls a tool a system message names that has not
  been called yet (an agent's structured-output tool), else answers using
  the results.
- Under JSON mode (``response_format`` of type ``json_object`` or
  ``json_schema``), or when a system message asks for JSON, it returns a
  JSON object, after tool results too; when the request carries a JSON
  Schema (``response_format``'s ``json_schema``, or in the messages' text,
  as a model would read it) the object satisfies it (``schema_instance``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_kimi.testing.content import dynamic_tools, text_of
from langchain_kimi.testing.replies import Reply, ToolCallSpec
from langchain_kimi.testing.schema_instance import Leaf, instance
from langchain_kimi.testing.service import ServiceModel

_WORD = re.compile(r"[A-Za-z0-9_]+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_QUOTED = re.compile(r"[\"']([^\"']+)[\"']")
_CAPITALISED = re.compile(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)")
_STOP = {"what", "is", "the", "a", "an", "of", "in", "to", "for", "and", "me", "please"}


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text.replace("_", " "))} - _STOP


def _last_user_text(messages: Sequence[Mapping[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return text_of(message.get("content"))
    return ""


def _entity(question: str) -> str:
    quoted = _QUOTED.findall(question)
    if quoted:
        return str(quoted[0])
    names = [n for n in _CAPITALISED.findall(question) if n.lower() not in _STOP]
    names = [n for n in names if n.split()[0].lower() not in ("what", "who", "how")]
    if names:
        return str(names[-1])
    words = [w for w in _WORD.findall(question) if w.lower() not in _STOP]
    return words[-1] if words else "example"


def _question_leaf(question: str) -> Leaf:
    """Strings from the question's entity; numbers from its numbers in order,
    then 1, 2, ..."""
    numbers = [float(n) for n in _NUMBER.findall(question)]
    used: list[float] = []

    def leaf(kind: str, name: str) -> Any:
        if kind not in ("integer", "number"):
            return _entity(question)
        value = numbers[len(used)] if len(used) < len(numbers) else float(len(used) + 1)
        used.append(value)
        return int(value) if kind == "integer" else value

    return leaf


def build_object(schema: Mapping[str, Any], question: str) -> dict[str, Any]:
    """An object that satisfies ``schema`` (``schema_instance``), filled from
    the question's words."""
    built = instance(schema, _question_leaf(question))
    return built if isinstance(built, dict) else {}


def _tool_name(tool: Mapping[str, Any]) -> str:
    return str(tool.get("function", {}).get("name", ""))


def _score(tool: Mapping[str, Any], asked: set[str]) -> int:
    description = str(tool.get("function", {}).get("description") or "")
    return len(asked & _words(_tool_name(tool) + " " + description))


def _system_text(messages: Sequence[Mapping[str, Any]]) -> str:
    return " ".join(
        text_of(m.get("content")) for m in messages if m.get("role") == "system"
    )


def _choose_tools(
    tools: Sequence[Mapping[str, Any]],
    tool_choice: Any,
    messages: Sequence[Mapping[str, Any]],
    parallel: bool,
) -> list[Mapping[str, Any]]:
    if tool_choice == "none":
        return []
    if isinstance(tool_choice, dict):
        name = tool_choice.get("function", {}).get("name")
        return [t for t in tools if _tool_name(t) == name][:1]
    question = _last_user_text(messages)
    named = [
        t for t in tools if _tool_name(t).lower() in question.lower().replace(" ", "_")
    ]
    if named and parallel:
        return named
    asked = _words(question)
    system = _system_text(messages)
    fitting = [
        t
        for t in tools
        if t in named
        or _score(t, asked)
        or re.search(rf"\b{re.escape(_tool_name(t))}\b", system)
    ]
    best = sorted(fitting, key=lambda t: (t not in named, -_score(t, asked)))[:1]
    return best or (list(tools[:1]) if tool_choice == "required" else [])


def _still_to_call(
    tools: Sequence[Mapping[str, Any]], messages: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """After tool results: the tools a system message says to call that this
    conversation has not called yet (e.g. a structured-output tool an agent
    asks for once its other tools have answered)."""
    system = _system_text(messages)
    called = {
        str((call.get("function") or {}).get("name"))
        for message in messages
        for call in message.get("tool_calls") or ()
        if isinstance(call, Mapping)
    }
    return [
        tool
        for tool in tools
        if _tool_name(tool) not in called
        and re.search(rf"\b{re.escape(_tool_name(tool))}\b", system)
    ]


def _find_schema(messages: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    decoder = json.JSONDecoder()
    for message in messages:
        text = text_of(message.get("content"))
        for match in re.finditer(r"\{", text):
            try:
                candidate, _ = decoder.raw_decode(text, match.start())
            except json.JSONDecodeError:
                continue
            if isinstance(candidate, dict) and "properties" in candidate:
                return candidate
    return None


def _request_schema(
    params: Mapping[str, Any], messages: Sequence[Mapping[str, Any]]
) -> dict[str, Any] | None:
    """The JSON Schema a request carries: ``response_format``'s, else the
    first one written in the messages."""
    response_format = params.get("response_format")
    if isinstance(response_format, Mapping):
        inner = response_format.get("json_schema")
        schema = inner.get("schema") if isinstance(inner, Mapping) else None
        if isinstance(schema, dict):
            return schema
    return _find_schema(messages)


def _json_reply(
    model: ServiceModel,
    messages: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
    question: str,
    plan: str,
) -> Reply:
    """A JSON object for JSON mode: an instance of the request's schema, else
    ``{"answer": question}``."""
    schema = _request_schema(params, messages)
    obj = build_object(schema, question) if schema else {"answer": question}
    return Reply(
        content=json.dumps(obj, ensure_ascii=False),
        reasoning=_reasoning(model, question, f"{plan} The reply must be JSON."),
    )


def _reasoning(model: ServiceModel, question: str, plan: str) -> str | None:
    if not model.thinking:
        return None
    return (
        f"The user asks: {question!r}. I need to work out what they want. "
        f"{plan} I will keep the answer short and clear."
    )


def respond(
    model: ServiceModel,
    messages: Sequence[Mapping[str, Any]],
    params: Mapping[str, Any],
    *,
    parallel: bool = False,
) -> Reply:
    """The default reply to a request the simulator accepted."""
    question = _last_user_text(messages)
    last = messages[-1] if messages else {}
    tools = [*(params.get("tools") or []), *dynamic_tools(messages)]
    response_format = params.get("response_format")
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    wants_json = kind in ("json_object", "json_schema") or (
        "json" in _system_text(messages).lower()
    )
    pending = _still_to_call(tools, messages) if last.get("role") == "tool" else []
    if pending:
        return Reply(
            tool_calls=[
                ToolCallSpec(
                    name=_tool_name(pending[0]),
                    arguments=build_object(
                        pending[0].get("function", {}).get("parameters") or {},
                        question,
                    ),
                )
            ],
            reasoning=_reasoning(
                model, question, f"I must still call {_tool_name(pending[0])}."
            ),
        )
    if last.get("role") == "tool" and wants_json:
        return _json_reply(
            model, messages, params, question, "The tools have answered."
        )
    if last.get("role") == "tool":
        results = []
        for message in reversed(messages):
            if message.get("role") != "tool":
                break
            results.append(str(message.get("content")))
        summary = "; ".join(r.rstrip(". ") for r in reversed(results))
        return Reply(
            content=f"Based on the tool results ({summary}), here is the answer "
            f"to {question!r}: {summary}.",
            reasoning=_reasoning(model, question, "The tools have answered."),
        )
    if tools:
        chosen = _choose_tools(tools, params.get("tool_choice"), messages, parallel)
        if chosen:
            calls = [
                ToolCallSpec(
                    name=_tool_name(tool),
                    arguments=build_object(
                        tool.get("function", {}).get("parameters") or {}, question
                    ),
                )
                for tool in chosen
            ]
            names = ", ".join(call.name for call in calls)
            return Reply(
                tool_calls=calls,
                reasoning=_reasoning(model, question, f"I should call {names}."),
            )
    if wants_json:
        return _json_reply(model, messages, params, question, "")
    if "who are you" in question.lower():
        answer = (
            "I am Kimi, an AI assistant developed by Moonshot AI. (This reply comes "
            "from the local langchain-kimi simulator.)"
        )
    else:
        answer = f"You said: {question}. (Simulated Kimi reply.)"
    return Reply(
        content=answer, reasoning=_reasoning(model, question, "Answer directly.")
    )
