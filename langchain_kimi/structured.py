"""Tool binding and structured output, driven by the model's capability flags.

Kept apart from ``chat_models`` so the class stays about calls; these are the
pure mappings (tool forms and ``tool_choice`` to wire form) plus the Runnable
wiring LangChain users expect from ``bind_tools`` / ``with_structured_output``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from langchain_core.exceptions import OutputParserException
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.outputs import Generation
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass

from langchain_kimi.models import INSTRUCT_MODEL, THINKING_MODEL, get_model_spec
from langchain_kimi.request import JSON_INSTRUCTION_KWARG
from langchain_kimi.schema_check import schema_errors

if TYPE_CHECKING:
    from langchain_kimi.chat_models import ChatKimi


def tool_to_wire(tool: Any) -> dict[str, Any]:
    """Any LangChain tool form to the wire form, without fields Kimi lacks."""
    wire = convert_to_openai_tool(tool)
    function = {k: v for k, v in wire["function"].items() if k != "strict"}
    return {"type": "function", "function": function}


def tool_choice_to_wire(
    tool_choice: dict[str, Any] | str | bool | None, tools: Sequence[dict[str, Any]]
) -> dict[str, Any] | str | None:
    """``tool_choice`` in LangChain's forms to the wire form."""
    names = [tool["function"]["name"] for tool in tools]
    if tool_choice is None or tool_choice is False:
        return None
    if tool_choice is True:
        if len(names) != 1:
            raise ValueError(
                f"tool_choice=True needs exactly one tool, got {len(names)}; "
                "name the tool instead."
            )
        return _forced(names[0])
    if isinstance(tool_choice, dict):
        return tool_choice
    if tool_choice in ("auto", "none"):
        return tool_choice
    if tool_choice in ("required", "any"):
        return _forced(names[0]) if len(names) == 1 else "required"
    if tool_choice not in names:
        raise ValueError(
            f"tool_choice={tool_choice!r} names no bound tool; bound: {names}."
        )
    return _forced(tool_choice)


def _forced(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name}}


def bind_tools(
    llm: ChatKimi,
    tools: Sequence[Any],
    *,
    tool_choice: dict[str, Any] | str | bool | None = None,
    parallel_tool_calls: bool | None = None,
    **kwargs: Any,
) -> Runnable[Any, Any]:
    """``llm`` with tools (and the choice of tool) bound for every call."""
    spec = get_model_spec(llm.model_name)
    if tools and not spec.function_calling:
        raise ValueError(f"{spec.model} has no function calling; drop the tools.")
    kwargs.pop("strict", None)
    wire = [tool_to_wire(tool) for tool in tools]
    choice = tool_choice_to_wire(tool_choice, wire)
    if choice is not None:
        kwargs["tool_choice"] = choice
    if parallel_tool_calls is not None:
        kwargs["parallel_tool_calls"] = parallel_tool_calls
    return llm.bind(tools=wire, **kwargs)


def json_instruction(schema: dict[str, Any] | type | None) -> str:
    """The system instruction for JSON mode: the word JSON plus the schema.

    The service refuses ``json_object`` unless a message says "json".
    """
    if schema is None:
        return "Reply with a single JSON object and nothing else."
    parameters = convert_to_openai_tool(schema)["function"].get("parameters", {})
    return (
        "Reply with a single JSON object and nothing else. It must match this "
        f"JSON schema:\n{json.dumps(parameters, ensure_ascii=False)}"
    )


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


def _json_parser(schema: dict[str, Any] | type | None) -> Any:
    if isinstance(schema, type) and is_basemodel_subclass(schema):
        return PydanticOutputParser(pydantic_object=schema)
    if schema is None:
        return JsonOutputParser()
    parameters = convert_to_openai_tool(schema)["function"].get("parameters", {})
    return _SchemaJsonParser(json_schema=parameters)


def _tool_parser(schema: dict[str, Any] | type) -> Any:
    if isinstance(schema, type) and is_basemodel_subclass(schema):
        return PydanticToolsParser(tools=[schema], first_tool_only=True)
    name = convert_to_openai_tool(schema)["function"]["name"]
    return JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)


def with_structured_output(
    llm: ChatKimi,
    schema: dict[str, Any] | type | None,
    *,
    method: str | None = None,
    include_raw: bool = False,
    **kwargs: Any,
) -> Runnable[Any, Any]:
    """Structured output through JSON mode or a forced tool call."""
    kwargs.pop("strict", None)
    if kwargs:
        raise ValueError(f"Received unsupported arguments {kwargs}")
    spec = get_model_spec(llm.model_name)
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
            response_format={"type": "json_object"},
            ls_structured_output_format=format_info,
            **{JSON_INSTRUCTION_KWARG: json_instruction(schema)},
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
        name = convert_to_openai_tool(schema)["function"]["name"]
        bound = bind_tools(
            llm, [schema], tool_choice=name, ls_structured_output_format=format_info
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
