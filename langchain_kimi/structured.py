"""``with_structured_output``: JSON mode or a forced tool call, then a parser.

The schema reaches the request as OpenAI's ``json_schema`` response format,
a real request parameter that request building serves as Kimi's JSON mode
plus an instruction; nothing travels in a side channel.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.outputs import Generation
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass

from langchain_kimi.models import INSTRUCT_MODEL, THINKING_MODEL, KimiModelSpec
from langchain_kimi.schema_check import schema_errors

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


class _SchemaJsonParser(JsonOutputParser):
    """JSON parser that streams partial objects and validates the final one."""

    json_schema: dict[str, Any] | None = None

    def parse_result(self, result: list[Generation], *, partial: bool = False) -> Any:
        parsed = super().parse_result(result, partial=partial)
        if not partial and self.json_schema is not None:
            errors = schema_errors(parsed, self.json_schema)
            if errors:
                raise OutputParserException(
                    f"The reply does not match the schema: {'; '.join(errors)}",
                    llm_output=result[0].text if result else None,
                )
        return parsed


def _json_parser(schema: Schema | None) -> Any:
    if isinstance(schema, type) and is_basemodel_subclass(schema):
        return PydanticOutputParser(pydantic_object=schema)
    if schema is None:
        return JsonOutputParser()
    return _SchemaJsonParser(json_schema=_function(schema).get("parameters", {}))


def _tool_parser(schema: Schema) -> Any:
    if isinstance(schema, type) and is_basemodel_subclass(schema):
        return PydanticToolsParser(tools=[schema], first_tool_only=True)
    return JsonOutputKeyToolsParser(
        key_name=_function(schema)["name"], first_tool_only=True
    )


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
                f"(the default for this model) or {THINKING_MODEL}."
            )
        bound: Runnable[Any, Any] = llm.bind(
            response_format=json_schema_format(schema),
            ls_structured_output_format=format_info,
        )
        parser = _json_parser(schema)
    elif method == "function_calling":
        if schema is None:
            raise ValueError("method='function_calling' needs a schema.")
        if not spec.function_calling:
            raise ValueError(
                f"{spec.model} has no function calling; use {INSTRUCT_MODEL} or "
                f"{THINKING_MODEL}."
            )
        bound = llm.bind_tools(
            [schema],
            tool_choice=_function(schema)["name"],
            ls_structured_output_format=format_info,
        )
        parser = _tool_parser(schema)
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
