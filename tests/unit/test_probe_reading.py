"""The probe's reading of raw answers, one disputed behaviour at a time."""

import json

import pytest

from langchain_kimi.probe.http import RawResponse
from langchain_kimi.probe.reading import (
    Answer,
    acceptance,
    failed_answer,
    framing_reading,
    index_reading,
    parallel_reading,
    read_answer,
    spelling,
    spelling_reading,
    unknown_model_reading,
    usage_reading,
)


def _raw(status: int, body: str | dict, *, complete: bool = True) -> RawResponse:
    text = body if isinstance(body, str) else json.dumps(body)
    return RawResponse(status, {}, text.encode(), complete)


def _sse(*events: dict) -> str:
    return "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"


COMPAT_ERROR = {
    "error": {"message": "Invalid API-key provided.", "code": "invalid_api_key"},
    "request_id": "r1",
}
NATIVE_ERROR = {"code": "InvalidApiKey", "message": "Invalid API-key provided."}


# -- read_answer ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [(COMPAT_ERROR, "invalid_api_key"), (NATIVE_ERROR, "InvalidApiKey")],
)
def test_a_json_error_body_gives_its_code_and_message(body: dict, code: str) -> None:
    answer = read_answer(_raw(401, body))
    assert (answer.status, answer.code, answer.framing) == (401, code, "json")
    assert answer.message == "Invalid API-key provided."


@pytest.mark.parametrize(
    "text",
    [
        f"data: {json.dumps(COMPAT_ERROR)}\n\n",
        f"id:1\nevent:error\n:HTTP_STATUS/401\ndata:{json.dumps(NATIVE_ERROR)}\n\n",
    ],
)
def test_an_sse_framed_error_body_is_read_through_its_frame(text: str) -> None:
    answer = read_answer(_raw(401, text))
    assert answer.framing == "sse"
    assert answer.code in ("invalid_api_key", "InvalidApiKey")
    assert answer.message == "Invalid API-key provided."


def test_a_body_that_is_neither_keeps_its_text() -> None:
    answer = read_answer(_raw(502, "<html>Bad gateway</html>"))
    assert (answer.framing, answer.code) == ("text", None)
    assert answer.message == "<html>Bad gateway</html>"


def test_a_stream_keeps_its_events_and_a_whole_reply_its_body() -> None:
    stream = read_answer(_raw(200, _sse({"choices": []}, {"x": 1}), complete=False))
    assert stream.events == ({"choices": []}, {"x": 1})
    assert stream.complete is False and stream.code is None
    whole = read_answer(_raw(200, {"choices": [{"message": {"content": "OK"}}]}))
    assert whole.body["choices"][0]["message"]["content"] == "OK"


def test_facts_name_the_framing_of_errors_only() -> None:
    assert read_answer(_raw(200, {"a": 1})).facts() == {"status": 200}
    assert read_answer(_raw(401, NATIVE_ERROR)).facts() == {
        "status": 401,
        "code": "InvalidApiKey",
        "message": "Invalid API-key provided.",
        "framing": "json",
    }
    closed = read_answer(_raw(200, _sse({"x": 1}), complete=False))
    assert closed.facts() == {"status": 200, "closed_early": True}
    assert failed_answer("timed out").facts() == {
        "status": None,
        "failure": "timed out",
    }


# -- acceptance ----------------------------------------------------------------


def test_acceptance_is_a_200_or_a_400_naming_the_parameter() -> None:
    refusal = Answer(400, "InvalidParameter", "The response_format parameter ...")
    assert acceptance(Answer(200), "response_format").value is True
    assert acceptance(refusal, "response_format").value is False
    assert acceptance(refusal, "json").value is None  # names neither word
    said = acceptance(refusal, "json", "response_format").said
    assert said == "refused: 400 InvalidParameter The response_format parameter ..."


@pytest.mark.parametrize(
    "answer",
    [
        Answer(400, "InvalidParameter", "Range of max_tokens should be [1, 8192]"),
        Answer(429, "Throttling", "Requests rate limit exceeded"),
        Answer(500, "InternalError", "tool_choice oops"),
        failed_answer("Could not reach the service"),
    ],
)
def test_other_answers_do_not_settle_acceptance(answer: Answer) -> None:
    reading = acceptance(answer, "tool_choice")
    assert reading.value is None
    assert reading.said.startswith("unclear")


# -- streamed tool calls ---------------------------------------------------------


def _compat_piece(piece: dict) -> dict:
    return {"choices": [{"index": 0, "delta": {"tool_calls": [piece]}}]}


def _native_piece(piece: dict) -> dict:
    return {"output": {"choices": [{"message": {"tool_calls": [piece]}}]}}


