"""``with_structured_output``: JSON mode or a tool call, then a strict parser.

The schema reaches the request as OpenAI's ``json_schema`` response format,
a real request parameter that request building serves as Kimi's JSON mode
plus an instruction; nothing travels in a side channel. Function calling
binds the schema as a tool with ``tool_choice`` set to it: forced where the
call can be forced (no thinking), an instruction on a thinking call, which is
why a reply without the call is still read from its content when that is
valid JSON.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from operator import itemgetter
from typing import Any

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.output_parsers.transform import (
    BaseCumulativeTransformOutputParser,
)
from langchain_core.outputs import ChatGeneration, Generation
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.json import parse_json_markdown, parse_partial_json
from langchain_core.utils.pydantic import is_basemodel_subclass

from langchain_kimi.model_specs import (
    KimiModelSpec,
    models_with,
)

Schema = dict[str, Any] | type


def _function(schema: Schema) -> dict[str, Any]:
    function: dict[str, Any] = convert_to_openai_tool(schema)["function"]
    return function


def json_schema_format(schema: Schema | None) -> dict[str, Any]:
    """OpenAI's ``json_schema`` response format for ``schema`` (any object if None)."""
    if schema is None:
        return {
            "type": "json_schema",
            "json_schema": {"name": "json", "schema": {"type": "object"}},
        }
    function = _function(schema)
    return {
        "type": "json_schema",
        "json_schema": {
            "name": function["name"],
            "schema": function.get("parameters", {}),
        },
    }


_NOTHING: Any = object()


