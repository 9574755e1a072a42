"""Warnings a request earns (sent anyway) are shown at the user's line."""

import warnings
from collections.abc import Callable

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from langchain_kimi import ChatKimi
from langchain_kimi.testing import KimiSimulator, Reply

#: A history whose tool-call turn lost its reasoning (e.g. from another model).
HISTORY = [
    HumanMessage("Weather?"),
    AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": "c1"}]),
    ToolMessage("sunny", tool_call_id="c1"),
]


@pytest.mark.parametrize("path", ["invoke", "stream", "ainvoke", "astream"])
async def test_the_missing_reasoning_warning_points_at_the_call(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, path: str
) -> None:
    kimi_simulator.queue(Reply(content="ok", reasoning="r"))
    llm = make_llm()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        if path == "invoke":
            llm.invoke(HISTORY)
        elif path == "stream":
            list(llm.stream(HISTORY))
        elif path == "ainvoke":
            await llm.ainvoke(HISTORY)
        else:
            [c async for c in llm.astream(HISTORY)]
    (warning,) = [w for w in record if "keep_reasoning" in str(w.message)]
    assert warning.filename == __file__
