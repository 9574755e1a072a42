"""The probe's plan, its combining of answers into a profile, its budget and
its report: pure functions, no network."""

import json

import pytest

from langchain_kimi.cli.probe import budget, budget_text, models_table, table
from langchain_kimi.probe.cases import (
    ALWAYS_THINKING,
    LINEUP,
    MAX_TOKENS,
    REACH,
    SEED,
    WRONG_KEY,
    Case,
    cases,
)
from langchain_kimi.probe.http import _events
from langchain_kimi.probe.reading import Answer, failed_answer
from langchain_kimi.probe.run import models, observe, profile, scrub
from langchain_kimi.testing import Behaviour
from langchain_kimi.testing.behaviour import UNPROBED

PLANNED = cases()


# -- the plan ----------------------------------------------------------------------


def test_the_plan_is_small_fixed_and_on_both_endpoints() -> None:
    names = [case.name for case in PLANNED]
    assert len(names) == len(set(names)) == 35
    by_endpoint = {
        ep: [c for c in PLANNED if c.endpoint == ep] for ep in ("compatible", "native")
    }
    assert len(by_endpoint["compatible"]) == 18 and len(by_endpoint["native"]) == 17
    assert {c.model for c in PLANNED} == {
        "kimi-k3",
        "kimi-k2.7-code",
        "kimi-k2.6",
        "kimi-k2.5",
        "kimi-k2-thinking",
        "Moonshot-Kimi-K2-Instruct",
        "kimi-langchain-probe-no-such-model",
    }
    assert all(
        case.body().get("parameters", case.body())["max_tokens"] == MAX_TOKENS
        for case in PLANNED
    )


def test_thinking_model_requests_are_streams_closed_after_one_event() -> None:
    thinking = [c for c in PLANNED if c.model in ALWAYS_THINKING]
    assert len(thinking) == 14
    assert all(c.stream and c.first_event_only for c in thinking)


def test_every_model_of_the_lineup_and_the_seed_is_asked_on_both_endpoints() -> None:
    reached = {(c.model, c.endpoint) for c in PLANNED if c.name.startswith(REACH)}
    assert reached == {
        (model, ep) for model in (*LINEUP, *SEED) for ep in ("compatible", "native")
    }


def test_the_lineup_goes_native_to_multimodal_generation_with_list_content() -> None:
    for case in PLANNED:
        if case.endpoint != "native" or case.model not in (*LINEUP, *SEED):
            continue
        task = "multimodal" if case.model in LINEUP else "text"
        assert case.path == f"/services/aigc/{task}-generation/generation"
        user = case.body()["input"]["messages"][0]
        assert isinstance(user["content"], list) is (case.model in LINEUP)


def test_a_compatible_body() -> None:
    case = next(c for c in PLANNED if c.name == "usage_stream/compatible")
    assert case.body() == {
        "model": "kimi-k2.6",
        "messages": [{"role": "user", "content": "Say OK."}],
        "stream_options": {"include_usage": True},
        "max_tokens": MAX_TOKENS,
        "stream": True,
    }
    assert case.headers() == {}
    assert case.path == "/chat/completions"


def test_a_native_body_streams_incrementally_on_request() -> None:
    case = next(c for c in PLANNED if c.name == "forced_choice/native")
    body = case.body()
    assert set(body) == {"model", "input", "parameters"}
    assert body["input"]["messages"][0] == {
        "role": "user",
        "content": [{"text": "What is the weather in Beijing?"}],
    }
    assert body["parameters"]["tool_choice"] == {
        "type": "function",
        "function": {"name": "get_weather"},
    }
    assert body["parameters"]["result_format"] == "message"
    assert body["parameters"]["incremental_output"] is True
    assert case.headers() == {"X-DashScope-SSE": "enable"}
    assert case.path == "/services/aigc/multimodal-generation/generation"


def test_the_tool_turn_case_has_no_reasoning() -> None:
    case = next(
        c for c in PLANNED if c.name == "tool_turn_without_reasoning/compatible"
    )
    assistant = case.body()["messages"][1]
    assert assistant["tool_calls"] and "reasoning_content" not in assistant


def test_refusals_by_design_are_not_billed() -> None:
    free = [c.name for c in PLANNED if not c.billed]
    assert sorted(free) == sorted(
        f"{what}/{ep}"
        for what in ("wrong_key", "wrong_key_stream", "unknown_model")
        for ep in ("compatible", "native")
    )
    assert WRONG_KEY.startswith("sk-")


# -- raw stream reading ------------------------------------------------------------


def test_a_stream_is_cut_after_its_nth_data_line_across_chunk_borders() -> None:
    chunks = [b'data: {"a"', b": 1}\n\n: ping\n", b'data: {"b": 2}\n\ndata: [DONE]\n\n']
    kept, complete = _events(iter(chunks), 1)
    assert (kept, complete) == (b'data: {"a": 1}\n', False)
    kept, complete = _events(iter(chunks), 2)
    assert kept.endswith(b'data: {"b": 2}\n') and not complete
    kept, complete = _events(iter(chunks), 10)
    assert kept == b"".join(chunks) and complete


