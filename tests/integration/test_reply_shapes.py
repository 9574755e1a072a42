"""Replies shaped in ways the wire allows but clients rarely meet: tool calls
with object, numeric or missing arguments, a string ``function``, an integer
id; content as a list of parts; lone surrogates; finish reasons that are not
finishes; a UTF-8 BOM before the first event. Served byte for byte by a raw
loopback server, on both transports and all four call paths (streams are
read strictly through ``streaming=True`` invoke and also summed as chunks)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage

from langchain_kimi import ChatKimi
from langchain_kimi.errors import IncompleteReplyError, KimiError
from tests.integration.raw_server import (
    Request,
    base_url,
    raw_server,
    serve_message,
    stream_body,
    whole,
)

MODES = ["invoke", "ainvoke", "stream", "astream"]


def _model(server: Any, transport: str, **kwargs: Any) -> ChatKimi:
    return ChatKimi(
        api_key="sk-test",
        base_url=base_url(server, transport),
        transport=transport,
        max_retries=0,
        timeout=5,
        **kwargs,
    )


def reply(server: Any, transport: str, mode: str, prompt: Any = "hi") -> AIMessage:
    """The reply through ``mode``; streams are read by ChatKimi's strict
    whole-message parser (``streaming=True``), as ``invoke`` would."""
    streams = mode in ("stream", "astream")
    llm = _model(server, transport, **({"streaming": True} if streams else {}))
    if mode in ("invoke", "stream"):
        return llm.invoke(prompt)
    return asyncio.run(llm.ainvoke(prompt))


def summed(server: Any, transport: str, mode: str) -> AIMessageChunk:
    """A stream's chunks summed as a LangChain user sums them."""
    llm = _model(server, transport)

    async def collect() -> list[AIMessageChunk]:
        return [chunk async for chunk in llm.astream("hi")]

    chunks = list(llm.stream("hi")) if mode == "stream" else asyncio.run(collect())
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    return total


def _call(function: Any, call_id: Any = "call_1") -> dict[str, Any]:
    return {
        "content": "",
        "tool_calls": [
            {"index": 0, "id": call_id, "type": "function", "function": function}
        ],
    }


@pytest.mark.parametrize("mode", MODES)
def test_arguments_sent_as_an_object_are_the_arguments(
    transport: str, mode: str
) -> None:
    message = _call({"name": "weather", "arguments": {"city": "Paris"}})
    with raw_server(serve_message(message, finish="tool_calls")) as server:
        result = reply(server, transport, mode)
        assert result.tool_calls == [
            {
                "name": "weather",
                "args": {"city": "Paris"},
                "id": "call_1",
                "type": "tool_call",
            }
        ]
        if mode in ("stream", "astream"):
            assert summed(server, transport, mode).tool_calls[0]["args"] == {
                "city": "Paris"
            }


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "function",
    [
        {"name": "weather", "arguments": 42},
        {"name": "weather"},
        {"name": "weather", "arguments": [1]},
    ],
    ids=["number", "missing", "list"],
)
def test_arguments_that_are_not_a_json_string_make_an_invalid_call(
    transport: str, mode: str, function: dict[str, Any]
) -> None:
    with raw_server(serve_message(_call(function), finish="tool_calls")) as server:
        result = reply(server, transport, mode)
    assert result.tool_calls == []
    assert [call["name"] for call in result.invalid_tool_calls] == ["weather"]
    assert result.invalid_tool_calls[0]["error"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "call",
    [
        _call("weather"),
        _call({"name": "weather", "arguments": "{}"}, call_id=7),
        _call({"name": 5, "arguments": "{}"}),
    ],
    ids=["function-string", "integer-id", "integer-name"],
)
def test_malformed_tool_calls_are_invalid_calls_not_crashes(
    transport: str, mode: str, call: dict[str, Any]
) -> None:
    with raw_server(serve_message(call, finish="tool_calls")) as server:
        try:
            result = reply(server, transport, mode)
        except KimiError:
            return  # a KimiError is an acceptable answer too
    assert result.tool_calls == []
    assert len(result.invalid_tool_calls) == 1
    assert result.invalid_tool_calls[0]["error"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "parts",
    [
        [{"type": "text", "text": "Hello, "}, {"type": "text", "text": "world"}],
        [{"text": "Hello, "}, {"text": "world"}],
    ],
    ids=["compatible-parts", "native-parts"],
)
def test_content_as_a_list_of_parts_is_read_as_text(
    transport: str, mode: str, parts: list[dict[str, Any]]
) -> None:
    with raw_server(serve_message({"role": "assistant", "content": parts})) as server:
        result = reply(server, transport, mode)
    assert result.content == "Hello, world"


@pytest.mark.parametrize("mode", MODES)
def test_a_lone_surrogate_is_replaced_and_the_next_turn_works(
    transport: str, mode: str
) -> None:
    message = {"role": "assistant", "content": "a\ud800b"}
    with raw_server(serve_message(message)) as server:
        first = reply(server, transport, mode)
        assert first.content == "a\ufffdb"
        second = reply(
            server, transport, mode, [HumanMessage("hi"), first, HumanMessage("more")]
        )
        assert second.content == "a\ufffdb"


@pytest.mark.parametrize("mode", ["stream", "astream"])
@pytest.mark.parametrize("finish", ["null", 7], ids=["string-null", "number"])
def test_a_stream_without_a_real_finish_is_cut(
    transport: str, mode: str, finish: Any
) -> None:
    def script(request: Request, sock: Any) -> bool:
        body = stream_body(
            request,
            [{"content": "Hel"}, {"content": "lo"}],
            finish=finish,
            pending=finish,
        )
        sock.sendall(whole(200, body, "text/event-stream"))
        return True

    with raw_server(script) as server:
        with pytest.raises(IncompleteReplyError):
            summed(server, transport, mode)
        with pytest.raises(IncompleteReplyError):
            reply(server, transport, mode)


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_a_whole_reply_with_a_numeric_finish_is_cut(transport: str, mode: str) -> None:
    with (
        raw_server(serve_message({"content": "Hello"}, finish=7)) as server,
        pytest.raises(IncompleteReplyError),
    ):
        reply(server, transport, mode)


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_a_bom_before_the_first_event_keeps_the_first_event(
    transport: str, mode: str
) -> None:
    def script(request: Request, sock: Any) -> bool:
        body = stream_body(request, [{"content": "Hel"}, {"content": "lo"}])
        sock.sendall(whole(200, b"\xef\xbb\xbf" + body, "text/event-stream"))
        return True

    with raw_server(script) as server:
        assert summed(server, transport, mode).content == "Hello"
        assert reply(server, transport, mode).content == "Hello"


def test_the_raw_server_answers_like_the_service(transport: str) -> None:
    """The helper's own check: a plain reply reads back on every path."""
    script = serve_message({"role": "assistant", "content": "plain"})
    with raw_server(script) as server:
        for mode in MODES:
            assert reply(server, transport, mode).content == "plain"
