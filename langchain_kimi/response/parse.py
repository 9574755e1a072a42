"""Response parsing: normalized results and deltas to LangChain messages (pure).

The per-delta path (``StreamParser.feed``) does only what the delta carries:
no SDK objects, no dumping, no re-validation of what was already built.
``chunks`` / ``achunks`` pump a transport's deltas through a parser; they are
the only difference between the sync and async stream paths.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Iterator
from contextlib import aclosing
from typing import Any, cast

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    InvalidToolCall,
    ToolCallChunk,
)
from langchain_core.messages import ToolCall as LCToolCall
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call

from langchain_kimi.errors import IncompleteStreamError
from langchain_kimi.model_specs import KimiModelSpec
from langchain_kimi.protocols.shapes import clean_json
from langchain_kimi.protocols.types import Delta, Result, ToolCall, ToolCallPiece, Usage
from langchain_kimi.response.tool_calls import ToolCallAssembler

MODEL_PROVIDER = "dashscope"
#: v1 chunks hold their content blocks already: LangChain takes them as they are.
_V1 = {"output_version": "v1"}


def usage_metadata(usage: Usage) -> UsageMetadata:
    """Normalized usage to LangChain's ``UsageMetadata``."""
    metadata = cast(
        "UsageMetadata",
        {
            "input_tokens": usage["input_tokens"],
            "output_tokens": usage["output_tokens"],
            "total_tokens": usage["total_tokens"],
        },
    )
    if "reasoning_tokens" in usage:
        metadata["output_token_details"] = {"reasoning": usage["reasoning_tokens"]}
    if "cached_tokens" in usage:
        metadata["input_token_details"] = {"cache_read": usage["cached_tokens"]}
        if "cache_creation_tokens" in usage:
            created = usage["cache_creation_tokens"]
            metadata["input_token_details"]["cache_creation"] = created
    return metadata


def response_metadata(
    spec: KimiModelSpec,
    *,
    model: str | None,
    finish_reason: str | None,
    response_id: str | None,
    request_id: str | None,
    usage: Usage | None,
) -> dict[str, Any]:
    """The response metadata ChatKimi documents, with the call's cost in USD."""
    metadata: dict[str, Any] = {
        "model_name": model or spec.model,
        "model_provider": MODEL_PROVIDER,
        "finish_reason": finish_reason,
        "id": response_id,
        "request_id": request_id,
    }
    if usage is not None:
        cost = spec.cost_usd(usage["input_tokens"], usage["output_tokens"])
        if cost is not None:
            metadata["cost_usd"] = round(cost, 10)
    return metadata


def parse_tool_call(call: ToolCall) -> LCToolCall | InvalidToolCall:
    """One whole tool call; arguments that are not a JSON object, or a wrong
    wire shape (``error``), make it invalid."""
    arguments = call["arguments"]
    if "error" in call:
        return invalid_tool_call(
            name=call["name"] or None,
            args=arguments,
            id=call["id"],
            error=call["error"],
        )
    try:
        args = clean_json(json.loads(arguments)) if arguments.strip() else {}
    except (ValueError, RecursionError) as exc:
        return invalid_tool_call(
            name=call["name"], args=arguments, id=call["id"], error=str(exc)
        )
    if not isinstance(args, dict):
        return invalid_tool_call(
            name=call["name"],
            args=arguments,
            id=call["id"],
            error="tool arguments are not a JSON object",
        )
    return tool_call(name=call["name"], args=args, id=call["id"])


def split_tool_calls(
    raw: list[ToolCall],
) -> tuple[list[LCToolCall], list[InvalidToolCall]]:
    """Whole tool calls parsed, as LangChain's valid and invalid lists."""
    calls: list[LCToolCall] = []
    invalid: list[InvalidToolCall] = []
    for call in raw:
        parsed = parse_tool_call(call)
        if parsed["type"] == "invalid_tool_call":
            invalid.append(parsed)
        else:
            calls.append(parsed)
    return calls, invalid


