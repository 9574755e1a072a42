"""langchain-tests' standard integration suite, offline, against the simulator.

The seed's two models, kimi-k3, and kimi-k2.6 with and without thinking,
over both transports: an autouse fixture takes the parametrized
``transport`` fixture, so every standard test runs once per SDK. The
simulator enforces the published rules (no forced named tool in a thinking
call, ``"required"`` on kimi-k3 only, one tool call per turn), so the suite
also checks that ChatKimi never sends what the service refuses. Skipped are
only what Kimi lacks (audio, PDF and Anthropic-style inputs, images in tool
messages, images on the seed's text-only models; JSON mode where the table
has none) and the VCR benchmark, which needs recorded cassettes of a real
model. The lineup's image tests download their image with ``httpx.get``,
which is served from memory here (no network).

The seed's thinking model runs again with every disputed behaviour flipped
(JSON mode refused, reasoning required in tool turns, stream pieces without
``index``): ChatKimi must pass either way.
"""

import base64
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.tools import BaseTool
from langchain_tests.integration_tests import ChatModelIntegrationTests
from langchain_tests.integration_tests import chat_models as standard_suite

from langchain_kimi import BadRequestError, ChatKimi
from langchain_kimi.model_specs import (
    INSTRUCT_MODEL,
    K3_MODEL,
    K26_MODEL,
    THINKING_MODEL,
)
from langchain_kimi.testing import Behaviour, KimiSimulator

#: The standard suite forces tool choices, strips reasoning from tool-call turns
#: and asks the thinking model for JSON mode, each of which ChatKimi answers with
#: a warning by design (each proven in its own test: test_tool_choice,
#: test_reasoning_history, test_structured_degrade). Here they are noise.
pytestmark = [
    pytest.mark.filterwarnings("ignore:.*cannot be forced to call:UserWarning"),
    pytest.mark.filterwarnings("ignore:.*carries no reasoning_content:UserWarning"),
    pytest.mark.filterwarnings("ignore:.*refused JSON mode:UserWarning"),
]


class _OnSimulator(ChatModelIntegrationTests):
    model_id = THINKING_MODEL
    extra_params: dict[str, Any] = {}  # noqa: RUF012 (read only)

    @pytest.fixture(autouse=True)
    def _on_simulator(self, kimi_simulator: KimiSimulator, transport: str) -> None:
        # pytest makes a new instance per test, so per-test state on self is safe
        self._params = {
            "model": self.model_id,
            "api_key": kimi_simulator.api_key,
            "base_url": kimi_simulator.base_url_for(transport),
            "transport": transport,
            "max_retries": 0,
            **self.extra_params,
        }

    @property
    def chat_model_class(self) -> type[ChatKimi]:
        return ChatKimi

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return self._params

    @property
    def has_tool_choice(self) -> bool:
        return True

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        llm = ChatKimi(**self.chat_model_params)
        if not stream:
            return llm.invoke("Is 1001 prime?")
        full: Any = None
        for chunk in llm.stream("Is 1001 prime?"):
            full = chunk if full is None else full + chunk
        return full  # type: ignore[no-any-return]


class _ThinkingWithJsonMode:
    """What the thinking models with JSON mode share: structured output by
    JSON mode, and reasoning tokens in their usage."""

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        return {"method": "json_mode"}

    @property
    def supported_usage_metadata_details(self) -> dict[str, Any]:
        return {"invoke": ["reasoning_output"], "stream": ["reasoning_output"]}


class TestThinkingOnSimulator(_ThinkingWithJsonMode, _OnSimulator):
    model_id = THINKING_MODEL

    @property
    def model_override_value(self) -> str:
        return INSTRUCT_MODEL


class TestInstructOnSimulator(_OnSimulator):
    model_id = INSTRUCT_MODEL

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        return {"method": "function_calling"}

    @property
    def model_override_value(self) -> str:
        return THINKING_MODEL


class TestThinkingWhereJsonModeIsRefused(TestThinkingOnSimulator):
    """The thinking model if the JSON-mode page is right for Kimi, and stream
    pieces come without ``index``."""

    @pytest.fixture(autouse=True)
    def _other_reading(
        self, _on_simulator: None, kimi_simulator: KimiSimulator
    ) -> None:
        kimi_simulator.behaviour = Behaviour(
            json_mode_on_thinking=False, tool_call_index_in_stream=False
        )


