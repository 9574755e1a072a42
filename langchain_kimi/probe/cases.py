"""The probe's fixed requests: small, cheap, one per question per endpoint.

Each ``Case`` is one request in one endpoint's protocol, built here from
plain dicts rather than through ChatKimi's request building: the probe asks
the service about its raw behaviour, including requests ChatKimi would never
send (a forced ``tool_choice`` on the thinking model, the string
``"required"``, a tool-call turn without reasoning).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Endpoint = Literal["compatible", "native"]
ENDPOINTS: tuple[Endpoint, ...] = ("compatible", "native")
#: The Kimi page's 2026 lineup; multimodal on the native endpoint. The disputed
#: behaviours are asked of kimi-k3 (always thinking) and kimi-k2.6 (thinking
#: off by default, so it stands for a model that does not think).
LINEUP = ("kimi-k3", "kimi-k2.7-code", "kimi-k2.6", "kimi-k2.5")
THINKING = "kimi-k3"
NOT_THINKING = "kimi-k2.6"
#: The models that think on every call (their requests are cut short).
ALWAYS_THINKING = ("kimi-k3", "kimi-k2.7-code", "kimi-k2-thinking")
#: The seed's two models, retired on 2026-07-09: asked whether still served.
SEED = ("kimi-k2-thinking", "Moonshot-Kimi-K2-Instruct")
#: Cases named ``reach:<model>/<endpoint>`` ask only whether the key reaches it.
REACH = "reach:"
#: Every request asks for at most this many output tokens.
MAX_TOKENS = 128
UNKNOWN_MODEL = "kimi-langchain-probe-no-such-model"
#: Sent instead of the user's key where the point is the refusal.
WRONG_KEY = "sk-langchain-kimi-probe-not-a-key"
_PATHS = {
    "compatible": "/chat/completions",
    "native": "/services/aigc/text-generation/generation",
    "multimodal": "/services/aigc/multimodal-generation/generation",
}
_TRANSPORT = {"compatible": "openai", "native": "dashscope"}


def _tool(name: str, description: str) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string", "description": "A city."}},
                "required": ["city"],
            },
        },
    }


WEATHER = _tool("get_weather", "Get the current weather in a city.")
LOCAL_TIME = _tool("get_local_time", "Get the current local time in a city.")
FORCE_WEATHER = {"type": "function", "function": {"name": "get_weather"}}
Messages = list[dict[str, Any]]
_ASK_WEATHER: Messages = [
    {"role": "user", "content": "What is the weather in Beijing?"}
]
_SAY_OK: Messages = [{"role": "user", "content": "Say OK."}]
_TOOL_TURN_WITHOUT_REASONING: Messages = [
    *_ASK_WEATHER,
    {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {
                "id": "call_probe_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Beijing"}'},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "call_probe_1", "content": "Sunny, 24 C."},
]
_TWO_CALLS: Messages = [
    {
        "role": "user",
        "content": "Call get_weather for Beijing and get_local_time for Tokyo. "
        "Make both calls now, in this one turn.",
    }
]


@dataclass(frozen=True)
class Case:
    """One request of the probe, on one endpoint.

    ``first_event_only``: a stream closed after its first event, enough to
    show that the request was accepted (and cheap on the thinking model).
    ``wrong_key``: sent with ``WRONG_KEY``, to see how a refusal is spelled.
    """

    name: str
    endpoint: Endpoint
    model: str
    messages: Sequence[Mapping[str, Any]]
    params: Mapping[str, Any] = field(default_factory=dict)
    stream: bool = False
    first_event_only: bool = False
    wrong_key: bool = False

    @property
    def billed(self) -> bool:
        """Whether the request can cost tokens (a refusal by design cannot)."""
        return not self.wrong_key and self.model != UNKNOWN_MODEL

    def body(self) -> dict[str, Any]:
        """The request body in this endpoint's protocol."""
        params: dict[str, Any] = {**self.params, "max_tokens": MAX_TOKENS}
        messages = [dict(m) for m in self.messages]
        if self.multimodal:
            for message in messages:
                if message["role"] in ("user", "system"):
                    message["content"] = [{"text": message["content"]}]
        if self.endpoint == "native":
            params["result_format"] = "message"
            if self.stream:
                params["incremental_output"] = True
            return {
                "model": self.model,
                "input": {"messages": messages},
                "parameters": params,
            }
        body = {"model": self.model, "messages": messages, **params}
        if self.stream:
            body["stream"] = True
        return body

    def headers(self) -> dict[str, str]:
        """Extra headers: the native endpoint streams only when asked by one."""
        native_stream = self.endpoint == "native" and self.stream
        return {"X-DashScope-SSE": "enable"} if native_stream else {}

    @property
    def multimodal(self) -> bool:
        """Sent natively to multimodal-generation, with list content."""
        return self.endpoint == "native" and self.model in LINEUP

    @property
    def path(self) -> str:
        """Below the endpoint's base URL."""
        return _PATHS["multimodal" if self.multimodal else self.endpoint]

    @property
    def transport(self) -> str:
        """ChatKimi's transport for this endpoint (for its base URL)."""
        return _TRANSPORT[self.endpoint]


