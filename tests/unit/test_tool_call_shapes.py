"""Wire shapes of tool calls and text read into the normalized ones (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_kimi.protocols.common import finish_of
from langchain_kimi.protocols.shapes import (
    clean,
    clean_json,
    message_text,
    tool_call_pieces,
    whole_tool_calls,
)
from langchain_kimi.protocols.sse import LineSplitter


def _call(function: Any, call_id: Any = "c1") -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": function}


def test_object_arguments_are_serialized_as_the_arguments() -> None:
    [call] = whole_tool_calls([_call({"name": "f", "arguments": {"city": "Paris"}})])
    assert call == {"id": "c1", "name": "f", "arguments": '{"city": "Paris"}'}


@pytest.mark.parametrize(
    "raw",
    [
        _call({"name": "f", "arguments": 3}),
        _call({"name": "f"}),
        _call("f"),
        _call({"name": "f", "arguments": "{}"}, call_id=7),
        _call({"name": 5, "arguments": "{}"}),
    ],
    ids=["number", "missing", "function-string", "integer-id", "integer-name"],
)
def test_wrong_shapes_carry_an_error(raw: dict[str, Any]) -> None:
    [call] = whole_tool_calls([raw])
    assert call["error"].startswith("The tool call")
    assert isinstance(call["arguments"], str)


def test_a_streamed_piece_without_arguments_is_only_marked() -> None:
    [piece] = tool_call_pieces([{"index": 0, "id": "c1", "function": {"name": "f"}}])
    assert piece.get("no_arguments") is True and "error" not in piece


def test_content_parts_are_read_as_text() -> None:
    parts = [{"type": "text", "text": "a"}, {"type": "image_url"}, {"text": "b"}]
    assert message_text(parts) == "ab"


def test_lone_surrogates_are_replaced_everywhere() -> None:
    assert clean("a\ud800b\udfff") == "a\ufffdb\ufffd"
    assert clean("ok \U0001f600") == "ok \U0001f600"
    assert clean_json({"k\udc00": ["\ud800"]}) == {"k\ufffd": ["\ufffd"]}


@pytest.mark.parametrize("finish", [None, "", "null", 7, 0.5, True])
def test_only_a_reasons_name_is_a_finish(finish: Any) -> None:
    assert finish_of({"finish_reason": finish}) is None


def test_a_bom_before_the_first_line_is_dropped_once() -> None:
    splitter = LineSplitter()
    assert splitter.feed(b"\xef\xbb\xbfdata: 1\n") == [b"data: 1"]
    assert splitter.feed(b"\xef\xbb\xbfdata: 2\n") == [b"\xef\xbb\xbfdata: 2"]
