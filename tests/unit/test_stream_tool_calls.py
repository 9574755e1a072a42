"""Streamed tool calls: pieces with or without ``index``, strict whole messages,
and distinct v1 block indices (``StreamParser``, ``ToolCallAssembler``)."""

from typing import Any

from langchain_core.messages import AIMessageChunk

from langchain_kimi.model_specs import THINKING_MODEL, get_model_spec
from langchain_kimi.protocols.types import Delta, ToolCallPiece
from langchain_kimi.response.parse import StreamParser

SPEC = get_model_spec(THINKING_MODEL)


def piece(
    arguments: str = "",
    *,
    index: int | None = None,
    id: str | None = None,
    name: str | None = None,
) -> Delta:
    return Delta(
        tool_calls=[ToolCallPiece(index=index, id=id, name=name, arguments=arguments)]
    )


def run(
    deltas: list[Delta], **options: Any
) -> tuple[StreamParser, list[AIMessageChunk]]:
    parser = StreamParser(SPEC, keep=True, **options)
    chunks = [c for c in (parser.feed(d) for d in deltas) if c is not None]
    chunks.append(parser.finish())
    return parser, chunks


def summed(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    return total


FINISH = Delta(finish_reason="tool_calls")


def test_pieces_without_index_new_id_starts_a_call_empty_id_extends() -> None:
    parser, chunks = run(
        [
            piece(id="a", name="f"),
            piece('{"x": ', id=""),
            piece("1}"),
            piece(id="b", name="g"),
            piece('{"y": 2}', id=""),
            FINISH,
        ]
    )
    expected = [("f", {"x": 1}, "a"), ("g", {"y": 2}, "b")]
    message = parser.ai_message()
    assert [(c["name"], c["args"], c["id"]) for c in message.tool_calls] == expected
    total = summed(chunks)
    assert [(c["name"], c["args"], c["id"]) for c in total.tool_calls] == expected


def test_a_piece_repeating_its_calls_id_extends_that_call() -> None:
    parser, _ = run(
        [
            piece('{"x"', id="a", name="f"),
            piece(": 1}", id="a", name="f"),
            FINISH,
        ]
    )
    assert [(c["name"], c["args"]) for c in parser.ai_message().tool_calls] == [
        ("f", {"x": 1})
    ]


def test_indexed_pieces_merge_by_index_even_when_interleaved() -> None:
    parser, chunks = run(
        [
            piece(index=0, id="a", name="f"),
            piece(index=1, id="b", name="g"),
            piece('{"x": 1}', index=0),
            piece("{}", index=1),
            FINISH,
        ]
    )
    for message in (parser.ai_message(), summed(chunks)):
        assert [(c["name"], c["args"]) for c in message.tool_calls] == [
            ("f", {"x": 1}),
            ("g", {}),
        ]


def test_cut_arguments_are_invalid_in_the_built_message() -> None:
    parser, chunks = run([piece('{"city": "Beij', index=0, id="a", name="w"), FINISH])
    for message in (parser.ai_message(), parser.message(chunks[-1])):
        assert message.tool_calls == []
        assert message.invalid_tool_calls[0]["args"] == '{"city": "Beij'
        assert message.invalid_tool_calls[0]["name"] == "w"
    # a user's own sum follows langchain-core's partial-JSON rule
    assert summed(chunks).tool_calls[0]["args"] == {"city": "Beij"}


def test_non_object_arguments_are_invalid() -> None:
    parser, _ = run([piece("[1, 2]", index=0, id="a", name="w"), FINISH])
    assert parser.ai_message().invalid_tool_calls[0]["error"]


def test_message_for_callbacks_keeps_the_merged_pieces() -> None:
    parser, chunks = run([piece('{"x": 1}', index=3, id="a", name="f"), FINISH])
    message = parser.message(chunks[-1])
    assert message.tool_call_chunks == [
        {
            "name": "f",
            "args": '{"x": 1}',
            "id": "a",
            "index": 0,
            "type": "tool_call_chunk",
        }
    ]
    assert message.tool_calls[0]["args"] == {"x": 1}


def test_v1_gives_reasoning_text_and_each_call_its_own_index() -> None:
    _, chunks = run(
        [
            Delta(reasoning_content="think "),
            Delta(reasoning_content="more"),
            Delta(content="Let me "),
            Delta(content="check."),
            piece(index=0, id="a", name="f"),
            piece('{"x": 1}', index=0),
            piece("{}", index=1, id="b", name="g"),
            FINISH,
        ],
        v1=True,
    )
    total = summed(chunks)
    blocks = total.content_blocks
    assert [(b["type"], b.get("index")) for b in blocks] == [
        ("reasoning", 0),
        ("text", 1),
        ("tool_call", None),
        ("tool_call", None),
    ]
    assert blocks[0]["reasoning"] == "think more"  # type: ignore[typeddict-item]
    assert [(c["name"], c["args"]) for c in total.tool_calls] == [
        ("f", {"x": 1}),
        ("g", {}),
    ]


def test_v1_text_after_a_tool_call_starts_a_new_run() -> None:
    _, chunks = run(
        [
            Delta(content="a"),
            piece("{}", index=0, id="c", name="f"),
            Delta(content="b"),
            FINISH,
        ],
        v1=True,
    )
    indices = [
        block["index"]
        for chunk in chunks
        if isinstance(chunk.content, list)
        for block in chunk.content
        if isinstance(block, dict)
    ]
    assert indices == [0, 1, 2]
