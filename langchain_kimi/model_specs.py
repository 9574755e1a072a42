"""Per-model facts for Kimi on Model Studio, as data.

Every capability check, default, refusal and profile in this package reads this
table; nothing else branches on a model id. The numbers come from the Model
Studio "Kimi" page (features table, limits and prices, Nov 2025).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

THINKING_MODEL = "kimi-k2-thinking"
INSTRUCT_MODEL = "Moonshot-Kimi-K2-Instruct"

SAMPLING_PARAMETERS = ("temperature", "top_p", "presence_penalty")


@dataclass(frozen=True)
class KimiModelSpec:
    """What one Kimi model can do, with its limits and prices.

    ``None`` for a limit means "unknown": no client-side check is made.
    ``configurable`` lists the sampling parameters the service accepts;
    ``max_choices`` how many choices (``n``) one request may ask for.
    ``forced_tool_choice`` says whether the service takes a ``tool_choice``
    that forces a named tool; thinking models refuse one (Model Studio API
    reference: "models in thinking mode do not support forcing a tool").
    """

    model: str
    context_window: int | None = None
    max_input_tokens: int | None = None
    max_reasoning_tokens: int | None = None
    max_output_tokens: int | None = None
    input_price_per_million: float | None = None
    output_price_per_million: float | None = None
    deep_thinking: bool = False
    function_calling: bool = True
    forced_tool_choice: bool = True
    structured_output: bool = True
    web_search: bool = True
    partial_mode: bool = True
    configurable: frozenset[str] = frozenset(SAMPLING_PARAMETERS)
    max_choices: int = 1
    known: bool = True

    def cost_usd(self, input_tokens: int, output_tokens: int) -> float | None:
        """Price of a call in USD from the table, or ``None`` when unknown."""
        if (
            self.input_price_per_million is None
            or self.output_price_per_million is None
        ):
            return None
        return (
            input_tokens * self.input_price_per_million
            + output_tokens * self.output_price_per_million
        ) / 1_000_000


#: Shared by both models on the seed page: prices, and no partial mode.
_K2_FAMILY: dict[str, Any] = {
    "input_price_per_million": 0.574,
    "output_price_per_million": 2.294,
    "function_calling": True,
    "partial_mode": False,
}

#: Read-only: ``get_model_spec`` indexes it once, so an edit would be ignored.
MODELS: Mapping[str, KimiModelSpec] = MappingProxyType(
    {
        THINKING_MODEL: KimiModelSpec(
            THINKING_MODEL,
            context_window=262_144,
            max_input_tokens=229_376,
            max_reasoning_tokens=32_768,
            max_output_tokens=16_384,
            deep_thinking=True,
            forced_tool_choice=False,
            structured_output=True,
            web_search=False,
            configurable=frozenset({"temperature"}),
            **_K2_FAMILY,
        ),
        INSTRUCT_MODEL: KimiModelSpec(
            INSTRUCT_MODEL,
            context_window=131_072,
            max_input_tokens=131_072,
            max_output_tokens=8_192,
            structured_output=False,
            web_search=True,
            **_K2_FAMILY,
        ),
    }
)

_BY_LOWER = {name.lower(): spec for name, spec in MODELS.items()}


def get_model_spec(model: str) -> KimiModelSpec:
    """Return the spec for ``model``; ids are matched case-insensitively.

    Unknown ids (future Kimi releases) get a permissive spec: every capability
    on, no limits, no price, so nothing is refused on the client side and the
    service has the last word. One guess is made from the name: an id with
    "thinking" in it is taken as a thinking model, which reasons and cannot
    be forced to call a tool (the API reference's rule for thinking mode).
    """
    spec = _BY_LOWER.get(model.lower())
    if spec is not None:
        return spec
    thinking = "thinking" in model.lower()
    return KimiModelSpec(
        model, deep_thinking=thinking, forced_tool_choice=not thinking, known=False
    )


def model_profile(spec: KimiModelSpec) -> dict[str, Any]:
    """langchain-core ``ModelProfile`` for a spec (text in, text out)."""
    profile: dict[str, Any] = {
        "text_inputs": True,
        "image_inputs": False,
        "image_url_inputs": False,
        "pdf_inputs": False,
        "audio_inputs": False,
        "video_inputs": False,
        "image_tool_message": False,
        "pdf_tool_message": False,
        "text_outputs": True,
        "image_outputs": False,
        "audio_outputs": False,
        "video_outputs": False,
        "reasoning_output": spec.deep_thinking,
        "tool_calling": spec.function_calling,
        "tool_choice": spec.function_calling and spec.forced_tool_choice,
        "tool_call_streaming": spec.function_calling,
        "structured_output": spec.structured_output,
        "temperature": "temperature" in spec.configurable,
    }
    if spec.max_input_tokens is not None:
        profile["max_input_tokens"] = spec.max_input_tokens
    if spec.max_output_tokens is not None:
        profile["max_output_tokens"] = spec.max_output_tokens
    return profile
