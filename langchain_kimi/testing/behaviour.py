"""Service behaviours the published references disagree on, as switches.

One plain, serializable settings object: ``Behaviour().to_dict()`` and
``Behaviour.from_dict(data)`` round-trip through JSON. Each default follows the
reference the project trusts most for Kimi on Model Studio (the Kimi page
first, then the API reference and its error-code page); flipping a switch lets
a test show the client works under the other reading too.

A *profile* is the file form: ``{"schema", "version", "source", "behaviour",
"evidence"}``, written by ``python -m langchain_kimi probe`` from what the real
service did, or shipped (``profiles/published.json``, the defaults).
``Behaviour.from_dict`` accepts either form; ``Behaviour.from_profile`` also
reads a path.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from importlib import resources
from os import PathLike
from typing import Any, Literal

from langchain_kimi.testing.replies import UsagePlacement

Spelling = Literal["snake_case", "CamelCase"]
Framing = Literal["json", "sse"]
UnknownModel = Literal["not_found", "model_not_exist"]
Endpoint = Literal["compatible", "native"]
Retired = Literal["served", "not_found"]
Unsupported = Literal["refused", "ignored"]

PROFILE_SCHEMA = "langchain-kimi/simulator-profile"
PROFILE_VERSION = 1
#: ``models`` (optional): which models of the lineup the probed key reached.
PROFILE_KEYS = frozenset(
    {"schema", "version", "source", "behaviour", "evidence", "models"}
)
#: Where the two-valued switches are per endpoint: ``<stem>_compatible`` and
#: ``<stem>_native``.
ENDPOINTS: tuple[Endpoint, ...] = ("compatible", "native")
#: The endpoint each protocol name (as ``RecordedRequest.protocol`` spells it)
#: is served on.
ENDPOINT_OF: dict[str, Endpoint] = {"openai": "compatible", "dashscope": "native"}

#: Switches the probe does not read: reading them would spend the account's
#: own limits.
UNPROBED = frozenset({"account_rate_limit"})

#: The values of the switches that are not true/false.
_VALUES: dict[str, tuple[str, ...]] = {
    "stream_usage": ("trailing", "choice", "both"),
    "error_codes_compatible": ("snake_case", "CamelCase"),
    "error_codes_native": ("snake_case", "CamelCase"),
    "stream_error_framing_compatible": ("json", "sse"),
    "stream_error_framing_native": ("json", "sse"),
    "unknown_model_compatible": ("not_found", "model_not_exist"),
    "unknown_model_native": ("not_found", "model_not_exist"),
    "retired_models": ("served", "not_found"),
    "thinking_budget_unsupported": ("refused", "ignored"),
}


@dataclass(frozen=True)
class Behaviour:
    """How the simulated service behaves where the references disagree."""

    json_mode_on_thinking: bool = True
    """A thinking call to a model with structured output (kimi-k3,
    kimi-k2-thinking) takes ``response_format={"type": "json_object"}`` (the
    Kimi page lists structured output for them). ``False`` follows the
    JSON-mode page (no Kimi model listed; thinking models lack it): such a
    request gets 400 ``InvalidParameter`` naming ``response_format`` and JSON
    mode."""

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

    forced_tool_choice_on_thinking: bool = False
    """The thinking model takes a ``tool_choice`` that forces a tool (the
    object naming one). The API reference: thinking models cannot be forced,
    so by default it gets 400 with Model Studio's thinking-mode message."""

    required_tool_choice: bool = False
    """The string ``"required"`` is a valid ``tool_choice`` (one partner spec
    says so for non-thinking models). The error-code page lists only
    ``"none"`` and ``"auto"``, so by default it gets 400 on every model but
    kimi-k3, whose page documents it (thinking or not)."""

    stream_usage: UsagePlacement = "trailing"
    """Where a compatible-mode stream carries usage: a trailing chunk with
    empty ``choices`` (the OpenAI form the compatible endpoint documents, sent
    with ``stream_options.include_usage``), ``choices[0].usage`` of the
    finishing chunk (seen in Kimi streams), or both. A scripted
    ``Reply(usage_in=...)`` overrides it."""

    error_codes_compatible: Spelling = "snake_case"
    """How the compatible endpoint spells the codes of its own refusals: the
    error-code page gives ``invalid_api_key``, ``model_not_found``,
    ``invalid_parameter_error``. A scripted fault's code is sent as given."""

    error_codes_native: Spelling = "CamelCase"
    """How the native endpoint spells them: ``InvalidApiKey``, ... ."""

    stream_error_framing_compatible: Framing = "json"
    """The body of an HTTP error answering a *stream* request on the
    compatible endpoint: plain JSON as the API reference shows error bodies,
    or SSE-framed (``data: {"error": {...}}``), as public client code quotes
    real errors."""

    stream_error_framing_native: Framing = "json"
    """The same on the native endpoint (SSE-framed there: ``event:error``
    with ``data:{"code", "message", "request_id"}``)."""

    unknown_model_compatible: UnknownModel = "not_found"
    """How the compatible endpoint refuses a model it does not serve: 404
    ``ModelNotFound`` / ``model_not_found``, or 400 ``InvalidParameter``
    "Model not exist." (both are quoted from the service)."""

    unknown_model_native: UnknownModel = "not_found"
    """The same on the native endpoint."""

    retired_models: Retired = "served"
    """The seed's two models (kimi-k2-thinking, Moonshot-Kimi-K2-Instruct),
    retired on 2026-07-09 per the Kimi page: ``"served"`` keeps answering them
    (as where they still run); ``"not_found"`` refuses them as an unknown
    model, in the form ``unknown_model_<endpoint>`` says (404
    ``model_not_found`` or 400 "Model not exist.")."""

    thinking_budget_unsupported: Unsupported = "refused"
    """``thinking_budget`` sent to a model whose page publishes none (kimi-k3,
    the seed's two): 400 ``InvalidParameter`` naming the parameter, or
    ``"ignored"`` (accepted, no effect). The page only says kimi-k3 has no
    budget, not what the service does with one."""
    account_rate_limit: bool = False
    """Enforce the account's rate limits (the simulator's ``account_limits``;
    the rate-limit page's 500 requests and 1,000,000 tokens a minute, maybe
    per second, by default) with 429s. Off by default so tests are not
    throttled; the probe leaves it alone (``UNPROBED``)."""

    @classmethod
    def switches(cls) -> dict[str, tuple[Any, ...]]:
        """Every switch with its possible values, the default first."""
        found: dict[str, tuple[Any, ...]] = {}
        for item in fields(cls):
            values = _VALUES.get(item.name, (True, False))
            found[item.name] = (item.default, *(v for v in values if v != item.default))
        return found

    def on(self, stem: str, endpoint: Endpoint) -> Any:
        """A per-endpoint switch's value, e.g. ``on("error_codes", "native")``."""
        return getattr(self, f"{stem}_{endpoint}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Behaviour:
        """Settings from their dict form, or from a whole profile.

        Unknown switches, values a switch does not take, and (in a profile)
        unknown keys, another schema or a newer version raise ``ValueError``.
        Switches left out keep their defaults.
        """
        if "behaviour" in data or "schema" in data:
            data = _profile_behaviour(data)
        known = cls.switches()
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(
                f"Unknown simulator behaviour {unknown}; known: {sorted(known)}."
            )
        for name, value in data.items():
            if not any(type(value) is type(v) and value == v for v in known[name]):
                allowed = ", ".join(json.dumps(v) for v in known[name])
                raise ValueError(
                    f"Behaviour {name} must be one of {allowed}: got {value!r}."
                )
        return cls(**data)

    @classmethod
    def from_profile(
        cls, profile: str | PathLike[str] | Mapping[str, Any]
    ) -> Behaviour:
        """Settings from a profile: a path to its JSON file, or the loaded dict."""
        if isinstance(profile, Mapping):
            return cls.from_dict(profile)
        with open(profile, encoding="utf-8") as file:
            data = json.load(file)
        if not isinstance(data, dict):
            raise ValueError(f"{profile}: a profile is a JSON object.")
        try:
            return cls.from_dict(data)
        except ValueError as error:
            raise ValueError(f"{profile}: {error}") from None


def _profile_behaviour(profile: Mapping[str, Any]) -> Mapping[str, Any]:
    unknown = sorted(set(profile) - PROFILE_KEYS)
    if unknown:
        raise ValueError(
            f"Unknown profile keys {unknown}; a profile has {sorted(PROFILE_KEYS)}."
        )
    if profile.get("schema") != PROFILE_SCHEMA:
        raise ValueError(
            f"Not a simulator profile: schema is {profile.get('schema')!r}, "
            f"expected {PROFILE_SCHEMA!r}."
        )
    version = profile.get("version")
    if version != PROFILE_VERSION:
        raise ValueError(
            f"Profile version {version!r} is not supported (this langchain-kimi "
            f"reads version {PROFILE_VERSION}); record it again with "
            "`python -m langchain_kimi probe`."
        )
    behaviour = profile.get("behaviour")
    if not isinstance(behaviour, Mapping):
        raise ValueError("A profile's 'behaviour' must be an object of switches.")
    return behaviour


def make_profile(
    behaviour: Behaviour,
    evidence: Mapping[str, Any],
    source: Mapping[str, Any],
) -> dict[str, Any]:
    """A profile's dict form (what ``probe --output`` writes)."""
    return {
        "schema": PROFILE_SCHEMA,
        "version": PROFILE_VERSION,
        "source": dict(source),
        "behaviour": behaviour.to_dict(),
        "evidence": dict(evidence),
    }


def published_profile() -> dict[str, Any]:
    """The shipped profile: what the published references describe."""
    text = (
        resources.files("langchain_kimi.testing")
        .joinpath("profiles/published.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data
