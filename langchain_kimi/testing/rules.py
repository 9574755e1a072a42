"""The service's own checks, as the simulator applies them to every request.

Each returns ``(status, code, message)`` for a refused request, else ``None``.
Messages follow the real service's wording where it is known (the JSON-word
rule, ``tool_choice`` values, forced choice in thinking mode, Kimi's missing
reasoning); elsewhere they are plain statements of the rule. Disputed rules
apply as ``Behaviour`` says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain_kimi.testing.behaviour import Behaviour, Retired, UnknownModel
from langchain_kimi.testing.content import text_of
from langchain_kimi.testing.service import TOOL_CHOICE_STRINGS, ServiceModel

Refusal = tuple[int, str, str]
_PUBLISHED = Behaviour()

JSON_WORD_MESSAGE = (
    "'messages' must contain the word 'json' in some form, to use "
    "'response_format' of type 'json_object'."
)
#: The error-code page.
TOOL_CHOICE_STRING_MESSAGE = (
    'tool_choice is one of the strings that should be ["none", "auto"]'
)
#: Model Studio's answer to a forced choice with thinking on (quoted in public
#: client code; the API reference: thinking models cannot be forced).
FORCED_IN_THINKING_MESSAGE = (
    "The tool_choice parameter does not support being set to required or object "
    "in thinking mode"
)
#: Kimi's own platform (``Behaviour.require_reasoning_in_tool_turns``).
MISSING_REASONING_MESSAGE = (
    "thinking is enabled but reasoning_content is missing in assistant tool call "
    "message"
)
#: ``Behaviour.json_mode_on_thinking=False``: names the parameter and JSON mode.
JSON_MODE_IN_THINKING_MESSAGE = (
    "The response_format parameter is invalid: Json mode response is not "
    "supported when enable_thinking is true"
)


def check_auth(authorization: str | None, api_key: str) -> Refusal | None:
    if not authorization or authorization != f"Bearer {api_key}":
        return (401, "InvalidApiKey", "Invalid API-key provided.")
    return None


#: ``Behaviour.unknown_model_*="model_not_exist"``: the native endpoint's
#: wording as quoted from the service.
MODEL_NOT_EXIST_MESSAGE = "Model not exist."


#: Thinking-only models sent ``enable_thinking: false`` (quoted from the service).
THINKING_RESTRICTED_MESSAGE = (
    "The value of the enable_thinking parameter is restricted to True."
)
#: The native endpoint's answer to a model called on the other generation
#: path (a multimodal model on text-generation; quoted in public threads).
WRONG_PATH_MESSAGE = (
    "url error, please check url\uff01 For details, see: "
    "https://help.aliyun.com/zh/model-studio/error-code#error-url"
)


def check_model(
    model: Any,
    models: Mapping[str, ServiceModel],
    form: UnknownModel = "not_found",
    retired: Retired = "served",
) -> Refusal | None:
    """A model the service does not serve (a retired one too, unless
    ``retired`` is ``"served"``): 404, or 400 "Model not exist."."""
    served = isinstance(model, str) and model in models
    if served and (retired == "served" or not models[model].retired):
        return None
    if form == "model_not_exist":
        return _invalid(MODEL_NOT_EXIST_MESSAGE)
    return (404, "ModelNotFound", f"The model `{model}` does not exist.")


def _invalid(message: str) -> Refusal:
    return (400, "InvalidParameter", message)


def check_path(model: ServiceModel, multimodal_route: bool) -> Refusal | None:
    """On the native endpoint: multimodal models only at multimodal-generation,
    the others only at text-generation."""
    return (
        None if model.multimodal == multimodal_route else _invalid(WRONG_PATH_MESSAGE)
    )


def check_thinking(
    model: ServiceModel, params: Mapping[str, Any], behaviour: Behaviour
) -> Refusal | None:
    """``enable_thinking``, ``thinking_budget``, ``preserve_thinking``."""
    for name in ("enable_thinking", "preserve_thinking"):
        value = params.get(name)
        if value is not None and not isinstance(value, bool):
            return _invalid(f"The parameter {name} must be a boolean.")
    if model.thinking and params.get("enable_thinking") is False:
        return _invalid(THINKING_RESTRICTED_MESSAGE)
    budget = params.get("thinking_budget")
    if budget is None:
        return None
    if not isinstance(budget, int) or isinstance(budget, bool) or budget < 1:
        return _invalid("The parameter thinking_budget must be a positive integer.")
    if not model.thinking_budget and behaviour.thinking_budget_unsupported == (
        "refused"
    ):
        return _invalid(
            f"The parameter thinking_budget is not supported by {model.name}."
        )
    return None


def check_messages(messages: Any) -> Refusal | None:
    if not isinstance(messages, list) or not messages:
        return _invalid("Input messages must not be empty.")
    open_ids: set[str] = set()
    for message in messages:
        role = message.get("role")
        if role == "assistant":
            open_ids = {c.get("id") for c in message.get("tool_calls") or ()}
        elif role == "tool":
            if message.get("tool_call_id") not in open_ids:
                return _invalid(
                    "messages with role 'tool' must be a response to a preceeding "
                    "message with 'tool_calls'."
                )
        elif role in ("user", "system"):
            open_ids = set()
        else:
            return _invalid(
                f"Role must be in [system, user, assistant, tool], got {role}."
            )
    return None


def check_parameters(
    model: ServiceModel,
    params: Mapping[str, Any],
    messages: Sequence[Mapping[str, Any]],
    behaviour: Behaviour,
) -> Refusal | None:
    for name in ("temperature", "top_p", "presence_penalty"):
        if params.get(name) is not None and name not in model.settable:
            return _invalid(f"The parameter {name} is not supported by {model.name}.")
    max_tokens = params.get("max_tokens")
    if (
        max_tokens is not None
        and model.max_output_tokens is not None
        and not 1 <= max_tokens <= model.max_output_tokens
    ):
        return _invalid(f"Range of max_tokens should be [1, {model.max_output_tokens}]")
    if (params.get("enable_search") or params.get("search_options")) and not (
        model.web_search
    ):
        return _invalid(f"The model {model.name} does not support enable_search.")
    if params.get("tools") and not model.tools:
        return _invalid(f"The model {model.name} does not support tools.")
    if messages and messages[-1].get("partial") and not model.partial_mode:
        return _invalid(f"The model {model.name} does not support partial mode.")
    return (
        check_thinking(model, params, behaviour)
        or check_tool_choice(model, params.get("tool_choice"), behaviour)
        or check_reasoning(model, messages, behaviour)
        or check_response_format(
            model, params.get("response_format"), messages, behaviour
        )
    )


def check_tool_choice(
    model: ServiceModel, choice: Any, behaviour: Behaviour = _PUBLISHED
) -> Refusal | None:
    """Only "auto", "none" (and "required" if ``behaviour`` takes it, or the
    model documents it: kimi-k3, thinking or not) and the object naming one
    function; with thinking on, nothing that forces a tool (unless
    ``behaviour`` allows it)."""
    if choice is None:
        return None
    required = behaviour.required_tool_choice or model.required_choice
    strings = TOOL_CHOICE_STRINGS + (("required",) if required else ())
    if isinstance(choice, str) and choice not in strings:
        return _invalid(TOOL_CHOICE_STRING_MESSAGE)
    forcing = isinstance(choice, dict) or (
        choice == "required" and not model.required_choice
    )
    if forcing and model.thinking and not behaviour.forced_tool_choice_on_thinking:
        return _invalid(FORCED_IN_THINKING_MESSAGE)
    if isinstance(choice, dict):
        function = choice.get("function")
        if choice.get("type") != "function" or not (
            isinstance(function, dict) and function.get("name")
        ):
            return _invalid("tool_choice must name a function.")
    return None


def check_reasoning(
    model: ServiceModel, messages: Sequence[Mapping[str, Any]], behaviour: Behaviour
) -> Refusal | None:
    if not (model.thinking and behaviour.require_reasoning_in_tool_turns):
        return None
    for message in messages:
        if (
            message.get("role") == "assistant"
            and message.get("tool_calls")
            and not message.get("reasoning_content")
        ):
            return _invalid(MISSING_REASONING_MESSAGE)
    return None


def check_response_format(
    model: ServiceModel,
    response_format: Any,
    messages: Sequence[Mapping[str, Any]],
    behaviour: Behaviour,
) -> Refusal | None:
    kind = response_format.get("type") if isinstance(response_format, dict) else None
    if not kind or kind == "text":
        return None
    if not model.json_mode or kind != "json_object":
        return _invalid(
            f"The response_format type {kind} is not supported by {model.name}."
        )
    if model.thinking and not behaviour.json_mode_on_thinking:
        return _invalid(JSON_MODE_IN_THINKING_MESSAGE)
    if not any(
        "json" in text_of(message.get("content")).lower() for message in messages
    ):
        return _invalid(JSON_WORD_MESSAGE)
    return None
