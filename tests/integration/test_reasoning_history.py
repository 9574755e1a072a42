"""Thinking-model tool loops whose history lacks reasoning: a warning from
ChatKimi, and the service's answer under either reading. Both transports."""

import warnings
from collections.abc import Callable

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from langchain_kimi import BadRequestError, ChatKimi
from langchain_kimi.model_specs import INSTRUCT_MODEL
from langchain_kimi.testing import Behaviour, KimiSimulator
from langchain_kimi.testing.rules import MISSING_REASONING_MESSAGE


def history(reasoning: str | None) -> list[BaseMessage]:
    """A finished tool turn, as a fallback model or a stored thread leaves it."""
    extra = {"reasoning_content": reasoning} if reasoning else {}
    return [
        HumanMessage("Weather in Oslo?"),
        AIMessage(
            "",
            additional_kwargs=extra,
            tool_calls=[{"name": "get_weather", "args": {"city": "Oslo"}, "id": "c1"}],
        ),
        ToolMessage("Sunny", tool_call_id="c1"),
    ]


def test_a_tool_turn_without_reasoning_warns_once_per_model(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    llm = make_llm()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        llm.invoke(history(None))
        llm.invoke(history(None))
    assert len([w for w in seen if "keep_reasoning" in str(w.message)]) == 1
    assert all(r.status == 200 for r in kimi_simulator.requests)
    with pytest.warns(UserWarning, match="no reasoning_content"):
        make_llm().invoke(history(None))  # another model instance


def test_no_warning_when_reasoning_travels_or_the_model_does_not_think(
    make_llm: Callable[..., ChatKimi],
) -> None:
    thinking, instruct = make_llm(), make_llm(model=INSTRUCT_MODEL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        thinking.invoke(history("Look it up."))
        instruct.invoke(history(None))


@pytest.mark.parametrize("required", [False, True])
def test_reasoning_kept_by_chatkimi_passes_either_way(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, required: bool
) -> None:
    kimi_simulator.behaviour = Behaviour(require_reasoning_in_tool_turns=required)
    reply = make_llm().invoke(history("Look it up."))
    assert reply.content
    sent = kimi_simulator.last_request.messages[1]
    assert sent["reasoning_content"] == "Look it up."


def test_where_the_service_requires_reasoning_a_bare_history_gets_kimis_400(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.behaviour = Behaviour(require_reasoning_in_tool_turns=True)
    with (
        pytest.warns(UserWarning, match="keep_reasoning"),
        pytest.raises(BadRequestError, match=MISSING_REASONING_MESSAGE),
    ):
        make_llm().invoke(history(None))
    dropping = make_llm(keep_reasoning="none")
    with (
        pytest.warns(UserWarning, match="keep_reasoning"),
        pytest.raises(BadRequestError, match="reasoning_content is missing"),
    ):
        dropping.invoke(history("Look it up."))