class _Accumulated:
    """The sum of the chunks a stream has passed through ``watch`` / ``awatch``."""

    def __init__(self) -> None:
        self.total: Any = None

    def _add(self, chunk: Any) -> Any:
        self.total = chunk if self.total is None else self.total + chunk
        return chunk

    def watch(self, chunks: Iterator[Any]) -> Iterator[Any]:
        return (self._add(chunk) for chunk in chunks)

    async def awatch(self, chunks: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for chunk in chunks:
            yield self._add(chunk)

    def generations(self) -> list[Generation]:
        if isinstance(self.total, BaseMessage):
            return [ChatGeneration(message=self.total)]
        return [Generation(text=str(self.total or ""))]


class _ReplyParser(BaseCumulativeTransformOutputParser[Any]):
    """A reply as the schema: the schema tool's call, else the content as JSON.

    ``tool_name`` is set for function calling; JSON mode reads the content
    only. Streams yield the object as it grows, then the final parse, which,
    like ``invoke``'s, is strict: a reply with nothing parseable, or with an
    object that breaks the schema, raises ``OutputParserException`` (never
    ``None``).
    """

    tool_name: str | None = None
    json_schema: dict[str, Any] | None = None
    pydantic_schema: Any = None

    def parse(self, text: str) -> Any:
        return self.parse_result([Generation(text=text)])

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        generation = result[0]
        message = getattr(generation, "message", None)
        candidate = self._candidate(message, generation.text, partial=partial)
        if partial:
            return self._grown(candidate)
        if candidate is _NOTHING:
            raise OutputParserException(
                self._nothing(message), llm_output=generation.text
            )
        return self._validated(candidate, generation.text)

    def _candidate(self, message: Any, text: str, *, partial: bool) -> Any:
        if self.tool_name and isinstance(message, AIMessage):
            for name, args in _tool_calls(message, partial=partial):
                if name == self.tool_name:
                    return args
        try:
            parsed = parse_json_markdown(
                text, parser=parse_partial_json if partial else json.loads
            )
        except ValueError:
            return _NOTHING
        return _NOTHING if parsed is None and partial else parsed

    def _grown(self, candidate: Any) -> Any:
        """A partial result: the object so far (a pydantic one once it validates)."""
        if candidate is _NOTHING or self.pydantic_schema is None:
            return None if candidate is _NOTHING else candidate
        try:
            return self.pydantic_schema(**candidate)
        except (ValueError, TypeError):
            return None

    def _nothing(self, message: Any) -> str:
        if not self.tool_name:
            return "The reply's content is not JSON."
        invalid = getattr(message, "invalid_tool_calls", None) or []
        cut = "; its arguments were not a complete JSON object" if invalid else ""
        return (
            f"The reply has no usable call to the tool {self.tool_name!r}{cut}, and "
            "its content is not JSON."
        )

    def _validated(self, candidate: Any, text: str) -> Any:
        if self.pydantic_schema is not None:
            try:
                return self.pydantic_schema(**candidate)
            except (ValueError, TypeError) as exc:
                raise OutputParserException(
                    f"The reply does not match {self.pydantic_schema.__name__}: {exc}",
                    llm_output=text,
                ) from exc
        errors = schema_errors(candidate, self.json_schema or {})
        if errors:
            raise OutputParserException(
                f"The reply does not match the schema: {'; '.join(errors)}",
                llm_output=text,
            )
        return candidate

    def _transform(self, input: Iterator[str | BaseMessage]) -> Iterator[Any]:
        seen = _Accumulated()
        last = None
        for last in super()._transform(seen.watch(input)):
            yield last
        final = self.parse_result(seen.generations())
        if final != last:
            yield final

    async def _atransform(
        self, input: AsyncIterator[str | BaseMessage]
    ) -> AsyncIterator[Any]:
        seen = _Accumulated()
        last = None
        async for last in super()._atransform(seen.awatch(input)):
            yield last
        final = self.parse_result(seen.generations())
        if final != last:
            yield final


def _tool_calls(message: AIMessage, *, partial: bool) -> list[tuple[Any, Any]]:
    """A message's tool calls as (name, args); a summed stream's parsed strictly.

    Summed chunks parse their arguments as partial JSON, which would pass a
    cut object off as complete; the final parse reads the pieces' text again.
    """
    if partial or not isinstance(message, AIMessageChunk):
        return [(call["name"], call["args"]) for call in message.tool_calls]
    calls = []
    for chunk in message.tool_call_chunks:
        try:
            args = json.loads(chunk["args"] or "{}")
        except ValueError:
            continue
        if isinstance(args, dict):
            calls.append((chunk["name"], args))
    return calls


def _parser(schema: Schema | None, tool_name: str | None = None) -> _ReplyParser:
    if isinstance(schema, type) and is_basemodel_subclass(schema):
        return _ReplyParser(tool_name=tool_name, pydantic_schema=schema)
    json_schema = _function(schema).get("parameters", {}) if schema else None
    return _ReplyParser(tool_name=tool_name, json_schema=json_schema)


def with_structured_output(
    llm: BaseChatModel,
    spec: KimiModelSpec,
    schema: Schema | None,
    *,
    method: str | None = None,
    include_raw: bool = False,
    **kwargs: Any,
) -> Runnable[Any, Any]:
    """Structured output through JSON mode or a forced tool call."""
    kwargs.pop("strict", None)
    if kwargs:
        raise ValueError(f"Received unsupported arguments {kwargs}")
    method = method or ("json_mode" if spec.structured_output else "function_calling")
    format_info = {"kwargs": {"method": method}, "schema": schema}
    if method in ("json_mode", "json_schema"):
        if not spec.structured_output:
            raise ValueError(
                f"{spec.model} has no structured output (JSON mode), so "
                f"method={method!r} cannot work. Use method='function_calling' "
                f"(the default for this model) or "
                f"{' or '.join(models_with('structured_output'))}."
            )
        bound: Runnable[Any, Any] = llm.bind(
            response_format=json_schema_format(schema),
            ls_structured_output_format=format_info,
        )
        parser = _parser(schema)
    elif method == "function_calling":
        if schema is None:
            raise ValueError("method='function_calling' needs a schema.")
        if not spec.function_calling:
            raise ValueError(
                f"{spec.model} has no function calling; use "
                f"{' or '.join(models_with('function_calling'))}."
            )
        bound = llm.bind_tools(
            [schema],
            tool_choice=_function(schema)["name"],
            ls_structured_output_format=format_info,
        )
        parser = _parser(schema, _function(schema)["name"])
    else:
        raise ValueError(
            f"Unknown method={method!r}; use 'json_mode', 'json_schema' or "
            "'function_calling'."
        )
    if not include_raw:
        chain: Runnable[Any, Any] = bound | parser
        return chain
    parse_raw = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=bound) | parse_raw.with_fallbacks(
        [no_parse], exception_key="parsing_error"
    )


_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def _type_ok(value: Any, kind: str) -> bool:
    if kind in ("integer", "number") and isinstance(value, bool):
        return False
    if kind == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _TYPES.get(kind, (object,)))


def schema_errors(
    value: Any,
    schema: dict[str, Any],
    root: dict[str, Any] | None = None,
    path: str = "$",
) -> list[str]:
    """Every way ``value`` breaks ``schema``, as readable lines (empty: valid)."""
    root = root if root is not None else schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return schema_errors(value, target, root, path)
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        if any(not schema_errors(value, option, root, path) for option in options):
            return []
        return [f"{path}: matches none of the allowed shapes"]
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    if kinds and not any(_type_ok(value, k) for k in kinds):
        return [f"{path}: expected {' or '.join(kinds)}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} is not one of {schema['enum']}"]
    errors: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        errors.extend(
            f"{path}: missing required key {key!r}"
            for key in schema.get("required", ())
            if key not in value
        )
        for key, item in value.items():
            if key in properties:
                errors.extend(
                    schema_errors(item, properties[key], root, f"{path}.{key}")
                )
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected key {key!r}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            errors.extend(
                schema_errors(item, schema["items"], root, f"{path}[{index}]")
            )
    return errors
