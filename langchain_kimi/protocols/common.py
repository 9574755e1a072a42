"""What both protocols spell alike: usage counts, tool calls, message pieces,
error bodies (JSON, SSE-framed or text; nested or flat) and the completeness
check every whole reply passes."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from langchain_kimi.errors import (
    IncompleteReplyError,
    InvalidResponseError,
    KimiError,
    error_for,
)
from langchain_kimi.protocols.shapes import (
    clean,
    message_text,
    tool_call_pieces,
    whole_tool_calls,
)
from langchain_kimi.protocols.types import (
    Delta,
    ErrorInfo,
    Result,
    Usage,
)


def _count(value: Any) -> int | None:
    """A token count from a number or numeric string; ``None`` if it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, (float, str)):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() and number >= 0 else None
    return None


def parse_usage(raw: Any, input_key: str, output_key: str) -> Usage | None:
    """Usage under either protocol's names; ``None`` when the counts do not parse.

    A reply whose usage is null or not numeric still returns its answer; it
    only goes without usage (and cost), never with made-up zeros.
    """
    if not isinstance(raw, Mapping):
        return None
    input_tokens = _count(raw.get(input_key))
    output_tokens = _count(raw.get(output_key))
    if input_tokens is None or output_tokens is None:
        return None
    total = _count(raw.get("total_tokens"))
    usage = Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=total if total is not None else input_tokens + output_tokens,
    )
    out_details = raw.get(f"{output_key}_details")
    if isinstance(out_details, Mapping):
        reasoning = _count(out_details.get("reasoning_tokens"))
        if reasoning is not None:
            usage["reasoning_tokens"] = reasoning
    for details in (f"{input_key}_details", "prompt_tokens_details"):
        in_details = raw.get(details)
        if isinstance(in_details, Mapping):
            cached = _count(in_details.get("cached_tokens"))
            if cached is not None:
                usage["cached_tokens"] = cached
                created = _count(in_details.get("cache_creation_input_tokens"))
                if created:
                    usage["cache_creation_tokens"] = created
                break
    return usage


def copy_message_piece(message: Mapping[str, Any], delta: Delta) -> None:
    """Copy what a streamed message piece carries (text, reasoning, tool calls)."""
    content = message.get("content")
    if content:
        text = message_text(content)
        if text:
            delta["content"] = text
    reasoning = message.get("reasoning_content")
    if reasoning:
        text = message_text(reasoning)
        if text:
            delta["reasoning_content"] = text
    calls = message.get("tool_calls")
    if calls and isinstance(calls, list):
        delta["tool_calls"] = tool_call_pieces(calls)


def finish_of(choice: Mapping[str, Any]) -> str | None:
    """A choice's finish reason; ``None`` while unfinished (native streams say
    the string ``"null"`` until the end; some proxies do on the compatible
    endpoint too) and for anything that is not a reason's name."""
    finish = choice.get("finish_reason")
    if not isinstance(finish, str) or finish in ("", "null"):
        return None  # a number, or the string "null", is no finish
    return finish


def result(
    message: Mapping[str, Any],
    *,
    response_id: Any,
    request_id: Any,
    model: Any,
    finish_reason: str | None,
    usage: Usage | None,
) -> Result:
    """A whole reply in the normalized shape."""
    return Result(
        id=str(response_id) if response_id else None,
        request_id=str(request_id) if request_id else None,
        model=model if isinstance(model, str) else None,
        content=message_text(message.get("content")),
        reasoning_content=message_text(message.get("reasoning_content")) or None,
        tool_calls=whole_tool_calls(message.get("tool_calls")),
        finish_reason=finish_reason,
        usage=usage,
    )


# -- reading bodies and errors -------------------------------------------------

_SNIPPET = 300


def snippet(body: bytes) -> str:
    """The start of a body as text, for a message (undecodable bytes replaced)."""
    text = " ".join(body[: _SNIPPET * 4].decode("utf-8", "replace").split())
    return text[:_SNIPPET] + ("..." if len(text) > _SNIPPET else "")


class TooDeep(ValueError):
    """JSON nested past what the parser can follow (``RecursionError``)."""


def loads(data: bytes | str) -> Any:
    """``json.loads``; JSON nested too deeply raises ``TooDeep`` (a
    ``ValueError``), not ``RecursionError``."""
    try:
        return json.loads(data)
    except RecursionError:
        raise TooDeep("JSON nested too deeply") from None


def invalid_body(what: str, body: bytes, request_id: str | None) -> KimiError:
    """The error for a reply that cannot be read as the protocol says."""
    shown = f": {snippet(body)!r}" if body.strip() else " (empty)"
    return InvalidResponseError(
        f"The service sent {what}{shown}.", status_code=200, request_id=request_id
    )


def decode_object(body: bytes, request_id: str | None = None) -> Mapping[str, Any]:
    """A whole reply's JSON object; ``InvalidResponseError`` if it is not one."""
    try:
        data = loads(body)
    except TooDeep:
        raise invalid_body("a reply nested too deeply", body, request_id) from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError alike
        raise invalid_body("a reply that is not JSON", body, request_id) from None
    if not isinstance(data, Mapping):
        raise invalid_body("a reply that is not a JSON object", body, request_id)
    return data