def to_ai_message(result: Result, spec: KimiModelSpec) -> AIMessage:
    """A normalized whole result to an ``AIMessage``."""
    additional: dict[str, Any] = {}
    if result["reasoning_content"]:
        additional["reasoning_content"] = result["reasoning_content"]
    calls, invalid = split_tool_calls(result["tool_calls"])
    usage = result["usage"]
    return AIMessage(
        content=result["content"],
        additional_kwargs=additional,
        tool_calls=calls,
        invalid_tool_calls=invalid,
        usage_metadata=usage_metadata(usage) if usage else None,
        response_metadata=response_metadata(
            spec,
            model=result["model"],
            finish_reason=result["finish_reason"],
            response_id=result["id"],
            request_id=result["request_id"],
            usage=usage,
        ),
        id=result["id"],
    )


class StreamParser:
    """Turns a stream of normalized deltas into ``AIMessageChunk`` objects.

    One chunk per delta that carries text, reasoning or tool-call pieces; then
    ``finish()`` gives the last chunk with usage (reported once, whichever
    place the service put it) and response metadata. A stream that never
    reached a finish reason is cut, and ``finish()`` raises.

    Tool-call pieces are put together by ``tool_calls.ToolCallAssembler``
    (by wire index, else by id), and each chunk carries its call's own
    position as its index. With ``v1``
    (``output_version="v1"``) every reasoning run, text run and tool call gets
    its own block index, so LangChain's merge keeps them apart.

    With ``keep``, the parser also keeps the text it has seen, so
    ``message()`` / ``ai_message()`` can give the whole reply (for callbacks
    and ``invoke``) without anyone holding on to every chunk. Those messages
    parse tool arguments strictly, as a whole reply's are: arguments that are
    not a complete JSON object make an ``invalid_tool_calls`` entry.
    """

    __slots__ = (
        "_blocks",
        "_calls",
        "_content",
        "_keep",
        "_last",
        "_reasoning",
        "_report_usage",
        "_run",
        "_run_index",
        "_spec",
        "_v1",
        "finish_reason",
        "message_id",
        "model",
        "request_id",
        "response_id",
        "usage",
    )

    def __init__(
        self,
        spec: KimiModelSpec,
        *,
        report_usage: bool = True,
        message_id: str | None = None,
        keep: bool = False,
        v1: bool = False,
    ) -> None:
        self._spec = spec
        self._keep = keep
        self._report_usage = report_usage
        self.message_id = message_id
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.response_id: str | None = None
        self.request_id: str | None = None
        self.model: str | None = None
        self._content: list[str] = []
        self._reasoning: list[str] = []
        self._v1 = v1
        self._calls = ToolCallAssembler(self._next_block if v1 else None)
        self._blocks = 0
        self._run: str | None = None
        self._run_index = 0
        self._last: AIMessageChunk | None = None

    def feed(self, delta: Delta) -> AIMessageChunk | None:
        """Record a delta's metadata; return its chunk, if it carries content."""
        if self.response_id is None:
            self.response_id = delta.get("id")
            self.model = delta.get("model")
            self.request_id = delta.get("request_id", self.request_id)
        if "finish_reason" in delta:
            self.finish_reason = delta["finish_reason"]
        if "usage" in delta:
            self.usage = delta["usage"]
        content = delta.get("content", "")
        reasoning = delta.get("reasoning_content", "")
        pieces = delta.get("tool_calls")
        if not (content or reasoning or pieces):
            return None
        if self._keep:
            if content:
                self._content.append(content)
            if reasoning:
                self._reasoning.append(reasoning)
        additional = {"reasoning_content": reasoning} if reasoning else {}
        blocks = self._v1_blocks(reasoning, content) if self._v1 else None
        calls = [self._piece(piece) for piece in pieces] if pieces else []
        if blocks is None:
            return AIMessageChunk(
                content=content,
                additional_kwargs=additional,
                tool_call_chunks=calls,
                id=self.message_id,
            )
        blocks.extend({**call, "type": "tool_call_chunk"} for call in calls)
        return AIMessageChunk(
            content=blocks,
            additional_kwargs=additional,
            tool_call_chunks=calls,
            response_metadata=_V1,
            id=self.message_id,
        )

    def _next_block(self) -> int:
        self._blocks += 1
        return self._blocks - 1

    def _run_block(self, kind: str) -> int:
        """The block index of the current run of ``kind`` (a new run: a new one)."""
        if self._run != kind:
            self._run = kind
            self._run_index = self._next_block()
        return self._run_index

    def _v1_blocks(self, reasoning: str, content: str) -> list[Any]:
        blocks: list[Any] = []
        if reasoning:
            index = self._run_block("reasoning")
            blocks.append({"type": "reasoning", "reasoning": reasoning, "index": index})
        if content:
            index = self._run_block("text")
            blocks.append({"type": "text", "text": content, "index": index})
        return blocks

    def _piece(self, piece: ToolCallPiece) -> ToolCallChunk:
        self._run = None  # text or reasoning after a tool call starts a new run
        return self._calls.add(piece)

    def finish(self) -> AIMessageChunk:
        """The closing chunk; raises ``IncompleteStreamError`` on a cut stream."""
        if self.finish_reason is None:
            raise IncompleteStreamError(
                "The stream ended before the model finished its answer; the "
                "partial reply was not returned as complete.",
                request_id=self.request_id,
            )
        usage = self.usage if self._report_usage else None
        self._last = AIMessageChunk(
            content="",
            usage_metadata=usage_metadata(usage) if usage else None,
            response_metadata=response_metadata(
                self._spec,
                model=self.model,
                finish_reason=self.finish_reason,
                response_id=self.response_id,
                request_id=self.request_id,
                usage=usage,
            ),
            id=self.message_id,
            chunk_position="last",
        )
        return self._last

    def _whole(self, last: AIMessageChunk | None) -> dict[str, Any]:
        """The reply so far as message fields, tool calls parsed strictly."""
        additional: dict[str, Any] = {}
        if self._reasoning:
            additional["reasoning_content"] = "".join(self._reasoning)
        calls, invalid = split_tool_calls([call.whole() for call in self._calls.calls])
        return {
            "content": "".join(self._content),
            "additional_kwargs": additional,
            "tool_calls": calls,
            "invalid_tool_calls": invalid,
            "usage_metadata": last.usage_metadata if last else None,
            "response_metadata": dict(last.response_metadata) if last else {},
            "id": self.message_id,
        }

    def message(self, last: AIMessageChunk | None = None) -> AIMessageChunk:
        """Everything received so far as one chunk (plus ``last``'s metadata).

        It keeps the merged pieces as ``tool_call_chunks`` (as a sum of the
        chunks would), but its ``tool_calls`` / ``invalid_tool_calls`` are the
        strict ones, set after construction, which parses the pieces leniently.
        """
        fields = self._whole(last)
        calls, invalid = fields.pop("tool_calls"), fields.pop("invalid_tool_calls")
        message = AIMessageChunk(
            **fields,
            tool_call_chunks=[call.chunk() for call in self._calls.calls],
            chunk_position=last.chunk_position if last else None,
        )
        message.tool_calls, message.invalid_tool_calls = calls, invalid
        return message

    def ai_message(self) -> AIMessage:
        """The finished reply as ``invoke`` returns it (after ``finish()``)."""
        return AIMessage(**self._whole(self._last))


def chunks(deltas: Iterator[Delta], parser: StreamParser) -> Iterator[AIMessageChunk]:
    """One chunk per delta that carries content, then the closing chunk."""
    for delta in deltas:
        chunk = parser.feed(delta)
        if chunk is not None:
            yield chunk
    yield parser.finish()


async def achunks(
    deltas: AsyncGenerator[Delta, None], parser: StreamParser
) -> AsyncGenerator[AIMessageChunk, None]:
    """Async ``chunks``; closes ``deltas`` as soon as it stops."""
    async with aclosing(deltas):
        async for delta in deltas:
            chunk = parser.feed(delta)
            if chunk is not None:
                yield chunk
    yield parser.finish()
