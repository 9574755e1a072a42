"""Reading the probe's raw answers into what the service did (pure).

``read_answer`` turns one raw response into an ``Answer`` (status, the error's
code and message wherever the body put them, how the body was framed, the
JSON body or the stream's events). The ``*_reading`` functions each decide
one disputed behaviour from the answers that show it, as a ``Reading``: the
value of the simulator switch it settles, or ``None`` when the evidence does
not settle it, with a sentence saying what was seen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_kimi.probe.http import RawResponse

_SNAKE = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)+")
_CAMEL = re.compile(r"[A-Z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*")
_SSE_FIELDS = ("data:", "event:", "id:", ":")
_TOO_DEEP = "the body's JSON nests too deeply to read"


_PLACES = {
    "trailing": "a trailing chunk with empty choices",
    "choice": "choices[0].usage of the finishing chunk",
    "both": "both a trailing chunk and the finishing chunk's choices[0].usage",
}


@dataclass(frozen=True)
class Answer:
    """One response as the probe reads it; ``failure`` when none came."""

    status: int | None
    code: str | None = None
    message: str | None = None
    framing: str | None = None
    body: Any = None
    events: tuple[Mapping[str, Any], ...] = ()
    complete: bool = True
    failure: str | None = None

    def facts(self) -> dict[str, Any]:
        """The evidence worth keeping: status, code, message, framing."""
        facts: dict[str, Any] = {"status": self.status}
        for name in ("code", "message", "failure"):
            if getattr(self, name) is not None:
                facts[name] = getattr(self, name)
        if self.status is not None and self.status >= 400:
            facts["framing"] = self.framing
        if not self.complete:
            facts["closed_early"] = True  # read up to its first event only
        return facts


def read_answer(raw: RawResponse) -> Answer:
    """A raw response to an ``Answer``; bodies that parse as neither JSON nor
    SSE keep their text as the message."""
    text = raw.body.decode("utf-8", errors="replace")
    stripped = text.lstrip()
    events: tuple[Mapping[str, Any], ...] = ()
    body: Any = None
    if stripped.startswith(_SSE_FIELDS):
        framing = "sse"
        events = tuple(sse_events(text))
        detail: Any = events[0] if events else {}
    else:
        framing = "json"
        try:
            body = json.loads(text) if stripped else None
        except RecursionError:
            return Answer(raw.status, framing="text", failure=_TOO_DEEP)
        except ValueError:
            framing = "text"
        detail = body if isinstance(body, Mapping) else {}
    code, message = (None, None)
    if raw.status >= 400:
        code, message = error_detail(detail)
        if message is None and framing == "text":
            message = text[:300]
    return Answer(raw.status, code, message, framing, body, events, raw.complete)


def failed_answer(reason: str) -> Answer:
    return Answer(None, failure=reason)


def sse_events(text: str) -> list[Mapping[str, Any]]:
    """The JSON objects of a body's ``data:`` lines (``[DONE]`` and non-JSON
    data skipped)."""
    found: list[Mapping[str, Any]] = []
    for line in text.splitlines():
        if not line.startswith("data:"):
            continue
        try:
            data = json.loads(line[5:])
        except (ValueError, RecursionError):
            continue
        if isinstance(data, Mapping):
            found.append(data)
    return found


def error_detail(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """An error object's code and message: ``{"error": {...}}`` (compatible)
    or ``{"code", "message"}`` (native)."""
    inner = data.get("error")
    detail = inner if isinstance(inner, Mapping) else data
    code, message = detail.get("code"), detail.get("message")
    return (
        str(code) if code not in (None, "") else None,
        str(message) if message not in (None, "") else None,
    )


@dataclass(frozen=True)
class Reading:
    """One answer's verdict on one behaviour (``value`` None: not settled)."""

    value: Any
    said: str
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Observation:
    """What the probe concluded for one simulator switch, with its evidence."""

    switch: str
    value: Any
    summary: str
    readings: tuple[Mapping[str, Any], ...] = ()


def _what(answer: Answer) -> str:
    if answer.status is None:
        return f"no answer ({answer.failure})"
    if answer.status == 200:
        return "200"
    words = " ".join(str(p) for p in (answer.code, answer.message) if p)
    return f"{answer.status} {words}".strip()


def acceptance(answer: Answer, *words: str) -> Reading:
    """Accepted (200: True), refused with a message naming one of ``words``
    (False), or anything else (None)."""
    if answer.status == 200:
        return Reading(True, "accepted (200)")
    message = (answer.message or "").lower()
    if answer.status == 400 and any(word in message for word in words):
        return Reading(False, f"refused: {_what(answer)}")
    return Reading(None, f"unclear: {_what(answer)}")


def _choice(item: Mapping[str, Any]) -> Mapping[str, Any]:
    """The first choice of a compatible chunk or a native event or body."""
    output = item.get("output")
    holder = output if isinstance(output, Mapping) else item
    choices = holder.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], Mapping):
        return choices[0]
    return {}


