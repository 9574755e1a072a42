"""pytest fixtures for testing Kimi chains and agents offline.

Registered automatically (entry point ``pytest11``) when
langchain-kimi-modelstudio is installed; nothing is imported until a test
asks for a fixture.

``pytest --kimi-profile PATH`` (or ``KIMI_SIMULATOR_PROFILE=PATH``) makes the
simulator behave as the profile says, e.g. one ``python -m langchain_kimi
probe`` recorded from the real service; without either, it follows the
published references.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from langchain_kimi.chat_models.base import ChatKimi
    from langchain_kimi.testing.simulator import KimiSimulator


PROFILE_ENV = "KIMI_SIMULATOR_PROFILE"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("langchain-kimi").addoption(
        "--kimi-profile",
        metavar="PATH",
        default=None,
        help="simulator profile (JSON) for the kimi_simulator fixture, e.g. one "
        f"`python -m langchain_kimi probe` recorded; default ${PROFILE_ENV}, "
        "else the published references",
    )


def profile_path(config: pytest.Config) -> str | None:
    """The profile the fixture uses: the option, else the environment."""
    option = config.getoption("kimi_profile", default=None)
    return str(option) if option else os.environ.get(PROFILE_ENV) or None


@pytest.fixture(scope="session")
def _kimi_simulator_session(
    pytestconfig: pytest.Config,
) -> Iterator[KimiSimulator]:
    from langchain_kimi.testing.simulator import KimiSimulator

    with KimiSimulator(profile=profile_path(pytestconfig)) as simulator:
        yield simulator


@pytest.fixture
def kimi_simulator(_kimi_simulator_session: KimiSimulator) -> Iterator[KimiSimulator]:
    """A running simulator, with no queued replies or recorded requests,
    behaving as ``--kimi-profile`` / ``$KIMI_SIMULATOR_PROFILE`` says."""
    _kimi_simulator_session.reset()
    yield _kimi_simulator_session
    _kimi_simulator_session.reset()


@pytest.fixture
def kimi_llm(kimi_simulator: KimiSimulator) -> ChatKimi:
    """A ``ChatKimi`` (ChatKimi's default model, openai transport) on the simulator."""
    from langchain_kimi.chat_models.base import ChatKimi

    params: dict[str, Any] = {
        "api_key": kimi_simulator.api_key,
        "base_url": kimi_simulator.openai_base_url,
        "max_retries": 0,
    }
    return ChatKimi(**params)
