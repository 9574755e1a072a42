"""The one shape both protocols' replies are parsed into (incoming direction).

Each protocol module turns its own JSON into these typed dicts, so everything
after the transport (response parsing, the stream pump, callbacks) is written
once. mypy holds the contract: a protocol that forgets a key, or a consumer
that reads one that is not there, fails type checking.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict


class Usage(TypedDict):
    """Token counts in LangChain's names, whichever protocol reported them."""

    input_tokens: int
    output_tokens: int
    total_tokens: int
    reasoning_tokens: NotRequired[int]
    cached_tokens: NotRequired[int]
    cache_creation_tokens: NotRequired[int]


class ToolCall(TypedDict):
    """One whole tool call; ``arguments`` is the JSON text as the model wrote it
    (an object sent as JSON is serialized back to text). ``error`` says why
    the call is unusable when the wire shape was not the protocol's (arguments
    missing or neither text nor an object, ``function`` not an object, an id
    or name that is not a string): it becomes an invalid tool call."""

    id: str | None
    name: str
    arguments: str
    error: NotRequired[str]


class ToolCallPiece(TypedDict):
    """One streamed piece of a tool call.

    ``index`` is ``None`` when the service sent none; the stream parser then
    keys the piece by its ``id`` (a new id starts a call, no id extends the
    latest one).
    """

    index: int | None
    id: str | None
    name: str | None
    arguments: str
    #: The piece's wire shape was wrong (see ``ToolCall.error``).
    error: NotRequired[str]
    #: The piece had no ``arguments`` (normal for a first piece; a call none
    #: of whose pieces has any is invalid).
    no_arguments: NotRequired[bool]


class Result(TypedDict):
    """One whole reply."""

    id: str | None
    request_id: str | None
    model: str | None
    content: str
    reasoning_content: str | None
    tool_calls: list[ToolCall]
    finish_reason: str | None
    usage: Usage | None


class Delta(TypedDict, total=False):
    """One streamed event; each key is present only when the event carries it."""

    id: str | None
    request_id: str | None
    model: str | None
    content: str
    reasoning_content: str
    tool_calls: list[ToolCallPiece]
    finish_reason: str
    usage: Usage


class ErrorInfo(TypedDict):
    """What an error body says, whichever protocol or framing carried it."""

    code: str | None
    message: str
    request_id: str | None
