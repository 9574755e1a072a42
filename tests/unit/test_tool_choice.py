"""tool_choice: only documented values are sent, and a choice that cannot be
forced travels as an instruction, with a warning given once."""

import json
import warnings
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.runnables import RunnableBinding
from pydantic import BaseModel

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL
from langchain_kimi.request.tools import forced, plan_tool_choice, tool_definition


class Add(BaseModel):
    """Add two numbers."""

    a: int
    b: int


class Mul(BaseModel):
    """Multiply two numbers."""

    a: int
    b: int


def test_bind_tools_keeps_the_langchain_choice_and_returns_a_binding() -> None:
    llm = ChatKimi(model=INSTRUCT_MODEL, api_key="k")
    bound = llm.bind_tools([Add], tool_choice="any", strict=True)
    assert isinstance(bound, RunnableBinding)
    kwargs = bound.kwargs
    assert kwargs["tool_choice"] == "any"  # mapped per request, for its model
    assert "strict" not in json.dumps(kwargs["tools"])


@pytest.mark.parametrize(
    ("tools", "choice", "match"),
    [
        ([Add], "Sub", r"tool_choice='Sub' names no bound tool \(bound: \['Add'\]\)"),
        ([Add, Mul], True, r"tool_choice=True needs exactly one tool"),
        ([], "any", r"needs tools"),
        ([Add], {"type": "bogus"}, r"not a form ChatKimi knows"),
    ],
)
@pytest.mark.parametrize("model", [THINKING_MODEL, INSTRUCT_MODEL])
def test_bind_tools_refuses_a_choice_the_tools_cannot_meet(
    model: str, tools: list[Any], choice: Any, match: str
) -> None:
    with pytest.raises(ValueError, match=rf"{model}: .*{match}"):
        ChatKimi(model=model, api_key="k").bind_tools(tools, tool_choice=choice)


@pytest.mark.parametrize("choice", ["any", "required", True, "Add"])
def test_thinking_warns_at_bind_time_once_per_bound_model(choice: Any) -> None:
    llm = ChatKimi(model=THINKING_MODEL, api_key="k")
    with pytest.warns(UserWarning, match="kimi-k2-thinking cannot be forced") as seen:
        bound = llm.bind_tools([Add], tool_choice=choice)
    assert len(seen) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        llm._call([HumanMessage("hi")], None, False, bound.kwargs)  # type: ignore[attr-defined]
        llm._call([HumanMessage("hi")], None, False, bound.kwargs)  # type: ignore[attr-defined]
    with pytest.warns(UserWarning, match="cannot be forced"):
        llm.bind_tools([Add], tool_choice=choice)  # another bound model


def test_instruct_warns_only_for_any_among_several_tools() -> None:
    llm = ChatKimi(model=INSTRUCT_MODEL, api_key="k")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        llm.bind_tools([Add, Mul], tool_choice="Mul")
        llm.bind_tools([Add], tool_choice="required")
        llm.bind_tools([Add, Mul], tool_choice="auto")
    with pytest.warns(UserWarning, match=r"one of 'Add', 'Mul'.*not 'required'"):
        llm.bind_tools([Add, Mul], tool_choice="any")


def test_a_per_call_choice_warns_once_per_instance() -> None:
    llm = ChatKimi(model=THINKING_MODEL, api_key="k")
    tools = [tool_definition(Add)]
    call = {"tools": tools, "tool_choice": "Add"}
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        request = llm._call([HumanMessage("hi")], None, False, call).request
        llm._call([HumanMessage("hi")], None, False, call)
    assert [str(w.message)[:37] for w in seen] == [
        "kimi-k2-thinking cannot be forced to "
    ]
    assert request.params["tool_choice"] == "auto"
    with pytest.warns(UserWarning, match="cannot be forced"):
        ChatKimi(model=THINKING_MODEL, api_key="k")._call(
            [HumanMessage("hi")], None, False, call
        )


TWO = [tool_definition(Add), tool_definition(Mul)]
ONE = TWO[:1]


@pytest.mark.parametrize(
    ("choice", "tools", "sent", "must_call"),
    [
        (None, TWO, None, None),
        (False, TWO, None, None),
        ("auto", TWO, "auto", None),
        ("none", TWO, "none", None),
        ({"type": "auto"}, TWO, "auto", None),
        ("Mul", TWO, forced("Mul"), None),
        (forced("Mul"), TWO, forced("Mul"), None),
        ({"type": "tool", "name": "Mul"}, TWO, forced("Mul"), None),
        ("any", ONE, forced("Add"), None),
        ("required", ONE, forced("Add"), None),
        (True, ONE, forced("Add"), None),
        ("any", TWO, "auto", "one of these tools in this reply: 'Add', 'Mul'"),
        ("required", TWO, "auto", "one of these tools in this reply: 'Add', 'Mul'"),
    ],
)
def test_instruct_plan(choice: Any, tools: Any, sent: Any, must_call: Any) -> None:
    plan = plan_tool_choice(choice, tools, INSTRUCT_MODEL, can_force=True)
    assert plan.value == sent
    assert (must_call in plan.instruction) if must_call else not plan.instruction
    assert bool(plan.warning) == bool(must_call)


@pytest.mark.parametrize(
    ("choice", "tools", "must_call"),
    [
        ("Mul", TWO, "the tool 'Mul'"),
        (forced("Mul"), TWO, "the tool 'Mul'"),
        ("any", ONE, "the tool 'Add'"),
        ("required", ONE, "the tool 'Add'"),
        (True, ONE, "the tool 'Add'"),
        ("any", TWO, "one of these tools in this reply: 'Add', 'Mul'"),
    ],
)
def test_thinking_plan_is_never_forced(choice: Any, tools: Any, must_call: str) -> None:
    plan = plan_tool_choice(choice, tools, THINKING_MODEL, can_force=False)
    assert plan.value == "auto"
    assert must_call in plan.instruction
    assert "refuses a forced tool_choice in thinking mode" in plan.warning


@pytest.mark.parametrize("choice", ["auto", "none", None])
def test_thinking_keeps_unforced_choices(choice: Any) -> None:
    plan = plan_tool_choice(choice, TWO, THINKING_MODEL, can_force=False)
    assert (plan.value, plan.instruction, plan.warning) == (choice, "", "")


def test_the_string_required_is_never_sent() -> None:
    for can_force in (True, False):
        for tools in (ONE, TWO):
            for choice in ("required", "any", True if len(tools) == 1 else "Add"):
                plan = plan_tool_choice(choice, tools, "m", can_force=can_force)
                assert plan.value in ("auto", forced("Add"))
                assert json.dumps(plan.value) != '"required"'
