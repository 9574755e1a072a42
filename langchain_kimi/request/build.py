"""Request building: LangChain messages and parameters to one ``ChatRequest``.

Pure: no I/O, no model instance. It fixes the order in which settings apply
(the model's fields, then per-call keyword arguments, then ``stop``, then
``extra_body``), converts the messages, serves OpenAI's ``json_schema``
response format as Kimi's JSON mode plus an instruction carrying the schema,
turns ``tool_choice`` into a documented value (``tools.plan_tool_choice``),
and refuses (``checks``) what the service or the model's features table rules
out, with a ``ValueError`` naming the model, the parameter and what to do
instead. What deserves a
warning but no refusal travels as ``notices``, so the model instance can say
it once. The protocol modules map the result to their own bodies.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage

from langchain_kimi._utils.warnings import warn
from langchain_kimi.errors import BadRequestError, ContentModerationError
from langchain_kimi.model_specs import KimiModelSpec, get_model_spec
from langchain_kimi.request.checks import check_request, refuse
from langchain_kimi.request.messages import (
    KeepReasoning,
    to_request_messages,
    tool_turns_without_reasoning,
    with_system_instruction,
)
from langchain_kimi.request.tokens import estimate_messages
from langchain_kimi.request.tools import plan_tool_choice

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
    "enable_thinking",
    "thinking_budget",
    "preserve_thinking",
)

JSON_OBJECT = {"type": "json_object"}


@dataclass(frozen=True)
class Notice:
    """A warning about a request that is sent anyway; ``key`` names its kind,
    so a model instance can give each kind once."""

    key: str
    text: str


@dataclass(frozen=True)
class ChatRequest:
    """One call, ready for a protocol: what to send, not how to spell it.

    ``params`` holds every set parameter under its OpenAI-compatible name
    (DashScope-only fields included); ``spec`` is the model's row of the
    features table, which response parsing needs for prices; ``thinking``
    the call's effective thinking state.
    """

    spec: KimiModelSpec
    model: str
    messages: list[dict[str, Any]]
    params: dict[str, Any]
    stream: bool = False
    include_usage: bool = False
    notices: tuple[Notice, ...] = ()
    thinking: bool = False

    @property
    def json_key(self) -> str:
        """What a JSON-mode refusal is remembered under: model and thinking."""
        return json_key(self.model, thinking=self.thinking)


def json_key(model: str, *, thinking: bool) -> str:
    return f"{model.lower()}:{'thinking' if thinking else 'plain'}"


def keep_policy(
    spec: KimiModelSpec,
    params: Mapping[str, Any],
    chosen: KeepReasoning | None,
    *,
    thinking: bool,
) -> KeepReasoning:
    """Which past reasoning goes back: the caller's choice, else all of it for
    preserved thinking (the model reads its earlier turns' reasoning), else
    the tool-call turns'."""
    if chosen is not None:
        return chosen
    preserved = spec.preserved_thinking or params.get("preserve_thinking") is True
    return "all" if thinking and preserved else "tool_calls"


def build_request(
    messages: list[BaseMessage],
    defaults: Mapping[str, Any],
    overrides: Mapping[str, Any],
    *,
    model: str,
    stop: list[str] | None,
    stream: bool,
    stream_usage: bool,
    keep_reasoning: KeepReasoning | None,
    extra_body: Mapping[str, Any] | None = None,
    json_mode: bool | Callable[[str], bool] = True,
) -> ChatRequest:
    """The validated request for one call.

    ``defaults`` are the model's own request fields; ``overrides`` the call's
    keyword arguments (a ``model`` among them switches the model; an
    ``extra_body`` among them is merged last, after the model's own). With
    ``json_mode=False`` (the service refused JSON mode before; a callable is
    asked with the request's ``json_key``) no ``json_object`` response format
    is sent; the JSON instruction still is. ``keep_reasoning=None``: the
    caller did not choose (``keep_policy``).
    """
    params = {**defaults, **overrides}
    model = params.pop("model", None) or model
    stream_usage = bool(params.pop("stream_usage", stream_usage))
    params.pop("stream", None)
    call_extra_body = params.pop("extra_body", None)
    if stop is not None:
        params["stop"] = stop
    params.update(extra_body or {})
    params.update(call_extra_body or {})
    params = {key: value for key, value in params.items() if value is not None}
    spec = get_model_spec(model)
    if not messages:
        raise refuse(
            spec,
            "messages",
            "needs at least one message, and the list is empty",
            "Pass a string or a non-empty list of messages.",
        )
    thinking = spec.thinks(params.get("enable_thinking"))
    keep = keep_policy(spec, params, keep_reasoning, thinking=thinking)
    sent = to_request_messages(messages, spec, keep)
    notices: list[Notice] = []
    plan = plan_tool_choice(
        params.pop("tool_choice", None),
        params.get("tools") or (),
        spec.model,
        can_force=spec.forced_tool_choice and not thinking,
        required=spec.required_tool_choice,
        thinking=thinking,
    )
    if plan.value is not None:
        params["tool_choice"] = plan.value
    if plan.warning:
        notices.append(Notice("tool_choice", plan.warning))
    for instruction in (_json_schema_instruction(spec, params), plan.instruction):
        if instruction:
            sent = with_system_instruction(sent, instruction)
    if callable(json_mode):
        json_mode = json_mode(json_key(spec.model, thinking=thinking))
    if (
        not json_mode
        and (params.get("response_format") or {}).get("type") == (JSON_OBJECT["type"])
    ):
        del params["response_format"]
    check_request(spec, sent, params)
    warn_if_too_long(spec, messages, thinking=thinking)
    if thinking and tool_turns_without_reasoning(sent):
        notices.append(Notice("reasoning", _missing_reasoning(spec)))
    return ChatRequest(
        spec=spec,
        model=spec.model,
        messages=sent,
        params=params,
        stream=stream,
        include_usage=stream and stream_usage,
        notices=tuple(notices),
        thinking=thinking,
    )


def _missing_reasoning(spec: KimiModelSpec) -> str:
    return (
        f"{spec.model}: an assistant turn with tool calls in this history carries no "
        "reasoning_content (a history from another model, a fallback, a stored "
        "thread, or keep_reasoning='none'). Thinking models need it back in tool "
        "loops: answers degrade, and Kimi's own platform refuses such a request. "
        "Keep each AIMessage as returned and use keep_reasoning='tool_calls' (the "
        "default) or 'all'."
    )


def is_json_mode_refusal(request: ChatRequest, error: Exception) -> bool:
    """Whether ``error`` is the service refusing JSON mode for ``request``.

    A 400 whose message names ``response_format`` or JSON mode, for a request
    that sent a response format; the rule that a message must say "json" is a
    different refusal (fixed in the prompt, not by dropping JSON mode).
    """
    if not isinstance(error, BadRequestError) or isinstance(
        error, ContentModerationError
    ):
        return False
    if error.status_code not in (400, None):
        return False
    if not request.params.get("response_format"):
        return False
    text = error.message.lower()
    if "word 'json'" in text:
        return False
    return "response_format" in text or "json mode" in text or "json_mode" in text


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


def warn_if_too_long(
    spec: KimiModelSpec, messages: list[BaseMessage], *, thinking: bool = True
) -> None:
    """Warn (not refuse: the count is an estimate) above the model's max input."""
    limit = spec.input_limit(thinking)
    if limit is None:
        return
    estimate = estimate_messages(messages)
    if estimate > limit:
        warn(
            f"{spec.model}: the input is about {estimate} tokens (estimate), above "
            f"the model's max input of {limit}; the service may "
            "refuse it. Trim the conversation."
        )
