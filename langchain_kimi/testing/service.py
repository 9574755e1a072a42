"""What the simulator knows of Model Studio's Kimi models: its own data.

Written from the Model Studio Kimi page (models, limits and features table)
and the published API reference and error-code page, never imported from the
client's model table or request building: a wrong entry on either side is
then caught by a test instead of being mirrored.
"""

from __future__ import annotations

from dataclasses import dataclass

_SAMPLING = frozenset({"temperature", "top_p", "presence_penalty"})


@dataclass(frozen=True)
class ServiceModel:
    """One model as the service treats it.

    ``thinking``: always reasons (``reasoning_content``), and refuses a forced
    ``tool_choice`` ("models in thinking mode do not support forcing a tool").
    ``json_mode``: takes ``response_format={"type": "json_object"}``.
    ``settable``: the sampling parameters a request may set.
    """

    name: str
    thinking: bool = False
    max_output_tokens: int | None = None
    tools: bool = True
    json_mode: bool = True
    web_search: bool = True
    partial_mode: bool = True
    settable: frozenset[str] = _SAMPLING


#: The Kimi page: both models do function calling and have no partial mode;
#: only the thinking model has structured output, only Instruct web search;
#: kimi-k2-thinking's top_p and presence_penalty are not configurable.
KIMI_MODELS: dict[str, ServiceModel] = {
    "kimi-k2-thinking": ServiceModel(
        "kimi-k2-thinking",
        thinking=True,
        max_output_tokens=16_384,
        web_search=False,
        partial_mode=False,
        settable=frozenset({"temperature"}),
    ),
    "Moonshot-Kimi-K2-Instruct": ServiceModel(
        "Moonshot-Kimi-K2-Instruct",
        max_output_tokens=8_192,
        json_mode=False,
        partial_mode=False,
    ),
}

#: The ``tool_choice`` strings the API reference and error-code page document;
#: the only other documented form is the object naming one function.
TOOL_CHOICE_STRINGS = ("none", "auto")


def unlisted_model(name: str) -> ServiceModel:
    """A model the simulator is told to serve beyond the Kimi page: no limits;
    a ``thinking`` in its name makes it a thinking model."""
    return ServiceModel(name, thinking="thinking" in name.lower())