def error_info(data: Mapping[str, Any]) -> ErrorInfo:
    """Code, message and request id of an error object, nested or flat.

    The compatible endpoint nests them (``{"error": {...}, "request_id"}``),
    the native one does not (``{"code", "message", "request_id"}``).
    """
    inner = data.get("error")
    detail: Mapping[str, Any] = inner if isinstance(inner, Mapping) else data
    code = detail.get("code") or detail.get("type")
    message = detail.get("message") or detail.get("msg")
    request_id = data.get("request_id") or detail.get("request_id")
    return ErrorInfo(
        code=clean(str(code)) if code else None,
        message=clean(str(message)) if message else "",
        request_id=clean(str(request_id)) if request_id else None,
    )


def _json_candidates(body: bytes) -> list[bytes]:
    """Where an error body's JSON may be: its ``data:`` lines if SSE-framed."""
    lines = [line.strip() for line in body.splitlines()]
    framed = [line[5:].strip() for line in lines if line.startswith(b"data:")]
    return framed or [body]


def body_error_info(body: bytes | None) -> ErrorInfo:
    """What an HTTP error body says: JSON, SSE-framed JSON, or plain text
    (JSON nested too deeply raises ``TooDeep``)."""
    for candidate in _json_candidates(body or b""):
        try:
            data = loads(candidate)
        except TooDeep:
            raise
        except ValueError:
            continue
        if isinstance(data, Mapping):
            return error_info(data)
    text = snippet(body or b"")
    return ErrorInfo(code=None, message=text, request_id=None)


def status_error(
    status: int,
    body: bytes | None,
    headers: Mapping[str, str],
    request_id: str | None,
    *,
    expected_path: str | None = None,
) -> KimiError:
    """An HTTP error status to the project's class, with the body's own facts.

    ``headers`` answers lower-case names; ``request_id`` is the one from the
    response headers, used when the body has none. A 404 that is no service
    error object (a server, not the service, answered) names
    ``expected_path``, where base_url should end.
    """
    try:
        info = body_error_info(body)
    except TooDeep:
        return InvalidResponseError(
            f"The service answered HTTP {status} with an error body nested too "
            "deeply to read.",
            status_code=status,
            request_id=request_id,
        )
    message = info["message"] or f"The service answered HTTP {status}."
    advice = None
    if status == 404 and info["code"] is None and expected_path:
        advice = (
            f"Nothing answers at this address: base_url should end in "
            f"{expected_path} (e.g. https://dashscope.aliyuncs.com{expected_path})."
        )
    return error_for(
        status,
        info["code"],
        message,
        info["request_id"] or request_id,
        parse_retry_after(headers),
        advice,
    )


def in_band_error(info: ErrorInfo, request_id: str | None) -> KimiError:
    """An error sent under HTTP 200 (a stream event or a whole body), by its code."""
    return error_for(
        None,
        info["code"],
        info["message"] or "The service reported an error.",
        info["request_id"] or request_id,
    )


def is_error_object(data: Mapping[str, Any]) -> bool:
    """Whether a 200 body or event is an error object instead of a reply.

    ``{"error": {...}}`` on the compatible endpoint; a ``code`` with no
    ``output`` (nor ``choices``) on the native one.
    """
    if data.get("error"):
        return True
    return bool(data.get("code")) and "output" not in data and "choices" not in data


def unexpected_body(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    request_id: str | None,
    *,
    expected_path: str | None = None,
) -> KimiError:
    """A stream request answered with a body that is not an event stream."""
    if status >= 400:
        return status_error(
            status, body, headers, request_id, expected_path=expected_path
        )
    try:
        data = loads(body)
    except ValueError:
        data = None
    if isinstance(data, Mapping) and is_error_object(data):
        return in_band_error(error_info(data), request_id)
    return invalid_body("a body that is not an event stream", body, request_id)


def whole_reply(
    body: bytes,
    request_id: str | None,
    parse: Callable[[Mapping[str, Any]], Result],
) -> Result:
    """A whole reply's bytes to a complete result (``parse`` reads the object).

    A body that is not a JSON object, an error object sent under HTTP 200,
    and a reply with no choices or no finish reason all raise.
    """
    data = decode_object(body, request_id)
    if is_error_object(data):
        raise in_band_error(error_info(data), request_id)
    return complete(parse(data))


def complete(result: Result) -> Result:
    """The result, if the model finished it; a cut or empty reply raises."""
    if result["finish_reason"] is None:
        raise IncompleteReplyError(
            "The reply came without a finish reason (no choices, or a cut "
            "answer); it was not returned as complete.",
            request_id=result["request_id"],
        )
    return result


def parse_retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or date).

    ``headers`` must answer lower-case names (httpx and requests headers do;
    plain dicts are lower-cased by the caller).
    """
    if not headers:
        return None
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, float(parsed.timestamp()) - time.time())
