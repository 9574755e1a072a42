"""Per-model features of the lineup over real HTTP: dynamic tools, the context
cache, partial mode, web search; retired models; a key used in another region.
"""

from collections.abc import Callable

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from langchain_kimi import AuthenticationError, ChatKimi, NotFoundError, tools_message
from langchain_kimi.model_specs import (
    INSTRUCT_MODEL,
    K3_MODEL,
    K26_MODEL,
    THINKING_MODEL,
)
from langchain_kimi.testing import Behaviour, KimiSimulator
from tests.integration.calls import MODES, reply
from tests.integration.city_tools import WEATHER


def test_a_tools_message_loads_tools_mid_conversation_on_kimi_k3(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    messages = [
        SystemMessage("Be brief."),
        tools_message([WEATHER]),
        HumanMessage("Weather in Paris?"),
    ]
    message = make_llm(model=K3_MODEL).invoke(messages)
    assert kimi_simulator.last_request.messages[1] == {
        "role": "system",
        "tools": [WEATHER],
    }
    assert message.tool_calls[0]["name"] == "get_weather"


def test_a_tools_message_is_refused_off_kimi_k3_before_any_request(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    with pytest.raises(ValueError, match=r"kimi-k2\.6 has no dynamically loaded tools"):
        make_llm(model=K26_MODEL).invoke([tools_message([WEATHER]), HumanMessage("x")])
    assert kimi_simulator.requests == []


def _cached_prompt() -> list[HumanMessage]:
    long_text = "The handbook says: " + "rules and more rules. " * 400
    marked = {"type": "text", "text": long_text, "cache_control": {"type": "ephemeral"}}
    return [HumanMessage([marked, {"type": "text", "text": "Summarise."}])]


def test_cache_control_is_kept_on_the_wire(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, transport: str
) -> None:
    make_llm(model=K3_MODEL).invoke(_cached_prompt())
    first = kimi_simulator.last_request.messages[0]["content"][0]
    assert first["cache_control"] == {"type": "ephemeral"}
    assert ("text" in first) and (("type" in first) is (transport == "openai"))


@pytest.mark.parametrize("mode", MODES)
def test_cached_input_tokens_are_reported_as_cache_read(
    make_llm: Callable[..., ChatKimi], mode: str
) -> None:
    llm = make_llm(model=K3_MODEL)
    stored = llm.invoke(_cached_prompt()).usage_metadata  # stores the marked prefix
    assert stored and stored["input_token_details"]["cache_creation"] > 0
    usage = reply(llm, mode, _cached_prompt()).usage_metadata
    assert usage is not None
    assert usage["input_token_details"]["cache_read"] > 0


def _prefilled() -> list[object]:
    return [
        HumanMessage("Write a haiku."),
        AIMessage("Autumn moon", additional_kwargs={"partial": True}),
    ]


def test_partial_mode_continues_the_last_assistant_message_on_kimi_k3(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    assert make_llm(model=K3_MODEL).invoke(_prefilled()).content
    assert kimi_simulator.last_request.messages[-1]["partial"] is True


def test_partial_mode_is_refused_elsewhere_before_any_request(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    with pytest.raises(ValueError, match=r"kimi-k2\.6 has no partial mode.*kimi-k3"):
        make_llm(model=K26_MODEL).invoke(_prefilled())
    assert kimi_simulator.requests == []


def test_web_search_is_sent_on_kimi_k3_and_refused_elsewhere(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    make_llm(model=K3_MODEL, enable_search=True).invoke("News today?")
    assert kimi_simulator.last_request.params["enable_search"] is True
    with pytest.raises(ValueError, match=r"kimi-k2\.6 has no web search.*kimi-k3"):
        make_llm(model=K26_MODEL, enable_search=True)


@pytest.mark.parametrize("model", [THINKING_MODEL, INSTRUCT_MODEL])
def test_a_retired_model_warns_at_the_users_line(model: str) -> None:
    with pytest.warns(UserWarning, match="retired .* on 2026-07-09") as seen:
        ChatKimi(model=model, api_key="k")
    assert len(seen) == 1 and seen[0].filename == __file__
    assert "kimi-k3" in str(seen[0].message) and "kimi-k2.6" in str(seen[0].message)


@pytest.mark.parametrize("form", ["not_found", "model_not_exist"])
@pytest.mark.parametrize("mode", MODES)
def test_a_retired_model_the_service_no_longer_knows_says_so(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    mode: str,
    form: str,
) -> None:
    kimi_simulator.behaviour = Behaviour(
        retired_models="not_found",
        unknown_model_compatible=form,  # type: ignore[arg-type]
        unknown_model_native=form,  # type: ignore[arg-type]
    )
    llm = make_llm(model=THINKING_MODEL)
    with pytest.raises(NotFoundError) as raised:
        reply(llm, mode, "hi")
    text = str(raised.value)
    assert "retired from Model Studio on 2026-07-09" in text
    assert "kimi-k3" in text and raised.value.request_id


def test_a_refused_key_names_where_it_was_used(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    llm = make_llm(model=K3_MODEL, api_key="sk-from-singapore")
    with pytest.raises(AuthenticationError) as raised:
        llm.invoke("hi")
    assert raised.value.message == "Invalid API-key provided."  # the service's
    assert llm.base_url in str(raised.value)
    assert "only in the region they were made in" in str(raised.value)
