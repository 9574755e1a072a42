"""The too-long warning: CJK text counted as such, shown at the user's line."""

import warnings
from collections.abc import Callable

import pytest

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import INSTRUCT_MODEL
from langchain_kimi.testing import KimiSimulator, Reply

#: Above Moonshot-Kimi-K2-Instruct's max input of 131,072 tokens only when each
#: CJK character counts as a token (at four characters a token it is 35,000).
TOO_LONG = "长" * 140_000


@pytest.fixture
def long_llm(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> ChatKimi:
    kimi_simulator.queue(Reply(content="ok"))
    return make_llm(model=INSTRUCT_MODEL)


def _the_warning(record: list[warnings.WarningMessage]) -> warnings.WarningMessage:
    (warning,) = [w for w in record if "max input" in str(w.message)]
    assert "131072" in str(warning.message)
    return warning


def test_too_long_warning_points_at_invoke(long_llm: ChatKimi) -> None:
    with pytest.warns(UserWarning, match="max input") as record:
        assert long_llm.invoke(TOO_LONG).content == "ok"
    assert _the_warning(record.list).filename == __file__


def test_too_long_warning_points_at_stream(long_llm: ChatKimi) -> None:
    with pytest.warns(UserWarning, match="max input") as record:
        assert "".join(str(c.content) for c in long_llm.stream(TOO_LONG)) == "ok"
    assert _the_warning(record.list).filename == __file__


def test_too_long_warning_points_at_core_stream_path(long_llm: ChatKimi) -> None:
    v1 = long_llm.model_copy(update={"output_version": "v1"})
    with pytest.warns(UserWarning, match="max input") as record:
        list(v1.stream(TOO_LONG))
    assert _the_warning(record.list).filename == __file__


async def test_too_long_warning_points_at_ainvoke(long_llm: ChatKimi) -> None:
    with pytest.warns(UserWarning, match="max input") as record:
        assert (await long_llm.ainvoke(TOO_LONG)).content == "ok"
    assert _the_warning(record.list).filename == __file__


async def test_too_long_warning_points_at_astream(long_llm: ChatKimi) -> None:
    with pytest.warns(UserWarning, match="max input") as record:
        async for _ in long_llm.astream(TOO_LONG):
            pass
    assert _the_warning(record.list).filename == __file__


def test_no_warning_under_the_limit(long_llm: ChatKimi) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        long_llm.invoke(TOO_LONG[:100_000])
