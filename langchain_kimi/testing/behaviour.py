"""Service behaviours the published references disagree on, as switches.

One plain, serializable settings object: ``Behaviour().to_dict()`` and
``Behaviour.from_dict(data)`` round-trip through JSON. Each default follows the
reference the project trusts most for Kimi on Model Studio (the Kimi page
first, then the API reference); flipping a switch lets a test show the client
works under the other reading too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Behaviour:
    """How the simulated service behaves where the references disagree."""

    json_mode_on_thinking: bool = True
    """kimi-k2-thinking takes ``response_format={"type": "json_object"}`` (the
    Kimi page lists structured output for it). ``False`` follows the JSON-mode
    page (no Kimi model listed; thinking models lack it): such a request gets
    400 ``InvalidParameter`` naming ``response_format`` and JSON mode."""

    require_reasoning_in_tool_turns: bool = False
    """Thinking models refuse an assistant tool-call turn sent back without its
    ``reasoning_content``, with Kimi's own platform's 400 text. Off by default:
    no reference says Model Studio does this."""

    tool_call_index_in_stream: bool = True
    """Streamed tool-call pieces carry ``index``. ``False`` follows public
    client code noting that DashScope does not always send it: no piece has
    an index, and only a call's first piece has its id."""

    parallel_tool_calls_default: bool = False
    """What a request without ``parallel_tool_calls`` gets: the API reference
    says false, so at most one tool call per turn (scripted replies included)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Behaviour:
        """Settings from their dict form; unknown names and non-booleans raise."""
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(
                f"Unknown simulator behaviour {unknown}; known: {sorted(known)}."
            )
        for name, value in data.items():
            if not isinstance(value, bool):
                raise ValueError(f"Behaviour {name} must be true or false: {value!r}.")
        return cls(**data)
