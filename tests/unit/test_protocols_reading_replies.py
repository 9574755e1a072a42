"""Reading replies from bytes (pure): completeness, in-band errors, SSE lines,
usage that does not parse, and the input checks made before any request."""

import json
from typing import Any

import pytest
from langchain_core.messages import ChatMessage, HumanMessage

from langchain_kimi.errors import (
    ContentModerationError,
    IncompleteResponseError,
    InvalidResponseError,
    RateLimitError,
)
from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL, get_model_spec
from langchain_kimi.protocols import native, openai
from langchain_kimi.protocols.sse import LineSplitter
from langchain_kimi.request.build import build_request
from langchain_kimi.request.checks import check_params
from langchain_kimi.response.parse import to_ai_message


def _compat(choices: Any, usage: Any = None) -> bytes:
    return json.dumps({"id": "c1", "choices": choices, "usage": usage}).encode()


def _native(choices: Any, usage: Any = None) -> bytes:
    return json.dumps(
        {"output": {"choices": choices}, "usage": usage, "request_id": "r1"}
    ).encode()


@pytest.mark.parametrize(
    "body",
    [
        _compat([]),
        _compat(None),
        _compat([{"message": {"content": "cut"}, "finish_reason": None}]),
        _native([]),
        _native([{"message": {"content": "cut"}, "finish_reason": "null"}]),
    ],
)
def test_a_whole_reply_without_choices_or_finish_reason_is_incomplete(
    body: bytes,
) -> None:
    parse = native.parse_reply if b"output" in body else openai.parse_reply
    with pytest.raises(IncompleteResponseError):
        parse(body, "rid")


def test_finish_reason_length_is_complete() -> None:
    result = openai.parse_reply(
        _compat([{"message": {"content": "long"}, "finish_reason": "length"}]), None
    )
    assert (result["content"], result["finish_reason"]) == ("long", "length")


@pytest.mark.parametrize(
    ("parse", "body"),
    [
        (openai.parse_reply, b"<html>hi</html>"),
        (openai.parse_reply, b'{"choices": ['),
        (openai.parse_reply, b"[1, 2]"),
        (native.parse_reply, b"\xff\xfe"),
        (native.parse_reply, b'"text"'),
    ],
)
def test_a_body_that_is_not_a_json_object_is_invalid(parse: Any, body: bytes) -> None:
    with pytest.raises(InvalidResponseError) as info:
        parse(body, "rid")
    assert info.value.status_code == 200 and info.value.request_id == "rid"


def test_a_200_body_that_is_an_error_object_raises_it() -> None:
    compat = b'{"error": {"code": "data_inspection_failed", "message": "No."}}'
    with pytest.raises(ContentModerationError, match="No"):
        openai.parse_reply(compat, "rid")
    flat = b'{"code": "Throttling.RateQuota", "message": "Slow.", "request_id": "r"}'
    with pytest.raises(RateLimitError) as info:
        native.parse_reply(flat, None)
    assert info.value.request_id == "r" and info.value.status_code is None


@pytest.mark.parametrize(
    "usage",
    [
        None,
        {"prompt_tokens": None, "completion_tokens": None},
        {"prompt_tokens": "many", "completion_tokens": "3"},
        "twelve",
    ],
)
def test_usage_that_does_not_parse_is_left_out_not_zero(usage: Any) -> None:
    body = _compat([{"message": {"content": "ok"}, "finish_reason": "stop"}], usage)
    message = to_ai_message(
        openai.parse_reply(body, None), get_model_spec(THINKING_MODEL)
    )
    assert message.content == "ok"
    assert message.usage_metadata is None
    assert "cost_usd" not in message.response_metadata


def test_usage_numbers_in_strings_are_read() -> None:
    body = _native(
        [{"message": {"content": "ok"}, "finish_reason": "stop"}],
        {"input_tokens": "12", "output_tokens": 3.0},
    )
    assert native.parse_reply(body, None)["usage"] == {
        "input_tokens": 12,
        "output_tokens": 3,
        "total_tokens": 15,
    }


def test_stream_lines_error_events_and_unreadable_events() -> None:
    reader = openai.LineReader("rid")
    assert reader.read(b": heartbeat") is None
    assert reader.read(b"") is None
    delta = reader.read(
        b'data: {"choices": [{"delta": {"content": "a\xe2\x80\xa8b"}}]}'
    )
    assert delta is not None and delta["content"] == "a\u2028b"
    with pytest.raises(ContentModerationError):
        reader.read(b'data: {"error": {"code": "data_inspection_failed"}}')
    for line in (b"data: [1, 2]", b"data: {cut", b'data: {"a": "\xff"}'):
        with pytest.raises(InvalidResponseError):
            reader.read(line)
    assert reader.read(b"data: [DONE]") is None and reader.done


