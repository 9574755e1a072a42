"""pytest fixtures for testing Kimi chains and agents offline.

Registered automatically (entry point ``pytest11``) when langchain-kimi is
installed; nothing is imported until a test asks for a fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from langchain_kimi.chat_models import ChatKimi
    from langchain_kimi.testing.simulator import KimiSimulator


@pytest.fixture(scope="session")
def _kimi_simulator_session() -> Iterator[KimiSimulator]:
    from langchain_kimi.testing.simulator import KimiSimulator

    with KimiSimulator() as simulator:
        yield simulator


@pytest.fixture
def kimi_simulator(_kimi_simulator_session: KimiSimulator) -> Iterator[KimiSimulator]:
    """A running simulator, with no queued replies or recorded requests."""
    _kimi_simulator_session.reset()
    yield _kimi_simulator_session
    _kimi_simulator_session.reset()


@pytest.fixture
def kimi_llm(kimi_simulator: KimiSimulator) -> ChatKimi:
    """A ``ChatKimi`` (kimi-k2-thinking, openai transport) on the simulator."""
    from langchain_kimi.chat_models import ChatKimi

    params: dict[str, Any] = {
        "api_key": kimi_simulator.api_key,
        "base_url": kimi_simulator.openai_base_url,
        "max_retries": 0,
    }
    return ChatKimi(**params)
