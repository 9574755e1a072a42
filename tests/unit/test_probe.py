"""The probe's plan, its combining of answers into a profile, its budget and
its report: pure functions, no network."""

import json

import pytest

from langchain_kimi.probe import observe, profile, scrub
from langchain_kimi.probe_cases import MAX_TOKENS, WRONG_KEY, Case, cases
from langchain_kimi.probe_reading import Answer, failed_answer
from langchain_kimi.probe_report import budget, budget_text, table
from langchain_kimi.testing import Behaviour
from langchain_kimi.testing.behaviour import UNPROBED
from langchain_kimi.transports.raw import _events

PLANNED = cases()


# -- the plan ----------------------------------------------------------------------


def test_the_plan_is_small_fixed_and_on_both_endpoints() -> None:
    names = [case.name for case in PLANNED]
    assert len(names) == len(set(names)) == 21
    by_endpoint = {
        ep: [c for c in PLANNED if c.endpoint == ep] for ep in ("compatible", "native")
    }
    assert len(by_endpoint["compatible"]) == 11 and len(by_endpoint["native"]) == 10
    assert {c.model for c in PLANNED} == {
        "kimi-k2-thinking",
        "Moonshot-Kimi-K2-Instruct",
        "kimi-langchain-probe-no-such-model",
    }
    assert all(
        case.body().get("parameters", case.body())["max_tokens"] == MAX_TOKENS
        for case in PLANNED
    )


def test_thinking_model_requests_are_streams_closed_after_one_event() -> None:
    thinking = [c for c in PLANNED if c.model == "kimi-k2-thinking"]
    assert len(thinking) == 6
    assert all(c.stream and c.first_event_only for c in thinking)


def test_a_compatible_body() -> None:
    case = next(c for c in PLANNED if c.name == "usage_stream/compatible")
    assert case.body() == {
        "model": "Moonshot-Kimi-K2-Instruct",
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
    assert body["input"]["messages"][0]["role"] == "user"
    assert body["parameters"]["tool_choice"] == {
        "type": "function",
        "function": {"name": "get_weather"},
    }
    assert body["parameters"]["result_format"] == "message"
    assert body["parameters"]["incremental_output"] is True
    assert case.headers() == {"X-DashScope-SSE": "enable"}
    assert case.path == "/services/aigc/text-generation/generation"


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


def test_the_budget_is_bounded_and_priced_from_the_features_table() -> None:
    spent = budget(PLANNED)
    assert (spent.requests, spent.billed, spent.thinking_requests) == (21, 15, 6)
    assert spent.output_tokens == 15 * MAX_TOKENS
    assert 0 < spent.input_tokens < 5_000
    expected = (spent.input_tokens * 0.574 + spent.output_tokens * 2.294) / 1e6
    assert spent.cost_usd == pytest.approx(expected)
    assert spent.max_reasoning_tokens == 32_768
    assert spent.reasoning_cost_usd == pytest.approx(6 * 32_768 * 2.294 / 1e6)
    text = budget_text(spent)
    assert "21 small requests" in text and f"at most {MAX_TOKENS} output tokens" in text
    assert f"${spent.cost_usd:.4f}" in text and "$0.45" in text


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


@pytest.mark.parametrize("case", PLANNED, ids=lambda c: c.name)
def test_every_case_is_read_by_some_switch(case: Case) -> None:
    made = profile(observe(PLANNED, _answers()), base_url=None, secret="sk-x")
    used = {
        item["case"]
        for evidence in made["evidence"].values()
        for reading in evidence["readings"]
        for item in reading["cases"]
    }
    assert case.name in used
