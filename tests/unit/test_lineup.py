"""The lineup's pure parts: the table's rows, regions and hosts, content parts."""

import os
from unittest import mock

import pytest
from langchain_core.messages import HumanMessage

from langchain_kimi import AuthenticationError, ChatKimi, get_model_spec
from langchain_kimi.model_specs import (
    CODE_MODEL,
    K3_MODEL,
    K25_MODEL,
    K26_MODEL,
    MODELS,
    THINKING_MODEL,
)
from langchain_kimi.protocols.native import multimodal_messages
from langchain_kimi.request.content import to_content
from langchain_kimi.request.tools import plan_tool_choice

WEATHER = {"type": "function", "function": {"name": "w", "parameters": {}}}


def test_the_rows_match_the_published_features_table() -> None:
    k3, code, k26, k25 = (
        get_model_spec(m) for m in (K3_MODEL, CODE_MODEL, K26_MODEL, K25_MODEL)
    )
    assert (k3.thinking, code.thinking, k26.thinking, k25.thinking) == (
        "always",
        "always",
        "optional",
        "optional",
    )
    assert k3.image_inputs and not k3.video_inputs
    assert all(s.image_inputs and s.video_inputs for s in (code, k26, k25))
    assert [m for m, s in MODELS.items() if s.structured_output and not s.retired] == [
        K3_MODEL
    ]
    assert [m for m, s in MODELS.items() if s.partial_mode] == [K3_MODEL]
    assert all(s.function_calling and s.context_cache for s in MODELS.values())
    assert not k3.thinking_budget and k3.required_tool_choice and k3.dynamic_tools


def test_kimi_k25_has_its_published_limits_and_prices() -> None:
    spec = get_model_spec(K25_MODEL)
    assert (spec.context_window, spec.max_output_tokens) == (262_144, 32_768)
    assert (spec.input_limit(True), spec.input_limit(False)) == (258_048, 260_096)
    assert spec.cost_usd(1_000_000, 1_000_000) == pytest.approx(0.574 + 3.011)


@pytest.mark.parametrize("model", [K3_MODEL, CODE_MODEL, K26_MODEL])
def test_unpublished_numbers_stay_unknown(model: str) -> None:
    spec = get_model_spec(model)
    assert spec.max_input_tokens is None and spec.max_output_tokens is None
    assert spec.cost_usd(10, 10) is None
    ChatKimi(model=model, api_key="k", max_tokens=1_000_000)  # no client-side check


def test_the_retired_rows_are_kept_and_marked() -> None:
    assert get_model_spec(THINKING_MODEL).retired == "2026-07-09"
    assert get_model_spec(THINKING_MODEL).max_output_tokens == 16_384


@pytest.mark.parametrize(
    ("region", "workspace", "url"),
    [
        ("cn-beijing", None, "https://dashscope.aliyuncs.com/compatible-mode/v1"),
        ("us-east-1", None, "https://dashscope-us.aliyuncs.com/compatible-mode/v1"),
        (
            "ap-southeast-1",
            None,
            "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
        ),
        (
            "eu-central-1",
            "ws-1",
            "https://ws-1.eu-central-1.maas.aliyuncs.com/compatible-mode/v1",
        ),
        (
            "cn-beijing",
            "ws-2",
            "https://ws-2.cn-beijing.maas.aliyuncs.com/compatible-mode/v1",
        ),
    ],
)
def test_region_and_workspace_pick_the_host(
    region: str, workspace: str | None, url: str
) -> None:
    with mock.patch.dict(os.environ, {}, clear=True):
        llm = ChatKimi(api_key="k", region=region, workspace_id=workspace)
        native = ChatKimi(
            api_key="k", region=region, workspace_id=workspace, transport="dashscope"
        )
    assert llm.base_url == url
    assert native.base_url == url.replace("/compatible-mode/v1", "/api/v1")


def test_region_and_workspace_come_from_the_environment() -> None:
    env = {"DASHSCOPE_REGION": "ap-northeast-1", "DASHSCOPE_WORKSPACE_ID": "ws-9"}
    with mock.patch.dict(os.environ, env, clear=True):
        llm = ChatKimi(api_key="k")
    assert (
        llm.base_url
        == "https://ws-9.ap-northeast-1.maas.aliyuncs.com/compatible-mode/v1"
    )


