"""One call's request, end to end: LangChain messages and parameters to a payload.

Pure: no I/O, no model instance. It fixes the order in which settings apply
(the model's fields, then per-call keyword arguments, then ``stop``, then
``extra_body``), converts the messages, adds the JSON-mode instruction when
structured output asked for one, and refuses what the model cannot do.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from langchain_core.messages import BaseMessage
from langchain_core.messages.utils import count_tokens_approximately

from langchain_kimi.messages import (
    KeepReasoning,
    to_wire_messages,
    with_system_instruction,
)
from langchain_kimi.models import KimiModelSpec, get_model_spec
from langchain_kimi.payload import build_payload, check_payload

#: Per-call keyword that carries the JSON-mode instruction from
#: ``with_structured_output`` to the request (never sent as a field).
JSON_INSTRUCTION_KWARG = "json_instruction"


def build_request(
    messages: list[BaseMessage],
    defaults: Mapping[str, Any],
    overrides: Mapping[str, Any],
    *,
    stop: list[str] | None,
    stream: bool,
    keep_reasoning: KeepReasoning,
    extra_body: Mapping[str, Any] | None = None,
) -> tuple[KimiModelSpec, dict[str, Any]]:
    """The model spec and validated payload for one call.

    ``defaults`` are the model's own settings (``model``, ``stream_usage`` and
    request fields); ``overrides`` the call's keyword arguments.
    """
    params = {**defaults, **overrides}
    model = params.pop("model")
    stream_usage = params.pop("stream_usage")
    params.pop("stream", None)
    instruction = params.pop(JSON_INSTRUCTION_KWARG, None)
    if stop is not None:
        params["stop"] = stop
    params.update(extra_body or {})
    spec = get_model_spec(model)
    wire = to_wire_messages(messages, spec.model, keep_reasoning)
    if instruction:
        wire = with_system_instruction(wire, instruction)
    payload = build_payload(
        model, wire, params, stream=stream, stream_usage=stream_usage
    )
    check_payload(spec, payload)
    warn_if_too_long(spec, messages)
    return spec, payload


def warn_if_too_long(spec: KimiModelSpec, messages: list[BaseMessage]) -> None:
    """Warn (not refuse: the count is an estimate) above the model's max input."""
    if spec.max_input_tokens is None:
        return
    estimate = count_tokens_approximately(messages)
    if estimate > spec.max_input_tokens:
        warnings.warn(
            f"{spec.model}: the input is about {estimate} tokens (estimate), above "
            f"the model's max input of {spec.max_input_tokens}; the service may "
            "refuse it. Trim the conversation.",
            stacklevel=5,
        )
