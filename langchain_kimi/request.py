"""Request building: LangChain messages and parameters to one ``ChatRequest``.

Pure: no I/O, no model instance. It fixes the order in which settings apply
(the model's fields, then per-call keyword arguments, then ``stop``, then
``extra_body``), converts the messages, serves OpenAI's ``json_schema``
response format as Kimi's JSON mode plus an instruction carrying the schema,
and refuses what the model's features table rules out with a ``ValueError``
naming the model, the parameter and what to do instead. The protocol modules
map the result to their own bodies.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage

from langchain_kimi.messages import (
    KeepReasoning,
    to_request_messages,
    with_system_instruction,
)
from langchain_kimi.models import (
    INSTRUCT_MODEL,
    THINKING_MODEL,
    KimiModelSpec,
    get_model_spec,
)
from langchain_kimi.tokens import estimate_messages

#: Fields sent only when set; the service's own defaults apply otherwise.
REQUEST_FIELDS = (
    "temperature",
    "top_p",
    "presence_penalty",
    "max_tokens",
    "stop",
    "seed",
    "enable_search",
    "search_options",
    "tools",
    "tool_choice",
    "parallel_tool_calls",
    "response_format",
)

JSON_OBJECT = {"type": "json_object"}

#: The roles the service accepts in ``messages``.
ROLES = ("system", "user", "assistant", "tool")


@dataclass(frozen=True)
class Range:
    """The values a numeric parameter may take; an open end excludes its bound."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    integer: bool = False

    def __contains__(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.integer and not float(value).is_integer():
            return False
        if self.low is not None and (
            value < self.low or (self.low_open and value == self.low)
        ):
            return False
        return self.high is None or not (
            value > self.high or (self.high_open and value == self.high)
        )

    def __str__(self) -> str:
        kind = "an integer" if self.integer else "a number"
        if self.high is None:
            return f"{kind} of at least {self.low:g}"
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{kind} in {left}{self.low:g}, {self.high:g}{right}"


#: The service's ranges for every model (Model Studio API reference); limits
#: that differ per model (max_tokens' top, n's top) are in the features table.
RANGES: dict[str, Range] = {
    "temperature": Range(0, 2, high_open=True),
    "top_p": Range(0, 1, low_open=True),
    "presence_penalty": Range(-2, 2),
    "max_tokens": Range(1, integer=True),
    "n": Range(1, integer=True),
}


@dataclass(frozen=True)
class ChatRequest:
    """One call, ready for a protocol: what to send, not how to spell it.

    ``params`` holds every set parameter under its OpenAI-compatible name
    (DashScope-only fields included); ``spec`` is the model's row of the
    features table, which response parsing needs for prices.
    """

    spec: KimiModelSpec
    model: str
    messages: list[dict[str, Any]]
    params: dict[str, Any]
    stream: bool = False
    include_usage: bool = False


def build_request(
    messages: list[BaseMessage],
    defaults: Mapping[str, Any],
    overrides: Mapping[str, Any],
    *,
    model: str,
    stop: list[str] | None,
    stream: bool,
    stream_usage: bool,
    keep_reasoning: KeepReasoning,
    extra_body: Mapping[str, Any] | None = None,
) -> ChatRequest:
    """The validated request for one call.

    ``defaults`` are the model's own request fields; ``overrides`` the call's
    keyword arguments (a ``model`` among them switches the model).
    """
    params = {**defaults, **overrides}
    model = params.pop("model", None) or model
    stream_usage = bool(params.pop("stream_usage", stream_usage))
    params.pop("stream", None)
    if stop is not None:
        params["stop"] = stop
    params.update(extra_body or {})
    params = {key: value for key, value in params.items() if value is not None}
    spec = get_model_spec(model)
    if not messages:
        raise _refuse(
            spec,
            "messages",
            "needs at least one message, and the list is empty",
            "Pass a string or a non-empty list of messages.",
        )
    sent = to_request_messages(messages, spec.model, keep_reasoning)
    instruction = _json_schema_instruction(spec, params)
    if instruction:
        sent = with_system_instruction(sent, instruction)
    check_request(spec, sent, params)
    warn_if_too_long(spec, messages)
    return ChatRequest(
        spec=spec,
        model=model,
        messages=sent,
        params=params,
        stream=stream,
        include_usage=stream and stream_usage,
    )


def json_instruction(schema: Mapping[str, Any] | None) -> str:
    """The system instruction for JSON mode: the word JSON plus the schema.

    The service refuses ``json_object`` unless a message says "json".
    """
    if not schema or not schema.get("properties"):
        return "Reply with a single JSON object and nothing else."
    return (
        "Reply with a single JSON object and nothing else. It must match this "
        f"JSON schema:\n{json.dumps(schema, ensure_ascii=False)}"
    )


def _json_schema_instruction(spec: KimiModelSpec, params: dict[str, Any]) -> str:
    """Serve ``{"type": "json_schema", ...}`` as JSON mode plus an instruction.

    Kimi has no server-side schema mode; the schema travels in the prompt and
    the reply is validated on the client (``with_structured_output``).
    """
    response_format = params.get("response_format")
    if not isinstance(response_format, Mapping):
        return ""
    if response_format.get("type") != "json_schema" or not spec.structured_output:
        return ""
    schema = (response_format.get("json_schema") or {}).get("schema")
    params["response_format"] = dict(JSON_OBJECT)
    return json_instruction(schema)


def _refuse(spec: KimiModelSpec, parameter: str, why: str, fix: str) -> ValueError:
    return ValueError(f"{spec.model} {why} ({parameter}). {fix}")


def _other_model(spec: KimiModelSpec) -> str:
    return INSTRUCT_MODEL if spec.model == THINKING_MODEL else THINKING_MODEL


def check_request(
    spec: KimiModelSpec,
    messages: list[dict[str, Any]],
    params: Mapping[str, Any],
) -> None:
    """Refuse what the service's rules and the model's features table rule out."""
    _check_roles(spec, messages)
    check_params(spec, params)
    if not spec.known:
        return
    _check_response_format(spec, messages, params)
    _check_partial(spec, messages)


def check_params(spec: KimiModelSpec, params: Mapping[str, Any]) -> None:
    """Refuse parameters out of the service's ranges or the model's features.

    Needs no messages, so a model's own fields can be checked when it is built.
    """
    if spec.known:
        _check_features(spec, params)
    for name, allowed in RANGES.items():
        value = params.get(name)
        if value is not None and value not in allowed:
            raise _refuse(
                spec,
                name,
                f"takes {name} as {allowed}, not {value!r}",
                f"Set {name} to {allowed}, or leave it unset.",
            )


def _check_features(spec: KimiModelSpec, params: Mapping[str, Any]) -> None:
    for name in ("top_p", "presence_penalty", "temperature"):
        if params.get(name) is not None and name not in spec.configurable:
            raise _refuse(
                spec,
                name,
                f"does not let clients set {name}; the service fixes it",
                f"Remove {name}, or use {_other_model(spec)}, where it is "
                "configurable.",
            )
    max_tokens = params.get("max_tokens")
    if (
        isinstance(max_tokens, int)
        and spec.max_output_tokens is not None
        and max_tokens > spec.max_output_tokens
    ):
        raise _refuse(
            spec,
            "max_tokens",
            f"answers with at most {spec.max_output_tokens} tokens, "
            f"{max_tokens} were asked for",
            f"Set max_tokens to {spec.max_output_tokens} or less.",
        )
    choices = params.get("n")
    if isinstance(choices, int) and choices > spec.max_choices:
        raise _refuse(
            spec,
            "n",
            f"returns {spec.max_choices} choice(s) per request, {choices} were "
            "asked for",
            f"Set n to {spec.max_choices} (or leave it unset) and make several "
            "calls (e.g. batch) for more answers.",
        )
    if not spec.web_search and (
        params.get("enable_search") or params.get("search_options")
    ):
        parameter = "enable_search" if params.get("enable_search") else "search_options"
        raise _refuse(
            spec,
            parameter,
            "has no web search",
            f"Use {INSTRUCT_MODEL}, which has it, or drop enable_search and "
            "search_options.",
        )
    if params.get("tools") and not spec.function_calling:
        raise _refuse(
            spec, "tools", "has no function calling", "Drop the tools from the call."
        )


def _check_roles(spec: KimiModelSpec, messages: list[dict[str, Any]]) -> None:
    for message in messages:
        role = message.get("role")
        if role not in ROLES:
            raise _refuse(
                spec,
                "role",
                f"takes messages with the roles {', '.join(ROLES)}, not {role!r}",
                "Use System, Human, AI or Tool messages (or dicts with one of "
                "those roles).",
            )


def _check_response_format(
    spec: KimiModelSpec, messages: list[dict[str, Any]], params: Mapping[str, Any]
) -> None:
    response_format = params.get("response_format")
    if not response_format:
        return
    kind = response_format.get("type")
    if kind == "text":
        return
    if not spec.structured_output:
        raise _refuse(
            spec,
            "response_format",
            "has no structured output (JSON mode)",
            "Use with_structured_output(..., method='function_calling') or "
            f"{THINKING_MODEL}.",
        )
    if kind != "json_object":
        raise _refuse(
            spec,
            "response_format",
            f"supports only {{'type': 'json_object'}} and 'json_schema', not {kind!r}",
            "Use {'type': 'json_object'} and describe the schema in the prompt, "
            "or with_structured_output(schema), which does both.",
        )
    if not any("json" in str(m.get("content") or "").lower() for m in messages):
        raise _refuse(
            spec,
            "response_format",
            "refuses JSON mode unless a message contains the word 'json'",
            "Say 'JSON' in the system or user message, e.g. 'Reply in JSON.'",
        )


def _check_partial(spec: KimiModelSpec, messages: list[dict[str, Any]]) -> None:
    if messages and messages[-1].get("partial") and not spec.partial_mode:
        raise _refuse(
            spec,
            "partial",
            "has no partial mode (continuing a prefilled assistant message)",
            "Drop partial=True from the last assistant message.",
        )


def warn_if_too_long(spec: KimiModelSpec, messages: list[BaseMessage]) -> None:
    """Warn (not refuse: the count is an estimate) above the model's max input."""
    if spec.max_input_tokens is None:
        return
    estimate = estimate_messages(messages)
    if estimate > spec.max_input_tokens:
        warnings.warn(
            f"{spec.model}: the input is about {estimate} tokens (estimate), above "
            f"the model's max input of {spec.max_input_tokens}; the service may "
            "refuse it. Trim the conversation.",
            stacklevel=5,
        )
