"""langchain-tests' standard integration suite against the real service.

Runs only when DASHSCOPE_API_KEY is set (a China (Beijing) Model Studio key);
otherwise every test here is skipped with that reason.
"""

import os
from typing import Any

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not os.environ.get("DASHSCOPE_API_KEY"),
        reason="DASHSCOPE_API_KEY is not set: the live standard suite needs the "
        "real Model Studio service (China (Beijing) key).",
    ),
]


class TestChatKimiThinkingLive(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatKimi]:
        return ChatKimi

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": THINKING_MODEL, "max_tokens": 8192, "timeout": 300}

    @property
    def has_tool_choice(self) -> bool:
        # kimi-k2-thinking cannot be forced: a forcing tool_choice travels as an
        # instruction, which a real model may not follow (the offline suite,
        # whose simulator follows it, keeps the tool_choice tests on).
        return False

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        return {"method": "json_mode"}


class TestChatKimiInstructLive(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatKimi]:
        return ChatKimi

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": INSTRUCT_MODEL, "max_tokens": 4096, "timeout": 120}

    @property
    def has_tool_choice(self) -> bool:
        return True

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        return {"method": "function_calling"}