_NO_REASONING = (
    "The suite's own history has an AIMessage with tool calls and no "
    "reasoning_content; a service that requires it refuses the request with a "
    "400 (ChatKimi warns first, naming keep_reasoning)."
)


class TestThinkingWhereReasoningIsRequired(TestThinkingOnSimulator):
    """The thinking model if Model Studio enforces Kimi's platform rule."""

    @pytest.fixture(autouse=True)
    def _other_reading(
        self, _on_simulator: None, kimi_simulator: KimiSimulator
    ) -> None:
        kimi_simulator.behaviour = Behaviour(require_reasoning_in_tool_turns=True)

    @pytest.mark.xfail(reason=_NO_REASONING, raises=BadRequestError, strict=True)
    def test_tool_message_histories_string_content(
        self, model: BaseChatModel, my_adder_tool: BaseTool
    ) -> None:
        super().test_tool_message_histories_string_content(model, my_adder_tool)

    @pytest.mark.xfail(reason=_NO_REASONING, raises=BadRequestError, strict=True)
    def test_tool_message_histories_list_content(
        self, model: BaseChatModel, my_adder_tool: BaseTool
    ) -> None:
        super().test_tool_message_histories_list_content(model, my_adder_tool)

    @pytest.mark.xfail(reason=_NO_REASONING, raises=BadRequestError, strict=True)
    def test_tool_message_error_status(
        self, model: BaseChatModel, my_adder_tool: BaseTool
    ) -> None:
        super().test_tool_message_error_status(model, my_adder_tool)

    @pytest.mark.xfail(reason=_NO_REASONING, raises=BadRequestError, strict=True)
    def test_structured_few_shot_examples(
        self, model: BaseChatModel, my_adder_tool: BaseTool
    ) -> None:
        super().test_structured_few_shot_examples(model, my_adder_tool)


#: A tiny PNG: the suite downloads its test image with ``httpx.get``, which
#: has no network here, so the suite's own download is served from memory.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGA"
    "hKmMIQAAAABJRU5ErkJggg=="
)


class _LineupOnSimulator(_OnSimulator):
    """Today's models: image inputs (base64 and URL) where the profile says."""

    @pytest.fixture(autouse=True)
    def _image_download_offline(self, monkeypatch: pytest.MonkeyPatch) -> None:
        def get(url: str, **_: Any) -> httpx.Response:
            return httpx.Response(200, content=_PNG)

        monkeypatch.setattr(standard_suite, "httpx", SimpleNamespace(get=get))

    def _profile(self) -> dict[str, Any]:
        llm = ChatKimi(model=self.model_id, api_key="k", **self.extra_params)
        return dict(llm.profile or {})

    @property
    def supports_image_inputs(self) -> bool:
        return bool(self._profile()["image_inputs"])

    @property
    def supports_image_urls(self) -> bool:
        return bool(self._profile()["image_url_inputs"])


class TestKimiK3OnSimulator(_ThinkingWithJsonMode, _LineupOnSimulator):
    """kimi-k3: always thinking, JSON mode, "required" tool choice."""

    model_id = K3_MODEL

    @property
    def model_override_value(self) -> str:
        return K26_MODEL


class TestKimiK26OnSimulator(_LineupOnSimulator):
    """kimi-k2.6 as it comes: thinking off, function calling for structure."""

    model_id = K26_MODEL

    @property
    def structured_output_kwargs(self) -> dict[str, Any]:
        return {"method": "function_calling"}

    @property
    def model_override_value(self) -> str:
        return K3_MODEL


class TestKimiK26ThinkingOnSimulator(TestKimiK26OnSimulator):
    """kimi-k2.6 with ``enable_thinking=True``: a thinking model in all but name."""

    extra_params = {"enable_thinking": True}  # noqa: RUF012 (read only)

    @property
    def supported_usage_metadata_details(self) -> dict[str, Any]:
        return _ThinkingWithJsonMode().supported_usage_metadata_details
