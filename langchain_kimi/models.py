"""Per-model facts for Kimi on Model Studio, as data.

Every capability check, default, refusal and profile in this package reads this
table; nothing else branches on a model id. The numbers come from the Model
Studio "Kimi" page (features table, limits and prices, Nov 2025).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

THINKING_MODEL = "kimi-k2-thinking"
INSTRUCT_MODEL = "Moonshot-Kimi-K2-Instruct"

SAMPLING_PARAMETERS = ("temperature", "top_p", "presence_penalty")


@dataclass(frozen=True)
class KimiModelSpec:
    """What one Kimi model can do, with its limits and prices.

    ``None`` for a limit means "unknown": no client-side check is made.
    ``configurable`` lists the sampling parameters the service accepts;
    ``defaults`` are the service's own defaults (documentation only, never sent).
    """

    model: str
    context_window: int | None
    max_input_tokens: int | None
    max_reasoning_tokens: int | None
    max_output_tokens: int | None
    input_price_per_million: float | None
    output_price_per_million: float | None
    multi_turn: bool = True
    deep_thinking: bool = False
    function_calling: bool = True
    structured_output: bool = True
    web_search: bool = True
    partial_mode: bool = True
    context_cache: bool = False
    configurable: frozenset[str] = frozenset(SAMPLING_PARAMETERS)
    defaults: dict[str, float] = field(default_factory=dict)
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

    def as_dict(self) -> dict[str, Any]:
        """Plain-dict view, for docs, logs and the ``kimi_spec`` accessor."""
        return {
            "model": self.model,
            "context_window": self.context_window,
            "max_input_tokens": self.max_input_tokens,
            "max_reasoning_tokens": self.max_reasoning_tokens,
            "max_output_tokens": self.max_output_tokens,
            "input_price_per_million": self.input_price_per_million,
            "output_price_per_million": self.output_price_per_million,
            "multi_turn": self.multi_turn,
            "deep_thinking": self.deep_thinking,
            "function_calling": self.function_calling,
            "structured_output": self.structured_output,
            "web_search": self.web_search,
            "partial_mode": self.partial_mode,
            "context_cache": self.context_cache,
            "configurable": sorted(self.configurable),
            "defaults": dict(self.defaults),
            "known": self.known,
        }


MODELS: dict[str, KimiModelSpec] = {
    THINKING_MODEL: KimiModelSpec(
        model=THINKING_MODEL,
        context_window=262_144,
        max_input_tokens=229_376,
        max_reasoning_tokens=32_768,
        max_output_tokens=16_384,
        input_price_per_million=0.574,
        output_price_per_million=2.294,
        deep_thinking=True,
        function_calling=True,
        structured_output=True,
        web_search=False,
        partial_mode=False,
        context_cache=False,
        configurable=frozenset({"temperature"}),
        defaults={"temperature": 1.0},
    ),
    INSTRUCT_MODEL: KimiModelSpec(
        model=INSTRUCT_MODEL,
        context_window=131_072,
        max_input_tokens=131_072,
        max_reasoning_tokens=None,
        max_output_tokens=8_192,
        input_price_per_million=0.574,
        output_price_per_million=2.294,
        deep_thinking=False,
        function_calling=True,
        structured_output=False,
        web_search=True,
        partial_mode=False,
        context_cache=False,
        configurable=frozenset(SAMPLING_PARAMETERS),
        defaults={"temperature": 0.6, "top_p": 1.0, "presence_penalty": 0.0},
    ),
}

_BY_LOWER = {name.lower(): spec for name, spec in MODELS.items()}


def get_model_spec(model: str) -> KimiModelSpec:
    """Return the spec for ``model``; ids are matched case-insensitively.

    Unknown ids (future Kimi releases) get a permissive spec: every capability
    on, no limits, no price, so nothing is refused on the client side and the
    service has the last word.
    """
    spec = _BY_LOWER.get(model.lower())
    if spec is not None:
        return spec
    return KimiModelSpec(
        model=model,
        context_window=None,
        max_input_tokens=None,
        max_reasoning_tokens=None,
        max_output_tokens=None,
        input_price_per_million=None,
        output_price_per_million=None,
        deep_thinking="thinking" in model.lower(),
        known=False,
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
        "tool_choice": spec.function_calling,
        "tool_call_streaming": spec.function_calling,
        "structured_output": spec.structured_output,
        "temperature": "temperature" in spec.configurable,
    }
    if spec.max_input_tokens is not None:
        profile["max_input_tokens"] = spec.max_input_tokens
    if spec.max_output_tokens is not None:
        profile["max_output_tokens"] = spec.max_output_tokens
    return profile
