"""What is refused before any request: the service's rules and each model's features.

Pure checks over a request's messages and parameters (or a model's own fields,
``check_params``, which ``ChatKimi(...)`` runs at construction). Each refusal
is a ``ValueError`` naming the model, the parameter and what to do instead.
The service-wide ranges are the Model Studio API reference's; the per-model
limits come from the features table (``models``). ``check_base_url`` refuses
a base URL the key could leak through and warns when a plain ``http://``
endpoint would carry the key off this machine.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from langchain_kimi._utils.warnings import warn
from langchain_kimi.model_specs import (
    MODELS,
    KimiModelSpec,
    models_with,
)

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


def refuse(spec: KimiModelSpec, parameter: str, why: str, fix: str) -> ValueError:
    return ValueError(f"{spec.model} {why} ({parameter}). {fix}")


def _where(feature: str) -> str:
    """The served models that have ``feature``, for a refusal's advice."""
    return " or ".join(models_with(feature)) or "another model"


def _settable(name: str) -> str:
    served = [m for m, s in MODELS.items() if not s.retired and name in s.configurable]
    return " or ".join(served)


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

    Needs no messages, so ``ChatKimi(...)`` runs them on its own fields too.
    """
    response_format = params.get("response_format")
    if response_format is not None and not isinstance(response_format, Mapping):
        raise refuse(
            spec,
            "response_format",
            "takes a dict such as {'type': 'json_object'}, not "
            f"{type(response_format).__name__} {response_format!r}",
            "For a pydantic class or a JSON schema use "
            "llm.with_structured_output(schema), which validates the reply too.",
        )
    if spec.known:
        _check_features(spec, params)
    for name, allowed in RANGES.items():
        value = params.get(name)
        if value is not None and value not in allowed:
            raise refuse(
                spec,
                name,
                f"takes {name} as {allowed}, not {value!r}",
                f"Set {name} to {allowed}, or leave it unset.",
            )


def _check_features(spec: KimiModelSpec, params: Mapping[str, Any]) -> None:
    for name in ("top_p", "presence_penalty", "temperature"):
        if params.get(name) is not None and name not in spec.configurable:
            raise refuse(
                spec,
                name,
                f"does not let clients set {name}; the service fixes it",
                f"Remove {name}, or use {_settable(name)}, where it is configurable.",
            )
    max_tokens = params.get("max_tokens")
    if (
        isinstance(max_tokens, int)
        and spec.max_output_tokens is not None
        and max_tokens > spec.max_output_tokens
    ):
        raise refuse(
            spec,
            "max_tokens",
            f"answers with at most {spec.max_output_tokens} tokens, "
            f"{max_tokens} were asked for",
            f"Set max_tokens to {spec.max_output_tokens} or less.",
        )
    choices = params.get("n")
    if isinstance(choices, int) and choices > spec.max_choices:
        raise refuse(
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
        raise refuse(
            spec,
            parameter,
            "has no web search",
            f"Use {_where('web_search')}, which has it, or drop enable_search and "
            "search_options.",
        )
    _check_thinking(spec, params)
    if params.get("tools") and not spec.function_calling:
        raise refuse(
            spec, "tools", "has no function calling", "Drop the tools from the call."
        )


def _check_thinking(spec: KimiModelSpec, params: Mapping[str, Any]) -> None:
    enable = params.get("enable_thinking")
    if enable is False and spec.thinking == "always":
        raise refuse(
            spec,
            "enable_thinking",
            "always thinks; the service restricts enable_thinking to True",
            f"Drop enable_thinking=False, or use {_where('thinking_optional')}, "
            "where thinking is optional.",
        )
    if enable is True and spec.thinking == "none":
        raise refuse(
            spec,
            "enable_thinking",
            "has no thinking mode",
            f"Drop enable_thinking, or use {_where('thinking_optional')}.",
        )
    if params.get("thinking_budget") is not None and not spec.thinking_budget:
        raise refuse(
            spec,
            "thinking_budget",
            "takes no thinking budget (its page documents none)",
            "Drop thinking_budget; max_tokens bounds the answer.",
        )


def _check_roles(spec: KimiModelSpec, messages: list[dict[str, Any]]) -> None:
    for message in messages:
        role = message.get("role")
        if role not in ROLES:
            raise refuse(
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
        raise refuse(
            spec,
            "response_format",
            "has no structured output (JSON mode)",
            "Use with_structured_output(..., method='function_calling') or "
            f"{_where('structured_output')}.",
        )
    if kind != "json_object":
        raise refuse(
            spec,
            "response_format",
            f"supports only {{'type': 'json_object'}} and 'json_schema', not {kind!r}",
            "Use {'type': 'json_object'} and describe the schema in the prompt, "
            "or with_structured_output(schema), which does both.",
        )
    if not any("json" in str(m.get("content") or "").lower() for m in messages):
        raise refuse(
            spec,
            "response_format",
            "refuses JSON mode unless a message contains the word 'json'",
            "Say 'JSON' in the system or user message, e.g. 'Reply in JSON.'",
        )


def _check_partial(spec: KimiModelSpec, messages: list[dict[str, Any]]) -> None:
    if messages and messages[-1].get("partial") and not spec.partial_mode:
        raise refuse(
            spec,
            "partial",
            "has no partial mode (continuing a prefilled assistant message)",
            "Drop partial=True from the last assistant message, or use "
            f"{_where('partial_mode')}.",
        )


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: Characters on which URL parsers disagree about where the host ends (a
#: backslash is a slash to browsers, not to Python), or that no URL holds.
_AMBIGUOUS = frozenset("\\") | frozenset(chr(c) for c in (*range(33), 127))


def check_base_url(base_url: str | None, model: str) -> None:
    """Refuse a base URL the key could leak through; warn on clear text.

    The host is read as every HTTP client reads it, because what they
    disagree on is refused: user info (``user:password@``, which the SDKs
    would send as Basic auth instead of the key), backslashes, spaces and
    control characters, and schemes other than http(s). A plain ``http://``
    URL to a host that is not this machine warns. No message repeats the URL.
    """
    if not base_url:
        return
    if any(char in _AMBIGUOUS for char in base_url):
        raise ValueError(
            f"{model}: base_url holds a backslash, a space or a control "
            "character, on which HTTP clients disagree about the host (the key "
            "could go elsewhere). Write it as https://host[:port]/path."
        )
    parts = urlsplit(base_url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}://" if scheme else "no scheme"
        raise ValueError(
            f"{model}: base_url must start with https:// (or http:// for a "
            f"server on this machine), not {shown}."
        )
    if "@" in parts.netloc:
        raise ValueError(
            f"{model}: base_url holds a user name or password before its host "
            "(user:password@host); it is refused so that it is never sent or "
            "shown. The API key authenticates: write base_url without them."
        )
    try:
        port = parts.port
    except ValueError:
        raise ValueError(
            f"{model}: base_url has a port that is not a number in 0-65535."
        ) from None
    host = parts.hostname or ""
    if not host:
        raise ValueError(f"{model}: base_url has no host; write https://host/path.")
    if scheme == "http" and not _is_loopback(host):
        where = f"{host}:{port}" if port else host
        warn(
            f"base_url http://{where} is plain http:// to a host that is not this "
            "machine: the API key would travel in clear text. Use https://."
        )