def _calls(choice: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    message = choice.get("delta") or choice.get("message") or {}
    calls = message.get("tool_calls") if isinstance(message, Mapping) else None
    return [c for c in calls or () if isinstance(c, Mapping)]


def index_reading(answer: Answer) -> Reading:
    """True when every streamed tool-call piece carries ``index``."""
    if answer.status != 200:
        return Reading(None, f"no tool-call stream: {_what(answer)}")
    pieces = [piece for event in answer.events for piece in _calls(_choice(event))]
    indexed = sum(1 for piece in pieces if isinstance(piece.get("index"), int))
    facts = {"tool_call_pieces": len(pieces), "pieces_with_index": indexed}
    if not pieces:
        return Reading(None, "the stream had no tool-call pieces", facts)
    said = f"{indexed} of {len(pieces)} tool-call pieces carried index"
    return Reading(indexed == len(pieces), said, facts)


def usage_reading(answer: Answer) -> Reading:
    """Where a compatible stream put usage: "trailing", "choice" or "both"."""
    if answer.status != 200:
        return Reading(None, f"no stream: {_what(answer)}")
    trailing = any(
        event.get("choices") == [] and isinstance(event.get("usage"), Mapping)
        for event in answer.events
    )
    in_choice = any(
        isinstance(_choice(event).get("usage"), Mapping) for event in answer.events
    )
    top_level = any(
        event.get("choices") and isinstance(event.get("usage"), Mapping)
        for event in answer.events
    )
    facts = {
        "trailing_chunk_usage": trailing,
        "choice_usage": in_choice,
        "usage_beside_choices": top_level,
    }
    value = {(True, True): "both", (True, False): "trailing", (False, True): "choice"}
    found = value.get((trailing, in_choice))
    if found is None:
        where = "beside non-empty choices" if top_level else "nowhere"
        return Reading(None, f"usage came {where}", facts)
    return Reading(found, f"usage in {_PLACES[found]}", facts)


def call_count(answer: Answer) -> int | None:
    """Tool calls in a whole reply (None when there is no reply)."""
    if answer.status != 200 or not isinstance(answer.body, Mapping):
        return None
    return len(_calls(_choice(answer.body)))


def parallel_reading(default: Answer, allowed: Answer) -> Reading:
    """Several calls without ``parallel_tool_calls``: True; one call there but
    several once it is true: False; anything else does not settle it."""
    without, with_it = call_count(default), call_count(allowed)
    facts = {"calls_by_default": without, "calls_with_parallel_tool_calls": with_it}
    said = f"{without} call(s) by default, {with_it} with parallel_tool_calls=true"
    if without is not None and without >= 2:
        return Reading(True, said, facts)
    if without == 1 and with_it is not None and with_it >= 2:
        return Reading(False, said, facts)
    return Reading(None, said + " (the model made fewer than two when allowed)", facts)


def spelling(code: str) -> str | None:
    if _SNAKE.fullmatch(code):
        return "snake_case"
    if _CAMEL.fullmatch(code):
        return "CamelCase"
    return None


def spelling_reading(answers: Sequence[Answer]) -> Reading:
    """How an endpoint spells its codes, from every error code it sent."""
    codes = sorted({a.code for a in answers if a.code})
    kinds = {spelling(code) for code in codes}
    facts = {"codes": codes}
    if len(kinds) == 1 and None not in kinds:
        kind = kinds.pop()
        return Reading(kind, f"{kind}: {', '.join(codes)}", facts)
    said = f"mixed or unclear: {', '.join(codes)}" if codes else "no error codes seen"
    return Reading(None, said, facts)


def framing_reading(answer: Answer) -> Reading:
    """How a stream request's HTTP error body was framed: "json" or "sse"."""
    if answer.status is None or answer.status < 400:
        return Reading(None, f"no error answer: {_what(answer)}")
    if answer.framing in ("json", "sse"):
        return Reading(answer.framing, f"{answer.framing}: {_what(answer)}")
    return Reading(None, f"neither JSON nor SSE: {_what(answer)}")


def unknown_model_reading(answer: Answer) -> Reading:
    """404 ("not_found") or 400 naming the model ("model_not_exist")."""
    if answer.status == 404:
        return Reading("not_found", _what(answer))
    if answer.status == 400 and "model" in (answer.message or "").lower():
        return Reading("model_not_exist", _what(answer))
    return Reading(None, f"unclear: {_what(answer)}")


def _not_found(answer: Answer) -> bool:
    """Refused as a model the service does not serve (404, or 400 naming it)."""
    return answer.status == 404 or (
        answer.status == 400 and "model" in (answer.message or "").lower()
    )


def reach(answer: Answer) -> dict[str, Any]:
    """Whether one model answered on one endpoint: ``reachable`` true (200),
    false (refused: not served, or the key not valid there), or ``None`` (no
    answer), with the status, code and message."""
    reachable = None if answer.status is None else answer.status == 200
    found = {"reachable": reachable, **answer.facts()}
    if reachable is False:
        found["not_served"] = _not_found(answer)
    return found


def retired_reading(answers: Sequence[Answer]) -> Reading:
    """The seed's models: all answered ("served"), all refused as not served
    ("not_found"), or anything else (None)."""
    said = "; ".join(_what(answer) for answer in answers)
    if answers and all(answer.status == 200 for answer in answers):
        return Reading("served", f"still served: {said}")
    if answers and all(_not_found(answer) for answer in answers):
        return Reading("not_found", f"refused as not served: {said}")
    return Reading(None, f"unclear: {said}")