#: How a case is sent and read.
_MODES: dict[str, dict[str, bool]] = {
    "first_event": {"stream": True, "first_event_only": True},
    "stream": {"stream": True},
    "whole": {},
    "wrong_key": {"wrong_key": True},
    "wrong_key_stream": {"stream": True, "wrong_key": True},
}
_TOOLS = {"tools": [WEATHER]}
_BUDGET = {"thinking_budget": 64}
_MODELS = (*LINEUP, *SEED)
#: Per endpoint: (what it asks, model, messages, parameters, mode).
_ASKED: tuple[tuple[str, str, Messages, dict[str, Any], str], ...] = (
    (
        "json_mode",
        THINKING,
        [{"role": "user", "content": 'Reply in JSON: {"ok": true}'}],
        {"response_format": {"type": "json_object"}},
        "first_event",
    ),
    (
        "forced_choice",
        THINKING,
        _ASK_WEATHER,
        {**_TOOLS, "tool_choice": FORCE_WEATHER},
        "first_event",
    ),
    (
        "required_choice",
        NOT_THINKING,
        _ASK_WEATHER,
        {**_TOOLS, "tool_choice": "required"},
        "first_event",
    ),
    (
        "tool_turn_without_reasoning",
        THINKING,
        _TOOL_TURN_WITHOUT_REASONING,
        _TOOLS,
        "first_event",
    ),
    (
        "tool_call_stream",
        NOT_THINKING,
        _ASK_WEATHER,
        {**_TOOLS, "tool_choice": FORCE_WEATHER},
        "stream",
    ),
    (
        "two_calls",
        NOT_THINKING,
        _TWO_CALLS,
        {"tools": [WEATHER, LOCAL_TIME]},
        "whole",
    ),
    (
        "two_calls_parallel",
        NOT_THINKING,
        _TWO_CALLS,
        {"tools": [WEATHER, LOCAL_TIME], "parallel_tool_calls": True},
        "whole",
    ),
    ("wrong_key", NOT_THINKING, _SAY_OK, {}, "wrong_key"),
    ("wrong_key_stream", NOT_THINKING, _SAY_OK, {}, "wrong_key_stream"),
    ("unknown_model", UNKNOWN_MODEL, _SAY_OK, {}, "whole"),
    (
        "budget_without_budget",
        THINKING,
        _SAY_OK,
        {"thinking_budget": 64},
        "first_event",
    ),
    *(
        (f"{REACH}{model}", model, _SAY_OK, {}, "first_event")
        for model in (*LINEUP, *SEED)
    ),
)


def cases() -> list[Case]:
    """The probe's fixed requests (names are ``what/endpoint``): each of
    ``_ASKED`` on both endpoints (a first event from each model of the lineup
    and of the seed among them), then the compatible stream's usage."""
    found = [
        Case(f"{what}/{ep}", ep, model, messages, params, **_MODES[mode])
        for ep in ENDPOINTS
        for what, model, messages, params, mode in _ASKED
    ]
    usage = {"stream_options": {"include_usage": True}}
    found.append(
        Case(
            "usage_stream/compatible",
            "compatible",
            NOT_THINKING,
            _SAY_OK,
            usage,
            stream=True,
        )
    )
    return found
