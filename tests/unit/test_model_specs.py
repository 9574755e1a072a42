import dataclasses

import pytest

from langchain_kimi import ChatKimi, get_model_spec
from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL


def test_thinking_row_matches_the_features_table() -> None:
    spec = get_model_spec(THINKING_MODEL)
    assert (spec.context_window, spec.max_input_tokens) == (262_144, 229_376)
    assert (spec.max_reasoning_tokens, spec.max_output_tokens) == (32_768, 16_384)
    assert spec.deep_thinking and spec.function_calling and spec.structured_output
    assert not spec.forced_tool_choice
    assert not (spec.web_search or spec.partial_mode)
    assert spec.configurable == {"temperature"}


def test_instruct_row_matches_the_features_table() -> None:
    spec = get_model_spec(INSTRUCT_MODEL)
    assert (spec.context_window, spec.max_input_tokens) == (131_072, 131_072)
    assert spec.max_reasoning_tokens is None
    assert spec.max_output_tokens == 8_192
    assert spec.web_search and spec.function_calling and spec.forced_tool_choice
    assert not (spec.deep_thinking or spec.structured_output or spec.partial_mode)
    assert spec.configurable == {"temperature", "top_p", "presence_penalty"}


def test_cost_uses_table_prices() -> None:
    spec = get_model_spec(THINKING_MODEL)
    assert spec.cost_usd(1_000_000, 1_000_000) == pytest.approx(0.574 + 2.294)


def test_unknown_models_are_permissive() -> None:
    spec = get_model_spec("kimi-k3-preview")
    assert not spec.known
    assert spec.web_search and spec.partial_mode and spec.structured_output
    assert spec.max_output_tokens is None and spec.cost_usd(10, 10) is None


def test_model_ids_match_case_insensitively() -> None:
    assert get_model_spec("moonshot-kimi-k2-instruct").model == INSTRUCT_MODEL


def test_profile_reflects_each_model() -> None:
    thinking = ChatKimi(model=THINKING_MODEL, api_key="k").profile or {}
    instruct = ChatKimi(model=INSTRUCT_MODEL, api_key="k").profile or {}
    assert thinking["max_input_tokens"] == 229_376
    assert thinking["max_output_tokens"] == 16_384
    assert thinking["reasoning_output"] and thinking["structured_output"]
    assert instruct["max_input_tokens"] == 131_072
    assert instruct["max_output_tokens"] == 8_192
    assert not instruct["reasoning_output"] and not instruct["structured_output"]
    assert instruct["tool_choice"] and not thinking["tool_choice"]  # never forced
    for profile in (thinking, instruct):
        assert profile["tool_calling"]
        assert profile["text_inputs"] and not profile["image_inputs"]
        assert profile["temperature"]


def test_kimi_spec_accessor_exposes_the_rest() -> None:
    llm = ChatKimi(model=THINKING_MODEL, api_key="k")
    assert llm.kimi_spec.max_reasoning_tokens == 32_768
    assert dataclasses.asdict(llm.kimi_spec)["partial_mode"] is False
