"""DashScope's native protocol (``/api/v1/services/aigc/{task}/generation``).

Pure functions: a ``ChatRequest`` to the dashscope SDK's call arguments (the
SDK builds ``{"model", "input": {"messages"}, "parameters"}`` from them); a
reply, a stream event and an error response to the normalized shapes and
exceptions. ``result_format`` is always ``message`` (the default ``text``
format has no messages) and streams are always incremental (otherwise every
event repeats the whole text so far). ``finish_reason`` is the string
``"null"`` until the last event, and usage is cumulative on every event, so
it is read from the finishing event only. The multimodal models are served
by the ``multimodal-generation`` task (even for text only), whose message
``content`` is a list of ``{"text"}`` / ``{"image"}`` / ``{"video"}`` items,
in requests and replies alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_kimi.errors import InvalidResponseError, KimiError
from langchain_kimi.protocols.common import (
    copy_message_piece,
    finish_of,
    in_band_error,
    invalid_body,
    parse_usage,
    result,
    whole_reply,
)
from langchain_kimi.protocols.types import Delta, ErrorInfo, Result, Usage
from langchain_kimi.request.build import ChatRequest

#: Where a base URL of this protocol ends (the service appends ``PATH``).
BASE_PATH = "/api/v1"
PATH = "/services/aigc/text-generation/generation"
MULTIMODAL_PATH = "/services/aigc/multimodal-generation/generation"
MULTIMODAL = "multimodal-generation"


def task(request: ChatRequest) -> str:
    """The ``aigc`` task serving the request's model."""
    return request.spec.native_task


def _item(part: Mapping[str, Any]) -> dict[str, Any]:
    """One OpenAI-style content part as a multimodal item."""
    kind = part.get("type")
    if kind == "image_url":
        return {"image": part["image_url"]["url"]}
    if kind in ("video_url", "video"):
        url = part["video_url"]["url"] if kind == "video_url" else part["video"]
        item: dict[str, Any] = {"video": url}
    else:
        item = {"text": part.get("text", "")}
    for key in ("fps", "cache_control"):
        if part.get(key) is not None:
            item[key] = part[key]
    return item


def multimodal_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages with their content as item lists (messages without content,
    such as a dynamic tools message, stay as they are)."""
    converted = []
    for message in messages:
        content = message.get("content")
        if content is None:
            converted.append(message)
            continue
        items = (
            ([{"text": content}] if content else [])
            if isinstance(content, str)
            else [_item(part) for part in content]
        )
        converted.append({**message, "content": items})
    return converted


#: The dashscope SDK's code for a stream event whose data was not JSON.
SDK_UNREADABLE = "Unknown"


def parameters(request: ChatRequest) -> dict[str, Any]:
    """The request's ``parameters`` object."""
    params = dict(request.params)
    params["result_format"] = "message"
    if request.stream:
        params["incremental_output"] = True
    return params


def call_arguments(request: ChatRequest) -> dict[str, Any]:
    """Keyword arguments for the SDK's generation call (``task``'s): ``model``,
    the ``input`` object and every parameter."""
    arguments = parameters(request)
    arguments["model"] = request.model
    messages = request.messages
    if task(request) == MULTIMODAL:
        messages = multimodal_messages(messages)
    arguments["input"] = {"messages": messages}
    if request.stream:
        arguments["stream"] = True
    return arguments


def usage(raw: Any) -> Usage | None:
    return parse_usage(raw, "input_tokens", "output_tokens")


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
        finish_reason=finish_of(choice),
        usage=usage(body.get("usage")),
    )


def parse_reply(body: bytes, request_id: str | None) -> Result:
    """A whole reply's bytes to a complete result, or the error they carry."""
    return whole_reply(body, request_id, parse_response)


def parse_event(body: Mapping[str, Any]) -> Delta:
    """One incremental stream event to a normalized delta."""
    delta = Delta()
    choice = _first_choice(body)
    if choice:
        message = choice.get("message")
        if message and isinstance(message, Mapping):
            copy_message_piece(message, delta)
        finish = finish_of(choice)
        if finish:
            delta["finish_reason"] = finish
            parsed = usage(body.get("usage"))
            if parsed is not None:
                delta["usage"] = parsed
    request_id = body.get("request_id")
    if request_id:
        delta["request_id"] = delta["id"] = str(request_id)
    return delta


def checked(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """A stream event from the SDK, or the in-band error it reports raised.

    The SDK gives an ``event:error`` status 400 whatever the service meant
    (it ignores ``:HTTP_STATUS`` comments), so the error is classified by its
    code alone. An event whose data was not JSON comes as code ``Unknown``
    with the raw data as its message; one whose data was JSON but not a reply
    (no ``output`` object) is unreadable too.
    """
    if event.get("status_code") != 200:
        raise event_error(event)
    if not isinstance(event.get("output"), Mapping):
        raise InvalidResponseError(
            "A stream event from the service has no output object; the reply "
            "could not be read.",
            request_id=event.get("request_id") or None,
        )
    return event


def event_error(event: Mapping[str, Any]) -> KimiError:
    request_id = str(event.get("request_id") or "") or None
    message = event.get("message")
    if event.get("code") == SDK_UNREADABLE:
        return invalid_body(
            "a stream event that is not JSON", str(message).encode(), request_id
        )
    return in_band_error(
        ErrorInfo(
            code=str(event.get("code") or "") or None,
            message=str(message or ""),
            request_id=request_id,
        ),
        None,
    )