@pytest.mark.parametrize("wrap", [_compat_piece, _native_piece])
def test_index_is_true_only_when_every_piece_carries_it(wrap) -> None:
    with_index = [{"index": 0, "id": "c1"}, {"index": 0, "function": {}}]
    mixed = [{"index": 0, "id": "c1"}, {"id": "", "function": {}}]
    none = [{"id": "c1"}, {"id": "", "function": {}}]
    for pieces, expected in ((with_index, True), (mixed, False), (none, False)):
        answer = Answer(200, events=tuple(wrap(p) for p in pieces))
        reading = index_reading(answer)
        assert reading.value is expected
        assert reading.facts["tool_call_pieces"] == 2


def test_a_stream_without_tool_calls_does_not_settle_index() -> None:
    answer = Answer(200, events=({"choices": [{"delta": {"content": "hi"}}]},))
    assert index_reading(answer).value is None
    assert index_reading(Answer(400, "InvalidParameter", "no")).value is None


# -- streamed usage ----------------------------------------------------------------

USAGE = {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}
FINISH = {"choices": [{"delta": {}, "finish_reason": "stop"}]}
FINISH_WITH_USAGE = {
    "choices": [{"delta": {}, "finish_reason": "stop", "usage": USAGE}]
}
TRAILING = {"choices": [], "usage": USAGE}


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ((FINISH, TRAILING), "trailing"),
        ((FINISH_WITH_USAGE,), "choice"),
        ((FINISH_WITH_USAGE, TRAILING), "both"),
        ((FINISH,), None),
        (({**FINISH, "usage": USAGE},), None),
    ],
)
def test_usage_placement(events: tuple, expected: str | None) -> None:
    assert usage_reading(Answer(200, events=events)).value == expected


def test_usage_beside_choices_is_said() -> None:
    reading = usage_reading(Answer(200, events=({**FINISH, "usage": USAGE},)))
    assert "beside non-empty choices" in reading.said


# -- parallel tool calls ------------------------------------------------------------


def _calls(n: int) -> Answer:
    calls = [{"id": f"c{i}", "function": {"name": "f"}} for i in range(n)]
    return Answer(200, body={"choices": [{"message": {"tool_calls": calls}}]})


def _native_calls(n: int) -> Answer:
    calls = [{"id": f"c{i}", "function": {"name": "f"}} for i in range(n)]
    return Answer(
        200, body={"output": {"choices": [{"message": {"tool_calls": calls}}]}}
    )


@pytest.mark.parametrize("make", [_calls, _native_calls])
@pytest.mark.parametrize(
    ("default", "allowed", "expected"),
    [(2, 2, True), (2, 1, True), (1, 2, False), (1, 1, None), (0, 2, None)],
)
def test_parallel_default_needs_the_control_to_say_false(
    make, default: int, allowed: int, expected: bool | None
) -> None:
    reading = parallel_reading(make(default), make(allowed))
    assert reading.value is expected
    assert reading.facts == {
        "calls_by_default": default,
        "calls_with_parallel_tool_calls": allowed,
    }


def test_parallel_without_replies_is_not_settled() -> None:
    refused = Answer(400, "InvalidParameter", "no")
    assert parallel_reading(refused, _calls(2)).value is None


# -- errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("invalid_api_key", "snake_case"),
        ("invalid_parameter_error", "snake_case"),
        ("InvalidApiKey", "CamelCase"),
        ("InternalError.Algo.DataInspectionFailed", "CamelCase"),
        ("Throttling", "CamelCase"),
        ("invalid", None),
        ("Invalid_Key", None),
    ],
)
def test_spelling_of_one_code(code: str, kind: str | None) -> None:
    assert spelling(code) == kind


def test_spelling_needs_every_code_to_agree() -> None:
    snake = [Answer(401, "invalid_api_key"), Answer(404, "model_not_found")]
    assert spelling_reading(snake).value == "snake_case"
    mixed = [*snake, Answer(400, "InvalidParameter")]
    reading = spelling_reading(mixed)
    assert reading.value is None
    assert reading.facts["codes"] == [
        "InvalidParameter",
        "invalid_api_key",
        "model_not_found",
    ]
    assert spelling_reading([]).said == "no error codes seen"


def test_framing_of_a_stream_requests_error() -> None:
    assert framing_reading(Answer(401, framing="sse")).value == "sse"
    assert framing_reading(Answer(401, framing="json")).value == "json"
    assert framing_reading(Answer(401, framing="text")).value is None
    assert framing_reading(Answer(200, framing="sse")).value is None


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (Answer(404, "model_not_found", "The model `x` does not exist."), "not_found"),
        (Answer(400, "InvalidParameter", "Model not exist."), "model_not_exist"),
        (Answer(400, "InvalidParameter", "Range of max_tokens ..."), None),
        (Answer(401, "InvalidApiKey", "Invalid API-key provided."), None),
    ],
)
def test_unknown_model_refusal_form(answer: Answer, expected: str | None) -> None:
    assert unknown_model_reading(answer).value == expected
