"""DashScope's native protocol (``/api/v1/services/aigc/text-generation/generation``).

Pure functions: a ``ChatRequest`` to the dashscope SDK's call arguments (the
SDK builds ``{"model", "input": {"messages"}, "parameters"}`` from them); a
reply, a stream event and an error response to the normalized shapes and
exceptions. ``result_format`` is always ``message`` (the default ``text``
format has no messages) and streams are always incremental (otherwise every
event repeats the whole text so far). ``finish_reason`` is the string
``"null"`` until the last event, and usage is cumulative on every event, so
it is read from the finishing event only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_kimi.errors import KimiError, error_for
from langchain_kimi.normalized import Delta, Result, Usage
from langchain_kimi.protocols.common import copy_message_piece, parse_usage, result
from langchain_kimi.request import ChatRequest
from langchain_kimi.retry import parse_retry_after

PATH = "/services/aigc/text-generation/generation"


def parameters(request: ChatRequest) -> dict[str, Any]:
    """The request's ``parameters`` object."""
    params = dict(request.params)
    params["result_format"] = "message"
    if request.stream:
        params["incremental_output"] = True
    return params


def call_arguments(request: ChatRequest) -> dict[str, Any]:
    """Keyword arguments for ``Generation.call`` / ``AioGeneration.call``."""
    arguments = parameters(request)
    arguments["model"] = request.model
    arguments["messages"] = request.messages
    if request.stream:
        arguments["stream"] = True
    return arguments


def usage(raw: Any) -> Usage | None:
    return parse_usage(raw, "input_tokens", "output_tokens")


def _finish(choice: Mapping[str, Any]) -> str | None:
    finish = choice.get("finish_reason")
    return None if finish in (None, "", "null") else str(finish)


def _first_choice(body: Mapping[str, Any]) -> Mapping[str, Any]:
    output = body.get("output") or {}
    choices = output.get("choices") if isinstance(output, Mapping) else None
    if choices and isinstance(choices, list) and isinstance(choices[0], Mapping):
        return choices[0]
    return {}


def parse_response(body: Mapping[str, Any]) -> Result:
    """A native JSON body to a normalized result (its id is the request id)."""
    choice = _first_choice(body)
    message = choice.get("message") or {}
    return result(
        message if isinstance(message, Mapping) else {},
        response_id=body.get("request_id"),
        request_id=body.get("request_id"),
        model=None,
        finish_reason=_finish(choice),
        usage=usage(body.get("usage")),
    )


def parse_event(body: Mapping[str, Any]) -> Delta:
    """One incremental stream event to a normalized delta."""
    delta = Delta()
    choice = _first_choice(body)
    if choice:
        message = choice.get("message")
        if message and isinstance(message, Mapping):
            copy_message_piece(message, delta)
        finish = _finish(choice)
        if finish:
            delta["finish_reason"] = finish
            parsed = usage(body.get("usage"))
            if parsed is not None:
                delta["usage"] = parsed
    request_id = body.get("request_id")
    if request_id:
        delta["request_id"] = delta["id"] = str(request_id)
    return delta


def checked(response: Mapping[str, Any]) -> Mapping[str, Any]:
    """The response or event itself, or its error raised (the SDK never raises)."""
    status = response.get("status_code")
    if status == 200:
        return response
    raise response_error(response)


def response_error(response: Mapping[str, Any]) -> KimiError:
    """A non-200 SDK response (or ``event:error``) to the project's exception."""
    status = response.get("status_code")
    headers = response.get("headers") or {}
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    return error_for(
        int(status) if status is not None else None,
        response.get("code") or None,
        str(response.get("message") or "The service returned an error."),
        response.get("request_id") or None,
        parse_retry_after(lowered),
    )
