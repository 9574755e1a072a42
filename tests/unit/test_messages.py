import pytest
from langchain_core.messages import (
    AIMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_kimi.request.messages import to_request_messages, with_system_instruction

M = "kimi-k2-thinking"


def _tool_turn(reasoning: str = "think") -> AIMessage:
    return AIMessage(
        content="",
        additional_kwargs={"reasoning_content": reasoning},
        tool_calls=[{"name": "add", "args": {"a": 1}, "id": "c1", "type": "tool_call"}],
    )


def test_roles_names_and_text_blocks() -> None:
    wire = to_request_messages(
        [
            SystemMessage("sys"),
            HumanMessage(
                [{"type": "text", "text": "a"}, "b"],
                name="bob",
            ),
        ],
        M,
    )
    assert wire == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "ab", "name": "bob"},
    ]


def test_tool_call_turn_keeps_reasoning_and_calls() -> None:
    wire = to_request_messages(
        [HumanMessage("q"), _tool_turn(), ToolMessage("2", tool_call_id="c1")], M
    )
    assistant = wire[1]
    assert assistant["reasoning_content"] == "think"
    assert assistant["tool_calls"] == [
        {
            "id": "c1",
            "type": "function",
            "function": {"name": "add", "arguments": '{"a": 1}'},
        }
    ]
    assert wire[2] == {"role": "tool", "content": "2", "tool_call_id": "c1"}


def test_finished_turn_reasoning_dropped_by_default() -> None:
    answer = AIMessage("done", additional_kwargs={"reasoning_content": "why"})
    wire = to_request_messages([HumanMessage("q"), answer, HumanMessage("q2")], M)
    assert "reasoning_content" not in wire[1]


@pytest.mark.parametrize(("keep", "expected"), [("all", True), ("none", False)])
def test_keep_reasoning_policy(keep: str, expected: bool) -> None:
    answer = AIMessage("done", additional_kwargs={"reasoning_content": "why"})
    messages = [HumanMessage("q"), answer, HumanMessage("q"), _tool_turn()]
    messages.append(ToolMessage("r", tool_call_id="c1"))
    wire = to_request_messages(messages, M, keep)  # type: ignore[arg-type]
    assert ("reasoning_content" in wire[1]) is expected
    assert ("reasoning_content" in wire[3]) is expected


def test_reasoning_blocks_in_content_are_sent_back() -> None:
    turn = AIMessage(
        content=[{"type": "reasoning", "reasoning": "block thought"}],
        tool_calls=[{"name": "f", "args": {}, "id": "c9", "type": "tool_call"}],
    )
    wire = to_request_messages(
        [HumanMessage("q"), turn, ToolMessage("x", tool_call_id="c9")], M
    )
    assert wire[1]["reasoning_content"] == "block thought"
    assert wire[1]["content"] == ""


@pytest.mark.parametrize("kind", ["image_url", "image", "audio", "video", "file"])
def test_media_blocks_are_refused(kind: str) -> None:
    with pytest.raises(ValueError, match=f"{M} accepts text only.*'{kind}'"):
        to_request_messages([HumanMessage([{"type": kind, "url": "x"}])], M)


def test_tool_message_list_content_and_error_status() -> None:
    wire = to_request_messages(
        [
            HumanMessage("q"),
            _tool_turn(),
            ToolMessage(
                [{"type": "text", "text": "boom"}], tool_call_id="c1", status="error"
            ),
        ],
        M,
    )
    assert wire[2]["content"] == "Error: boom"


def test_orphan_tool_message_is_refused() -> None:
    with pytest.raises(ValueError, match="tool_call_id='nope'"):
        to_request_messages(
            [HumanMessage("q"), ToolMessage("x", tool_call_id="nope")], M
        )


def test_partial_flag_is_sent() -> None:
    wire = to_request_messages(
        [HumanMessage("q"), AIMessage("Once", additional_kwargs={"partial": True})], M
    )
    assert wire[-1]["partial"] is True


def test_system_instruction_merges_into_leading_system_message() -> None:
    merged = with_system_instruction([{"role": "system", "content": "S"}], "JSON!")
    assert merged == [{"role": "system", "content": "S\n\nJSON!"}]
    added = with_system_instruction([{"role": "user", "content": "u"}], "JSON!")
    assert added[0] == {"role": "system", "content": "JSON!"}