# -- combining ------------------------------------------------------------------------


def _answers(**overrides: Answer) -> dict[str, Answer]:
    """Answers as the published references would have them, with overrides."""
    answers: dict[str, Answer] = {}
    refusal = Answer(400, "InvalidParameter", "tool_choice is invalid")
    for case in PLANNED:
        stem, ep = case.name.split("/")
        snake = ep == "compatible"
        if stem in ("json_mode", "tool_turn_without_reasoning"):
            answer = Answer(200)
        elif stem in ("forced_choice", "required_choice"):
            answer = Answer(
                400,
                "invalid_parameter_error" if snake else refusal.code,
                refusal.message,
            )
        elif stem == "tool_call_stream":
            piece = {"index": 0, "id": "c"}
            event = (
                {"choices": [{"delta": {"tool_calls": [piece]}}]}
                if snake
                else {"output": {"choices": [{"message": {"tool_calls": [piece]}}]}}
            )
            answer = Answer(200, events=(event,))
        elif stem.startswith("two_calls"):
            n = 2 if stem.endswith("parallel") else 1
            calls = [{"id": str(i)} for i in range(n)]
            answer = Answer(200, body={"choices": [{"message": {"tool_calls": calls}}]})
        elif stem.startswith("wrong_key"):
            code = "invalid_api_key" if snake else "InvalidApiKey"
            answer = Answer(401, code, "Invalid API-key provided.", framing="json")
        elif stem == "unknown_model":
            answer = Answer(404, "model_not_found" if snake else "ModelNotFound", "no")
        elif stem == "budget_without_budget":
            answer = Answer(400, refusal.code, "thinking_budget is not supported")
        elif stem.startswith(REACH):
            answer = Answer(200, events=({"choices": [{"delta": {}}]},))
        else:
            answer = Answer(
                200,
                events=(
                    {"choices": [{"delta": {}, "finish_reason": "stop"}]},
                    {"choices": [], "usage": {"prompt_tokens": 1}},
                ),
            )
        answers[case.name] = answer
    answers.update({name.replace("__", "/"): a for name, a in overrides.items()})
    return answers


def _behaviour(answers: dict[str, Answer]) -> dict:
    return profile(observe(PLANNED, answers), base_url=None, secret="sk-x")["behaviour"]


def test_published_answers_read_as_the_defaults() -> None:
    assert _behaviour(_answers()) == Behaviour().to_dict()


def test_observations_follow_behaviours_order() -> None:
    switches = [o.switch for o in observe(PLANNED, _answers())]
    assert switches == [s for s in Behaviour().to_dict() if s not in UNPROBED]


def test_endpoints_that_differ_take_the_compatible_reading_and_say_so() -> None:
    refused = Answer(400, "InvalidParameter", "response_format is invalid")
    observation = observe(PLANNED, _answers(json_mode__native=refused))[0]
    assert observation.value is True
    assert "the endpoints differ" in observation.summary
    observation = observe(
        PLANNED,
        _answers(json_mode__compatible=Answer(400, "x", "No JSON mode here")),
    )[0]
    assert observation.value is False


def test_one_endpoint_can_settle_a_switch_alone() -> None:
    timeout = failed_answer("No answer in time.")
    observation = observe(PLANNED, _answers(json_mode__compatible=timeout))[0]
    assert observation.value is True
    assert "settled by the native endpoint only" in observation.summary


def test_an_unsettled_switch_keeps_its_default_and_says_so() -> None:
    answers = _answers(
        two_calls__compatible=Answer(200, body={"choices": [{"message": {}}]}),
        two_calls__native=Answer(200, body={"choices": [{"message": {}}]}),
    )
    made = profile(observe(PLANNED, answers), base_url=None, secret="sk-x")
    item = made["evidence"]["parallel_tool_calls_default"]
    assert item["settled"] is False
    assert item["value"] is made["behaviour"]["parallel_tool_calls_default"] is False
    assert [r["calls_by_default"] for r in item["readings"]] == [0, 0]


def test_the_profile_is_one_the_simulator_reads() -> None:
    made = profile(observe(PLANNED, _answers()), base_url=None, secret="sk-x")
    assert Behaviour.from_dict(made) == Behaviour()
    assert made["source"]["by"] == "python -m langchain_kimi probe"
    assert (
        made["source"]["base_url"]
        == "https://dashscope.aliyuncs.com/compatible-mode/v1"
    )
    json.dumps(made)  # plain JSON


