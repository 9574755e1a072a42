"""What the simulator knows of Model Studio's Kimi models: its own data.

Written from the Model Studio Kimi page (models, limits and features table)
and the published API reference and error-code page, never imported from the
client's model table or request building: a wrong entry on either side is
then caught by a test instead of being mirrored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

_SAMPLING = frozenset({"temperature", "top_p", "presence_penalty"})
TEXT = frozenset({"text"})
TEXT_IMAGE = frozenset({"text", "image"})
TEXT_IMAGE_VIDEO = frozenset({"text", "image", "video"})
#: The date the Kimi page gives for the seed's two models leaving Model Studio.
RETIRED_ON = "2026-07-09"


@dataclass(frozen=True)
class ServiceModel:
    """One model as the service treats it.

    ``thinking``: always reasons (``reasoning_content``), and refuses a forced
    ``tool_choice`` ("models in thinking mode do not support forcing a tool").
    ``json_mode``: takes ``response_format={"type": "json_object"}``.
    ``settable``: the sampling parameters a request may set.
    ``hybrid``: thinks only when a call sends ``enable_thinking: true`` (off
    by default); ``thinks`` gives a call's effective state.
    ``thinking_budget``: takes ``thinking_budget`` (published for it).
    ``inputs``: what user content may carry (``text``, ``image``, ``video``).
    ``multimodal``: served natively at multimodal-generation, not
    text-generation. ``dynamic_tools``: takes a system message carrying
    ``tools``. ``required_choice``: takes ``tool_choice: "required"`` even
    while thinking. ``retired``: the date it left the service.
    """

    name: str
    thinking: bool = False
    max_output_tokens: int | None = None
    tools: bool = True
    json_mode: bool = True
    web_search: bool = True
    partial_mode: bool = True
    settable: frozenset[str] = _SAMPLING
    hybrid: bool = False
    thinking_budget: bool = False
    inputs: frozenset[str] = TEXT
    multimodal: bool = False
    dynamic_tools: bool = False
    required_choice: bool = False
    retired: str | None = None


def _hybrid(name: str, **limits: Any) -> ServiceModel:
    return ServiceModel(
        name,
        hybrid=True,
        thinking_budget=True,
        inputs=TEXT_IMAGE_VIDEO,
        multimodal=True,
        json_mode=False,
        web_search=False,
        partial_mode=False,
        **limits,
    )


#: The Kimi page (latest, 2026): kimi-k3 thinks always, takes images (no video
#: yet), structured output, web search, partial mode, dynamic tools and
#: ``"required"``, and has no thinking budget; kimi-k2.7-code thinks always;
#: kimi-k2.6 and kimi-k2.5 think only when asked. All four are multimodal on
#: the native endpoint; context cache on every row. kimi-k2.5's maximum
#: response is 32,768 tokens; the others publish no limit. The seed's two
#: (retired on ``RETIRED_ON``): function calling, no partial mode, structured
#: output only on the thinking one, web search only on Instruct;
#: kimi-k2-thinking's top_p and presence_penalty are not configurable.
KIMI_MODELS: dict[str, ServiceModel] = {
    "kimi-k3": ServiceModel(
        "kimi-k3",
        thinking=True,
        inputs=TEXT_IMAGE,
        multimodal=True,
        dynamic_tools=True,
        required_choice=True,
    ),
    "kimi-k2.7-code": ServiceModel(
        "kimi-k2.7-code",
        thinking=True,
        thinking_budget=True,
        inputs=TEXT_IMAGE_VIDEO,
        multimodal=True,
        json_mode=False,
        web_search=False,
        partial_mode=False,
    ),
    "kimi-k2.6": _hybrid("kimi-k2.6"),
    "kimi-k2.5": _hybrid("kimi-k2.5", max_output_tokens=32_768),
    "kimi-k2-thinking": ServiceModel(
        "kimi-k2-thinking",
        thinking=True,
        max_output_tokens=16_384,
        web_search=False,
        partial_mode=False,
        settable=frozenset({"temperature"}),
        retired=RETIRED_ON,
    ),
    "Moonshot-Kimi-K2-Instruct": ServiceModel(
        "Moonshot-Kimi-K2-Instruct",
        max_output_tokens=8_192,
        json_mode=False,
        partial_mode=False,
        retired=RETIRED_ON,
    ),
}

#: The ``tool_choice`` strings the API reference and error-code page document;
#: the only other documented form is the object naming one function.
TOOL_CHOICE_STRINGS = ("none", "auto")


def unlisted_model(name: str) -> ServiceModel:
    """A model the simulator is told to serve beyond the Kimi page: no limits;
    a ``thinking`` in its name makes it a thinking model."""
    return ServiceModel(name, thinking="thinking" in name.lower())


def thinks(model: ServiceModel, params: Mapping[str, Any]) -> bool:
    """Whether this call reasons: always on a thinking model; on a hybrid one
    only with ``enable_thinking: true``."""
    return model.thinking or (model.hybrid and params.get("enable_thinking") is True)


def as_called(model: ServiceModel, params: Mapping[str, Any]) -> ServiceModel:
    """The model as this call meets it: ``thinking`` is the call's state, so
    every thinking rule (reasoning, forced choice, JSON mode) follows it."""
    return replace(model, thinking=thinks(model, params))