@pytest.mark.parametrize("region", ["eu-central-1", "ap-northeast-1"])
def test_workspace_only_regions_need_a_workspace(region: str) -> None:
    refusal = pytest.raises(ValueError, match=r"workspace_id.*DASHSCOPE_WORKSPACE_ID")
    with mock.patch.dict(os.environ, {}, clear=True), refusal:
        ChatKimi(api_key="k", region=region)


def test_an_unknown_region_lists_the_five() -> None:
    five = "cn-beijing, ap-southeast-1, ap-northeast-1, us-east-1, eu-central-1"
    with pytest.raises(ValueError, match=five):
        ChatKimi(api_key="k", region="mars-1")
    with pytest.raises(ValueError, match=five):  # even where base_url decides the host
        ChatKimi(api_key="k", region="mars-1", base_url="https://p.test/api/v1")


def test_an_explicit_base_url_wins_over_the_region() -> None:
    env = {"DASHSCOPE_BASE_URL": "https://proxy.test/compatible-mode/v1"}
    with mock.patch.dict(os.environ, env, clear=True):
        from_env = ChatKimi(api_key="k", region="eu-central-1")
    given = ChatKimi(api_key="k", region="us-east-1", base_url="https://p.test/api/v1")
    assert from_env.base_url == "https://proxy.test/compatible-mode/v1"
    assert given.base_url == "https://p.test/compatible-mode/v1"


def test_a_copy_with_another_region_resolves_again() -> None:
    with mock.patch.dict(os.environ, {}, clear=True):
        llm = ChatKimi(api_key="k")
        moved = llm.model_copy(update={"region": "us-east-1"})
    assert moved.base_url == "https://dashscope-us.aliyuncs.com/compatible-mode/v1"
    assert "the us-east-1 region" in moved._endpoint()


def test_kimi_k3_sends_required_and_others_never_do() -> None:
    plan = plan_tool_choice("any", [WEATHER], K3_MODEL, can_force=False, required=True)
    assert plan.value == "required" and not plan.warning
    named = plan_tool_choice("w", [WEATHER], K3_MODEL, can_force=False, required=True)
    assert named.value == "auto" and named.instruction


def test_cache_control_keeps_text_as_a_list() -> None:
    spec = get_model_spec(K3_MODEL)
    marked = [{"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}]
    assert to_content(marked, spec, "user") == [
        {"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}}
    ]
    assert to_content([{"type": "text", "text": "a"}, "b"], spec, "user") == "ab"


def test_a_data_url_is_sent_as_the_same_string() -> None:
    url = "data:image/png;base64," + "A" * 1000
    block = {"type": "image_url", "image_url": {"url": url}}
    parts = to_content([block], get_model_spec(K3_MODEL), "user")
    assert isinstance(parts, list) and parts[0]["image_url"]["url"] is url
    native = multimodal_messages([{"role": "user", "content": parts}])
    assert native[0]["content"][0]["image"] is url


def test_profile_of_an_unset_hybrid_model_has_no_reasoning() -> None:
    llm = ChatKimi(model=K26_MODEL, api_key="k")
    assert llm.profile and not llm.profile["reasoning_output"]
    assert "max_input_tokens" not in llm.profile
    assert llm._call([HumanMessage("hi")], None, False, {}).request.thinking is False


def test_a_refused_key_names_the_region_it_was_used_in() -> None:
    with mock.patch.dict(os.environ, {}, clear=True):
        llm = ChatKimi(api_key="k", region="us-east-1")
    call = llm._call([HumanMessage("hi")], None, False, {})
    refused = AuthenticationError("Invalid API-key provided.", status_code=401)
    text = str(call.explained(refused))
    assert "the us-east-1 region (https://dashscope-us.aliyuncs.com" in text
    assert "only in the region they were made in" in text
    assert call.explained(refused).message == "Invalid API-key provided."


def test_a_tools_message_with_text_is_refused() -> None:
    from langchain_core.messages import SystemMessage

    from langchain_kimi.request.messages import to_request_messages

    both = SystemMessage("Be brief.", additional_kwargs={"tools": [WEATHER]})
    with pytest.raises(ValueError, match="system message with tools must have no"):
        to_request_messages([both, HumanMessage("hi")], K3_MODEL)