def test_the_key_is_scrubbed_wherever_the_service_echoes_it() -> None:
    secret = "sk-live-abcdef123456"
    echo = Answer(401, "invalid_api_key", f"Incorrect API key provided: {secret}.")
    made = profile(
        observe(PLANNED, _answers(wrong_key__compatible=echo)),
        base_url=None,
        secret=secret,
    )
    text = json.dumps(made)
    assert secret not in text and "Incorrect API key provided: ***." in text
    assert scrub({"a": [secret, 1, (secret,)]}, secret) == {"a": ["***", 1, ["***"]]}
    assert scrub("text", "") == "text"


# -- budget and report ----------------------------------------------------------------


def test_the_budget_is_bounded_and_priced_where_the_table_has_prices() -> None:
    spent = budget(PLANNED)
    assert (spent.requests, spent.billed, spent.thinking_requests) == (35, 29, 14)
    assert spent.output_tokens == 29 * MAX_TOKENS
    assert 0 < spent.input_tokens < 8_000
    assert 0 < spent.cost_usd < 0.05
    assert "kimi-k3" in spent.unpriced and "kimi-k2-thinking" not in spent.unpriced
    text = budget_text(spent)
    assert "35 small requests" in text and f"at most {MAX_TOKENS} output tokens" in text
    assert f"${spent.cost_usd:.4f}" in text
    assert "publishes no price for kimi-k3" in text


def test_the_table_marks_what_differs_and_what_is_unsettled() -> None:
    answers = _answers(
        unknown_model__native=Answer(400, "InvalidParameter", "Model not exist."),
        two_calls__compatible=Answer(200, body={}),
        two_calls__native=Answer(200, body={}),
    )
    lines = table(profile(observe(PLANNED, answers), base_url=None, secret="sk-x"))
    assert lines[0].split() == ["behaviour", "seen", "published"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[1::2]}
    assert rows["unknown_model_native"] == ["model_not_exist", "not_found", "differs"]
    assert rows["json_mode_on_thinking"] == ["true", "true"]
    assert rows["parallel_tool_calls_default"] == ["not", "settled", "false"]
    assert lines[2].startswith("    compatible: accepted (200)")
    assert len(lines) == 1 + 2 * len(set(Behaviour.switches()) - UNPROBED)


def _used_by_switches(made: dict) -> set[str]:
    return {
        item["case"]
        for evidence in made["evidence"].values()
        for reading in evidence["readings"]
        for item in reading["cases"]
    }


@pytest.mark.parametrize("case", PLANNED, ids=lambda c: c.name)
def test_every_case_is_read_by_a_switch_or_the_models_table(case: Case) -> None:
    answers = _answers()
    made = profile(
        observe(PLANNED, answers), base_url=None, secret="sk-x", reached=models(answers)
    )
    if case.name.startswith(REACH):
        group = "lineup" if case.model in LINEUP else "seed"
        assert made["models"][group][case.model][case.endpoint]["status"] == 200
    else:
        assert case.name in _used_by_switches(made)


# -- which models the key reaches ---------------------------------------------------


def _refused(model: str, *endpoints: str) -> dict[str, Answer]:
    gone = Answer(400, "InvalidParameter", "Model not exist.")
    return {f"{REACH}{model}__{ep}": gone for ep in endpoints}


def test_reached_models_are_listed_and_the_seed_is_served() -> None:
    reached = models(_answers())
    assert reached["reachable"] == list(LINEUP)
    assert reached["seed_served"] is True
    assert reached["lineup"]["kimi-k3"]["native"] == {"reachable": True, "status": 200}


def test_a_model_refused_on_both_endpoints_is_not_reachable() -> None:
    reached = models(_answers(**_refused("kimi-k2.7-code", "compatible", "native")))
    assert "kimi-k2.7-code" not in reached["reachable"]
    row = reached["lineup"]["kimi-k2.7-code"]
    assert row["reachable"] is False and row["compatible"]["not_served"] is True


def test_retired_seed_models_read_as_not_found_and_not_served() -> None:
    gone = {
        **_refused("kimi-k2-thinking", "compatible", "native"),
        **_refused("Moonshot-Kimi-K2-Instruct", "compatible", "native"),
    }
    answers = _answers(**gone)
    assert _behaviour(answers)["retired_models"] == "not_found"
    reached = models(answers)
    assert reached["seed_served"] is False
    lines = models_table({"models": reached})
    assert lines[0].split() == ["model", "compatible", "native"]
    assert any(
        line.startswith("kimi-k2-thinking (retired 2026-07-09)")
        and line.split()[-4:] == ["not", "served", "not", "served"]
        for line in lines
    )
    assert lines[-1] == "The seed's two models are still served: no."


def test_one_seed_model_refused_leaves_retirement_unsettled() -> None:
    answers = _answers(**_refused("kimi-k2-thinking", "compatible", "native"))
    made = profile(observe(PLANNED, answers), base_url=None, secret="sk-x")
    assert made["evidence"]["retired_models"]["settled"] is False
    assert models(answers)["seed_served"] is None


def test_a_profile_without_models_prints_no_models_table() -> None:
    assert (
        models_table(profile(observe(PLANNED, _answers()), base_url=None, secret="x"))
        == []
    )
