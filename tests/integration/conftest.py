"""Integration fixtures: ChatKimi over real HTTP against the loopback simulator.

``kimi_simulator`` comes from langchain-kimi's own pytest plugin. Tests that
take ``transport`` run once per SDK. ``make_llm`` defaults to the seed's
kimi-k2-thinking (retired, still served by the simulator), whose behaviour
these tests were written against; the lineup's models are named explicitly.
"""

from collections.abc import Callable
from typing import Any

import pytest

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import THINKING_MODEL
from langchain_kimi.testing import KimiSimulator

TRANSPORTS = ["openai", "dashscope"]


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_llm(kimi_simulator: KimiSimulator, transport: str) -> Callable[..., ChatKimi]:
    def make(**kwargs: Any) -> ChatKimi:
        params: dict[str, Any] = {
            "model": THINKING_MODEL,  # the seed's rows; the lineup has its own tests
            "api_key": kimi_simulator.api_key,
            "base_url": kimi_simulator.base_url_for(transport),
            "transport": transport,
            "max_retries": 0,
        }
        params.update(kwargs)
        return ChatKimi(**params)

    return make


@pytest.fixture
def llm(make_llm: Callable[..., ChatKimi]) -> ChatKimi:
    return make_llm()
