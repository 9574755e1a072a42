"""langchain-tests' standard unit suite, for both documented models."""

import os
from typing import Any
from unittest import mock

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.load import dumpd, load
from langchain_tests.unit_tests import ChatModelUnitTests
from syrupy.assertion import SnapshotAssertion

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL

#: The standard suite forces tool choices these models cannot take: ChatKimi
#: warns by design (tests/unit/test_tool_choice.py proves it); noise here.
pytestmark = pytest.mark.filterwarnings("ignore:.*cannot be forced to call:UserWarning")


class TestChatKimiThinkingUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatKimi]:
        return ChatKimi

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": THINKING_MODEL, "api_key": "sk-test"}

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return (
            {
                "DASHSCOPE_API_KEY": "sk-env",
                "DASHSCOPE_BASE_URL": "https://example.test/compatible-mode/v1",
            },
            {"model": THINKING_MODEL},
            {
                "api_key": "sk-env",
                "base_url": "https://example.test/compatible-mode/v1",
            },
        )

    @property
    def has_tool_calling(self) -> bool:
        return True

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def has_structured_output(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True

    @pytest.mark.xfail(
        reason="langchain-core's allowed_objects='all' admits only classes in core's "
        "own mapping, so no outside package passes this as written; "
        "test_serdes_round_trip checks the same round trip with ChatKimi allowed.",
        strict=True,
    )
    def test_serdes(self, model: BaseChatModel, snapshot: SnapshotAssertion) -> None:
        super().test_serdes(model, snapshot)

    # langchain-core marks ``load`` beta; the round trip is what users rely on.
    @pytest.mark.filterwarnings(
        "ignore::langchain_core._api.beta_decorator.LangChainBetaWarning"
    )
    def test_serdes_round_trip(
        self, model: BaseChatModel, snapshot: SnapshotAssertion
    ) -> None:
        env_params, _, _ = self.init_from_env_params
        with mock.patch.dict(os.environ, env_params):
            serialized = dumpd(model)
            assert serialized == snapshot(name="serialized")
            loaded = load(
                serialized,
                valid_namespaces=["langchain_kimi"],
                allowed_objects=[ChatKimi],
                secrets_from_env=True,
            )
        assert loaded.asdict() == model.asdict()


class TestChatKimiInstructUnit(TestChatKimiThinkingUnit):
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": INSTRUCT_MODEL, "api_key": "sk-test"}

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        env, _, expected = super().init_from_env_params
        return env, {"model": INSTRUCT_MODEL}, expected

    @property
    def has_structured_output(self) -> bool:
        return False

    @property
    def supports_json_mode(self) -> bool:
        return False


class TestChatKimiDashScopeTransportUnit(TestChatKimiThinkingUnit):
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": THINKING_MODEL, "api_key": "sk-test", "transport": "dashscope"}

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        env, _, _ = super().init_from_env_params
        return (
            env,
            {"model": THINKING_MODEL, "transport": "dashscope"},
            {"api_key": "sk-env", "base_url": "https://example.test/api/v1"},
        )
