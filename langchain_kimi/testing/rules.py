"""The service's own checks, as the simulator applies them to every request.

Each returns ``(status, code, message)`` for a refused request, else ``None``.
Messages follow the real service's wording where it is known (the JSON-mode
rule); elsewhere they are plain statements of the rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_kimi.models import KimiModelSpec

Refusal = tuple[int, str, str]

JSON_WORD_MESSAGE = (
    "'messages' must contain the word 'json' in some form, to use "
    "'response_format' of type 'json_object'."
)


def check_auth(authorization: str | None, api_key: str) -> Refusal | None:
    if not authorization or authorization != f"Bearer {api_key}":
        return (401, "InvalidApiKey", "Invalid API-key provided.")
    return None


def check_model(model: Any, specs: Mapping[str, KimiModelSpec]) -> Refusal | None:
    if not isinstance(model, str) or model not in specs:
        return (404, "ModelNotFound", f"The model `{model}` does not exist.")
    return None


def _invalid(message: str) -> Refusal:
    return (400, "InvalidParameter", message)


def check_messages(messages: Any) -> Refusal | None:
    if not isinstance(messages, list) or not messages:
        return _invalid("Input messages must not be empty.")
    open_ids: set[str] = set()
    for message in messages:
        role = message.get("role")
        if role == "assistant":
            open_ids = {c.get("id") for c in message.get("tool_calls") or ()}
        elif role == "tool":
            if message.get("tool_call_id") not in open_ids:
                return _invalid(
                    "messages with role 'tool' must be a response to a preceeding "
                    "message with 'tool_calls'."
                )
        elif role in ("user", "system"):
            open_ids = set()
        else:
            return _invalid(
                f"Role must be in [system, user, assistant, tool], got {role}."
            )
    return None


def check_parameters(
    spec: KimiModelSpec,
    params: Mapping[str, Any],
    messages: Sequence[Mapping[str, Any]],
) -> Refusal | None:
    for name in ("temperature", "top_p", "presence_penalty"):
        if params.get(name) is not None and name not in spec.configurable:
            return _invalid(f"The parameter {name} is not supported by {spec.model}.")
    max_tokens = params.get("max_tokens")
    if (
        max_tokens is not None
        and spec.max_output_tokens is not None
        and not 1 <= max_tokens <= spec.max_output_tokens
    ):
        return _invalid(f"Range of max_tokens should be [1, {spec.max_output_tokens}]")
    if (params.get("enable_search") or params.get("search_options")) and not (
        spec.web_search
    ):
        return _invalid(f"The model {spec.model} does not support enable_search.")
    if params.get("tools") and not spec.function_calling:
        return _invalid(f"The model {spec.model} does not support tools.")
    if messages and messages[-1].get("partial") and not spec.partial_mode:
        return _invalid(f"The model {spec.model} does not support partial mode.")
    response_format = params.get("response_format") or {}
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if kind and kind != "text":
        if not spec.structured_output or kind != "json_object":
            return _invalid(
                f"The response_format type {kind} is not supported by {spec.model}."
            )
        if not any(
            "json" in str(message.get("content") or "").lower() for message in messages
        ):
            return _invalid(JSON_WORD_MESSAGE)
    return None
