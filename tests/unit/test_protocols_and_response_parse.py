import pytest
from langchain_core.messages import AIMessageChunk

from langchain_kimi.errors import IncompleteStreamError
from langchain_kimi.model_specs import THINKING_MODEL, get_model_spec
from langchain_kimi.protocols import native, openai
from langchain_kimi.response.parse import StreamParser, parse_tool_call, to_ai_message

SPEC = get_model_spec(THINKING_MODEL)


def test_usage_from_both_protocols() -> None:
    compatible = openai.usage(
        {
            "prompt_tokens": 8,
            "completion_tokens": 183,
            "total_tokens": 191,
            "completion_tokens_details": {"reasoning_tokens": 120},
        }
    )
    native_usage = native.usage({"input_tokens": 9, "output_tokens": 156})
    assert compatible == {
        "input_tokens": 8,
        "output_tokens": 183,
        "total_tokens": 191,
        "reasoning_tokens": 120,
    }
    assert native_usage == {
        "input_tokens": 9,
        "output_tokens": 156,
        "total_tokens": 165,
    }


def test_completion_to_message_with_reasoning_usage_and_cost() -> None:
    body = {
        "id": "chatcmpl-1",
        "model": THINKING_MODEL,
        "choices": [
            {
                "message": {"content": "I am Kimi", "reasoning_content": "who?"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 8, "completion_tokens": 183, "total_tokens": 191},
    }
    message = to_ai_message(openai.parse_response(body, None), SPEC)
    assert message.content == "I am Kimi"
    assert message.additional_kwargs["reasoning_content"] == "who?"
    assert message.usage_metadata == {
        "input_tokens": 8,
        "output_tokens": 183,
        "total_tokens": 191,
    }
    meta = message.response_metadata
    assert meta["finish_reason"] == "stop" and meta["id"] == "chatcmpl-1"
    assert meta["cost_usd"] == pytest.approx((8 * 0.574 + 183 * 2.294) / 1e6)
    assert message.content_blocks[0] == {"type": "reasoning", "reasoning": "who?"}


def test_native_response_to_message() -> None:
    body = {
        "output": {
            "choices": [
                {"finish_reason": "stop", "message": {"content": "hi", "role": "x"}}
            ]
        },
        "usage": {"input_tokens": 9, "output_tokens": 156, "total_tokens": 165},
        "request_id": "rid",
    }
    message = to_ai_message(native.parse_response(body), SPEC)
    assert message.content == "hi"
    assert message.response_metadata["request_id"] == "rid"
    assert message.usage_metadata is not None
    assert message.usage_metadata["total_tokens"] == 165


def test_bad_tool_arguments_become_invalid_tool_calls() -> None:
    assert (
        parse_tool_call({"id": "1", "name": "f", "arguments": "{oops"})["type"]
        == "invalid_tool_call"
    )
    assert parse_tool_call({"id": "1", "name": "f", "arguments": ""})["args"] == {}
    assert (
        parse_tool_call({"id": "1", "name": "f", "arguments": "[1]"})["type"]
        == "invalid_tool_call"
    )


def test_usage_read_from_finishing_choice_or_trailing_chunk() -> None:
    in_choice = openai.parse_chunk(
        {
            "choices": [
                {
                    "delta": {},
                    "finish_reason": "stop",
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1},
                }
            ]
        }
    )
    trailing = openai.parse_chunk(
        {"choices": [], "usage": {"prompt_tokens": 2, "completion_tokens": 0}}
    )
    assert in_choice["usage"]["input_tokens"] == 1
    assert in_choice["finish_reason"] == "stop"
    assert trailing["usage"]["input_tokens"] == 2


def test_native_event_null_finish_reason_is_not_a_finish() -> None:
    event = {
        "output": {"choices": [{"finish_reason": "null", "message": {"content": "a"}}]},
        "usage": {"input_tokens": 1, "output_tokens": 1},
        "request_id": "r",
    }
    delta = native.parse_event(event)
    assert "finish_reason" not in delta and delta["content"] == "a"


def _stream(deltas: list[dict]) -> AIMessageChunk:
    parser = StreamParser(SPEC)
    chunks = [c for c in (parser.feed(d) for d in deltas) if c is not None]
    chunks.append(parser.finish())
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    return total


def test_stream_sums_reasoning_content_and_reports_usage_once() -> None:
    usage = {"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}
    total = _stream(
        [
            {"id": "x", "reasoning_content": "th"},
            {"reasoning_content": "ink"},
            {"content": "an"},
            {"content": "swer", "finish_reason": "stop", "usage": usage},
            {"usage": usage},
        ]
    )
    assert total.content == "answer"
    assert total.additional_kwargs["reasoning_content"] == "think"
    assert total.usage_metadata == usage
    assert total.response_metadata["finish_reason"] == "stop"


def test_stream_tool_call_pieces_sum_to_calls() -> None:
    total = _stream(
        [
            {"tool_calls": [{"index": 0, "id": "a", "name": "f", "arguments": ""}]},
            {"tool_calls": [{"index": 1, "id": "b", "name": "g", "arguments": "{}"}]},
            {
                "tool_calls": [
                    {"index": 0, "id": None, "name": None, "arguments": '{"x"'}
                ]
            },
            {
                "tool_calls": [
                    {"index": 0, "id": None, "name": None, "arguments": ": 1}"}
                ]
            },
            {"finish_reason": "tool_calls"},
        ]
    )
    assert [(c["name"], c["args"]) for c in total.tool_calls] == [
        ("f", {"x": 1}),
        ("g", {}),
    ]


def test_cut_stream_raises() -> None:
    parser = StreamParser(SPEC)
    parser.feed({"content": "half"})
    with pytest.raises(IncompleteStreamError, match="ended before"):
        parser.finish()
