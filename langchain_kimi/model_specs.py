"""Per-model facts for Kimi on Model Studio, as data.

Every capability check, default, refusal and profile in this package reads this
table; nothing else branches on a model id. The rows come from the Model
Studio "Kimi" page: the seed's two (Nov 2025, retired on 2026-07-09) and
today's four (the page's 2026 versions). Where the page publishes no number
(context and prices of kimi-k3, kimi-k2.7-code, kimi-k2.6) the row leaves it
``None``: no client-side check and no ``cost_usd``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

THINKING_MODEL = "kimi-k2-thinking"
INSTRUCT_MODEL = "Moonshot-Kimi-K2-Instruct"
K3_MODEL = "kimi-k3"
CODE_MODEL = "kimi-k2.7-code"
K26_MODEL = "kimi-k2.6"
K25_MODEL = "kimi-k2.5"
DEFAULT_MODEL = K3_MODEL

#: The date the seed's two models were taken off Model Studio, and their
#: successors within Kimi (thinking only, then thinking optional).
RETIRED_ON = "2026-07-09"
SUCCESSORS = (K3_MODEL, CODE_MODEL, K26_MODEL, K25_MODEL)

SAMPLING_PARAMETERS = ("temperature", "top_p", "presence_penalty")

#: ``always``: thinks on every call (``enable_thinking=False`` is refused);
#: ``optional``: ``enable_thinking`` turns it on, off by default; ``none``.
Thinking = Literal["always", "optional", "none"]
#: Where the native endpoint serves a model (``/services/aigc/{task}/generation``).
NativeTask = Literal["text-generation", "multimodal-generation"]


@dataclass(frozen=True)
class KimiModelSpec:
    """What one Kimi model can do, with its limits and prices.

    ``None`` for a limit means "unknown": no client-side check is made.
    ``configurable`` lists the sampling parameters the service accepts;
    ``max_choices`` how many choices (``n``) one request may ask for.
    ``forced_tool_choice`` says whether a call *without* thinking may force a
    named tool; a thinking call never may (Model Studio API reference: "models
    in thinking mode do not support forcing a tool"). ``required_tool_choice``:
    the model's page documents ``tool_choice: "required"``.
    ``preserved_thinking``: earlier turns' reasoning is part of the model's
    context by default (``preserve_thinking`` turns it on elsewhere).
    ``dynamic_tools``: a system message may carry ``tools`` (no content).
    """

    model: str
    context_window: int | None = None
    max_input_tokens: int | None = None
    max_input_tokens_without_thinking: int | None = None
    max_reasoning_tokens: int | None = None
    max_output_tokens: int | None = None
    input_price_per_million: float | None = None
    output_price_per_million: float | None = None
    thinking: Thinking = "none"
    thinking_budget: bool = True
    preserved_thinking: bool = False
    function_calling: bool = True
    forced_tool_choice: bool = True
    required_tool_choice: bool = False
    structured_output: bool = True
    web_search: bool = True
    partial_mode: bool = True
    context_cache: bool = True
    dynamic_tools: bool = True
    image_inputs: bool = False
    video_inputs: bool = False
    native_task: NativeTask = "text-generation"
    configurable: frozenset[str] = frozenset(SAMPLING_PARAMETERS)
    max_choices: int = 1
    retired: str | None = None
    known: bool = True

    @property
    def deep_thinking(self) -> bool:
        """Whether a call thinks when ``enable_thinking`` is not sent."""
        return self.thinking == "always"

    @property
    def thinking_optional(self) -> bool:
        """Whether ``enable_thinking`` turns thinking on and off."""
        return self.thinking == "optional"

    def thinks(self, enable_thinking: bool | None) -> bool:
        """The effective thinking state of a call sending ``enable_thinking``."""
        if self.thinking == "optional" or not self.known:
            return self.deep_thinking if enable_thinking is None else enable_thinking
        return self.deep_thinking

    def input_limit(self, thinking: bool) -> int | None:
        """The max input in tokens for a call with (or without) thinking."""
        if not thinking and self.max_input_tokens_without_thinking is not None:
            return self.max_input_tokens_without_thinking
        return self.max_input_tokens

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


#: Shared by both models on the seed page: prices, no partial mode, retired.
_K2_FAMILY: dict[str, Any] = {
    "input_price_per_million": 0.574,
    "output_price_per_million": 2.294,
    "function_calling": True,
    "partial_mode": False,
    "dynamic_tools": False,
    "retired": RETIRED_ON,
}

#: Today's four: multimodal (the native endpoint's multimodal-generation),
#: function calling, context cache; no partial mode, web search or JSON mode
#: unless the row says so.
_LINEUP: dict[str, Any] = {
    "native_task": "multimodal-generation",
    "image_inputs": True,
    "video_inputs": True,
    "structured_output": False,
    "web_search": False,
    "partial_mode": False,
    "dynamic_tools": False,
}

#: Read-only: ``get_model_spec`` indexes it once, so an edit would be ignored.
MODELS: Mapping[str, KimiModelSpec] = MappingProxyType(
    {
        K3_MODEL: KimiModelSpec(
            K3_MODEL,
            **{
                **_LINEUP,
                "video_inputs": False,
                "structured_output": True,
                "web_search": True,
                "partial_mode": True,
                "dynamic_tools": True,
            },
            thinking="always",
            thinking_budget=False,
            preserved_thinking=True,
            forced_tool_choice=False,
            required_tool_choice=True,
        ),
        CODE_MODEL: KimiModelSpec(
            CODE_MODEL,
            thinking="always",
            preserved_thinking=True,
            forced_tool_choice=False,
            **_LINEUP,
        ),
        K26_MODEL: KimiModelSpec(K26_MODEL, thinking="optional", **_LINEUP),
        K25_MODEL: KimiModelSpec(
            K25_MODEL,
            context_window=262_144,
            max_input_tokens=258_048,
            max_input_tokens_without_thinking=260_096,
            max_reasoning_tokens=32_768,
            max_output_tokens=32_768,
            input_price_per_million=0.574,
            output_price_per_million=3.011,
            thinking="optional",
            **_LINEUP,
        ),
        THINKING_MODEL: KimiModelSpec(
            THINKING_MODEL,
            context_window=262_144,
            max_input_tokens=229_376,
            max_reasoning_tokens=32_768,
            max_output_tokens=16_384,
            thinking="always",
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
        model,
        thinking="always" if thinking else "none",
        forced_tool_choice=not thinking,
        image_inputs=True,
        video_inputs=True,
        known=False,
    )


def models_with(feature: str) -> list[str]:
    """The served (not retired) models whose row has ``feature`` on."""
    return [
        name
        for name, spec in MODELS.items()
        if spec.retired is None and getattr(spec, feature)
    ]


def retirement_note(spec: KimiModelSpec) -> str:
    """What to say about a retired model: the date and the successors."""
    return (
        f"{spec.model} was retired from Model Studio on {spec.retired}; use "
        f"{', '.join(SUCCESSORS[:2])} (thinking only) or "
        f"{', '.join(SUCCESSORS[2:])} (thinking optional) instead."
    )


def model_profile(spec: KimiModelSpec, thinking: bool | None = None) -> dict[str, Any]:
    """langchain-core ``ModelProfile`` for a spec, for calls with (or without)
    thinking (``None``: the model's default)."""
    thinks = spec.deep_thinking if thinking is None else thinking
    profile: dict[str, Any] = {
        "text_inputs": True,
        "image_inputs": spec.image_inputs,
        "image_url_inputs": spec.image_inputs,
        "pdf_inputs": False,
        "audio_inputs": False,
        "video_inputs": spec.video_inputs,
        "image_tool_message": False,
        "pdf_tool_message": False,
        "text_outputs": True,
        "image_outputs": False,
        "audio_outputs": False,
        "video_outputs": False,
        "reasoning_output": thinks,
        "tool_calling": spec.function_calling,
        "tool_choice": spec.function_calling
        and (spec.required_tool_choice if thinks else spec.forced_tool_choice),
        "tool_call_streaming": spec.function_calling,
        "structured_output": spec.structured_output,
        "temperature": "temperature" in spec.configurable,
    }
    limit = spec.input_limit(thinks)
    if limit is not None:
        profile["max_input_tokens"] = limit
    if spec.max_output_tokens is not None:
        profile["max_output_tokens"] = spec.max_output_tokens
    return profile
