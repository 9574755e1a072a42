"""Parameters plus a model's capabilities to a request payload (pure).

The payload is the OpenAI-compatible body; ``native_request`` maps it to the
native protocol, so both transports send what one function decided. Whatever
the features table rules out is refused here with a ``ValueError`` that names
the model, the parameter and what to do instead, before any request is made.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_kimi.models import INSTRUCT_MODEL, THINKING_MODEL, KimiModelSpec

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
_STREAM_ONLY = ("stream", "stream_options")


def build_payload(
    model: str,
    messages: list[dict[str, Any]],
    params: Mapping[str, Any],
    *,
    stream: bool,
    stream_usage: bool,
) -> dict[str, Any]:
    """The request body: model, messages, every set parameter, stream options."""
    payload: dict[str, Any] = {"model": model, "messages": messages}
    for key, value in params.items():
        if value is not None:
            payload[key] = value
    if stream:
        payload["stream"] = True
        if stream_usage:
            payload["stream_options"] = {"include_usage": True}
    return payload


def _refuse(spec: KimiModelSpec, parameter: str, why: str, fix: str) -> ValueError:
    return ValueError(f"{spec.model} {why} ({parameter}). {fix}")


def _other_model(spec: KimiModelSpec) -> str:
    return INSTRUCT_MODEL if spec.model == THINKING_MODEL else THINKING_MODEL


def check_payload(spec: KimiModelSpec, payload: Mapping[str, Any]) -> None:
    """Refuse what the model's features table rules out."""
    if not spec.known:
        return
    for name in ("top_p", "presence_penalty", "temperature"):
        if payload.get(name) is not None and name not in spec.configurable:
            raise _refuse(
                spec,
                name,
                f"does not let clients set {name}; the service fixes it",
                f"Remove {name}, or use {_other_model(spec)}, where it is "
                "configurable.",
            )
    max_tokens = payload.get("max_tokens")
    if (
        max_tokens is not None
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
    if not spec.web_search and (
        payload.get("enable_search") or payload.get("search_options")
    ):
        parameter = (
            "enable_search" if payload.get("enable_search") else "search_options"
        )
        raise _refuse(
            spec,
            parameter,
            "has no web search",
            f"Use {INSTRUCT_MODEL}, which has it, or drop enable_search and "
            "search_options.",
        )
    if payload.get("tools") and not spec.function_calling:
        raise _refuse(
            spec, "tools", "has no function calling", "Drop the tools from the call."
        )
    _check_response_format(spec, payload)
    _check_partial(spec, payload)


def _check_response_format(spec: KimiModelSpec, payload: Mapping[str, Any]) -> None:
    response_format = payload.get("response_format")
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
            f"supports only {{'type': 'json_object'}}, not {kind!r}",
            "Use {'type': 'json_object'} and describe the schema in the prompt, "
            "or with_structured_output(schema), which does both.",
        )
    if not any(
        "json" in str(message.get("content") or "").lower()
        for message in payload.get("messages", ())
    ):
        raise _refuse(
            spec,
            "response_format",
            "refuses JSON mode unless a message contains the word 'json'",
            "Say 'JSON' in the system or user message, e.g. 'Reply in JSON.'",
        )


def _check_partial(spec: KimiModelSpec, payload: Mapping[str, Any]) -> None:
    messages = payload.get("messages") or ()
    if messages and messages[-1].get("partial") and not spec.partial_mode:
        raise _refuse(
            spec,
            "partial",
            "has no partial mode (continuing a prefilled assistant message)",
            "Drop partial=True from the last assistant message.",
        )


def native_request(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAI-compatible payload as native ``parameters`` (minus model/input).

    ``result_format`` is always ``message`` (the default ``text`` format has no
    messages); streams are always incremental (otherwise every event repeats
    the whole text so far).
    """
    parameters = {
        key: value
        for key, value in payload.items()
        if key not in ("model", "messages") and key not in _STREAM_ONLY
    }
    parameters["result_format"] = "message"
    if payload.get("stream"):
        parameters["incremental_output"] = True
    return parameters