def test_native_sdk_events_reporting_errors() -> None:
    event = {
        "status_code": 400,
        "code": "Throttling",
        "message": "m",
        "request_id": "r",
    }
    with pytest.raises(RateLimitError) as info:
        native.checked(event)
    assert info.value.status_code is None  # in-band: the SDK's 400 means nothing
    unreadable = {"status_code": 400, "code": "Unknown", "message": "{cut"}
    with pytest.raises(InvalidResponseError):
        native.checked(unreadable)


def test_line_splitter_splits_on_cr_lf_only_and_holds_nothing_back() -> None:
    splitter = LineSplitter()
    line = "data: a\u2028b\x85c\u2029d".encode()  # str.splitlines() would split it
    assert list(splitter.feed(line)) == []
    assert list(splitter.feed(b"\r")) == [line]
    assert list(splitter.feed(b"\nnext\r\nlast\n\n")) == [b"next", b"last", b""]
    assert list(splitter.feed(b"partial")) == []  # an unfinished line stays unsaid


def test_line_splitter_keeps_a_long_line_whole() -> None:
    splitter = LineSplitter()
    line = b"data: " + b"x" * 1_000_000
    pieces = [line[i : i + 4096] for i in range(0, len(line), 4096)]
    out = [got for piece in pieces for got in splitter.feed(piece)]
    assert out == [] and list(splitter.feed(b"\n")) == [line]


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"])
def test_line_splitter_joins_a_line_from_many_small_reads(end: bytes) -> None:
    splitter = LineSplitter()
    data = b"data: " + b"y" * 100_000 + end + b"next" + end
    out = [
        got for i in range(0, len(data), 7) for got in splitter.feed(data[i : i + 7])
    ]
    if end == b"\r":  # a lone CR ends the line; the last needs what follows
        out += splitter.feed(b"\n")
    assert out == [data[: data.index(end)], b"next"]


#: The longest SSE line, its LF included (README: past 8 MiB is invalid).
MAX_LINE = 8 * 2**20


@pytest.mark.parametrize("piece", [None, 65536], ids=["one-read", "64KiB-reads"])
@pytest.mark.parametrize("end", [b"\n", b"\r\n"])
def test_line_splitter_reads_8_mib_lines_and_refuses_longer(
    piece: int | None, end: bytes
) -> None:
    def lines(data: bytes) -> list[bytes]:
        splitter = LineSplitter()
        size = piece or len(data)
        return [
            got
            for i in range(0, len(data), size)
            for got in splitter.feed(data[i : i + size])
        ]

    longest = b"x" * (MAX_LINE - 1)
    assert lines(b"a\n" + longest + end + b"b\n") == [b"a", longest, b"b"]
    with pytest.raises(InvalidResponseError, match="8 MiB"):
        lines(b"a\n" + longest + b"x" + end)


def test_line_splitter_refuses_a_line_too_long_before_its_end() -> None:
    splitter = LineSplitter()
    for _ in range(MAX_LINE // 2**20 - 1):
        assert splitter.feed(b"z" * 2**20) == []
    with pytest.raises(InvalidResponseError):
        splitter.feed(b"z" * 2**20)  # 8 MiB and no end yet: its LF would pass it


def _build(messages: Any = None, model: str = INSTRUCT_MODEL, **params: Any) -> Any:
    return build_request(
        [HumanMessage("hi")] if messages is None else messages,
        {},
        params,
        model=model,
        stop=None,
        stream=False,
        stream_usage=True,
        keep_reasoning="tool_calls",
    )


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"max_tokens": 0}, "max_tokens"),
        ({"max_tokens": 1.5}, "max_tokens"),
        ({"temperature": 2.0}, "temperature"),
        ({"temperature": -0.1}, "temperature"),
        ({"top_p": 0}, "top_p"),
        ({"top_p": 1.01}, "top_p"),
        ({"n": 2}, "n"),
        ({"n": 0}, "n"),
        ({"presence_penalty": 3}, "presence_penalty"),
    ],
)
def test_out_of_range_parameters_are_refused(params: dict, named: str) -> None:
    with pytest.raises(ValueError, match=rf"\({named}\)"):
        _build(**params)


def test_in_range_parameters_pass() -> None:
    request = _build(max_tokens=1, temperature=0, top_p=1, n=1)
    assert request.params == {"max_tokens": 1, "temperature": 0, "top_p": 1, "n": 1}
    check_params(get_model_spec(THINKING_MODEL), {"temperature": 1.99})


def test_ranges_hold_for_unknown_models_too() -> None:
    with pytest.raises(ValueError, match="temperature"):
        _build(model="kimi-future", temperature=5)
    assert _build(model="kimi-future", n=3).params["n"] == 3  # its own limits unknown


def test_empty_message_list_and_unknown_roles_are_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        _build([])
    with pytest.raises(ValueError, match="wizard"):
        _build([ChatMessage(role="wizard", content="hi")])
