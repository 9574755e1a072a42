import pytest

from langchain_kimi.models import INSTRUCT_MODEL, THINKING_MODEL, get_model_spec
from langchain_kimi.payload import build_payload, check_payload, native_request

USER = [{"role": "user", "content": "hi"}]


def _checked(model: str, messages: list | None = None, **params: object) -> dict:
    payload = build_payload(
        model, messages or USER, params, stream=False, stream_usage=True
    )
    check_payload(get_model_spec(model), payload)
    return payload


def test_unset_parameters_are_not_sent() -> None:
    payload = build_payload(
        THINKING_MODEL,
        USER,
        {"temperature": None, "seed": 3},
        stream=False,
        stream_usage=True,
    )
    assert payload == {"model": THINKING_MODEL, "messages": USER, "seed": 3}


def test_stream_asks_for_usage_only_when_wanted() -> None:
    with_usage = build_payload("m", USER, {}, stream=True, stream_usage=True)
    without = build_payload("m", USER, {}, stream=True, stream_usage=False)
    assert with_usage["stream_options"] == {"include_usage": True}
    assert "stream_options" not in without and without["stream"] is True


@pytest.mark.parametrize("name", ["top_p", "presence_penalty"])
def test_thinking_refuses_fixed_sampling(name: str) -> None:
    with pytest.raises(ValueError, match=rf"kimi-k2-thinking.*\({name}\).*Remove"):
        _checked(THINKING_MODEL, **{name: 0.5})


def test_instruct_accepts_sampling() -> None:
    assert _checked(INSTRUCT_MODEL, top_p=0.9, presence_penalty=0.1)["top_p"] == 0.9


def test_max_tokens_above_max_response_is_refused() -> None:
    with pytest.raises(ValueError, match=r"at most 8192.*\(max_tokens\)"):
        _checked(INSTRUCT_MODEL, max_tokens=9000)
    assert _checked(THINKING_MODEL, max_tokens=16_384)["max_tokens"] == 16_384


@pytest.mark.parametrize(
    "params", [{"enable_search": True}, {"search_options": {"forced_search": True}}]
)
def test_web_search_refused_on_thinking(params: dict) -> None:
    with pytest.raises(ValueError, match="kimi-k2-thinking has no web search"):
        _checked(THINKING_MODEL, **params)
    assert _checked(INSTRUCT_MODEL, **params)


def test_partial_mode_refused_on_both_models() -> None:
    messages = [*USER, {"role": "assistant", "content": "Once", "partial": True}]
    for model in (THINKING_MODEL, INSTRUCT_MODEL):
        with pytest.raises(ValueError, match=rf"{model} has no partial mode"):
            _checked(model, messages)
    assert _checked("kimi-future", messages)


def test_json_mode_needs_the_word_json() -> None:
    fmt = {"type": "json_object"}
    with pytest.raises(ValueError, match="word 'json'"):
        _checked(THINKING_MODEL, response_format=fmt)
    ok = [{"role": "user", "content": "Reply in JSON"}]
    assert _checked(THINKING_MODEL, ok, response_format=fmt)


def test_json_mode_refused_on_instruct() -> None:
    ok = [{"role": "user", "content": "Reply in JSON"}]
    with pytest.raises(ValueError, match="function_calling"):
        _checked(INSTRUCT_MODEL, ok, response_format={"type": "json_object"})


def test_unknown_models_skip_client_checks() -> None:
    assert _checked("kimi-future", top_p=0.2, max_tokens=10**6)


def test_native_request_always_message_format_and_incremental_streams() -> None:
    payload = build_payload(
        THINKING_MODEL, USER, {"max_tokens": 5}, stream=True, stream_usage=True
    )
    assert native_request(payload) == {
        "max_tokens": 5,
        "result_format": "message",
        "incremental_output": True,
    }
    plain = build_payload(THINKING_MODEL, USER, {}, stream=False, stream_usage=True)
    assert native_request(plain) == {"result_format": "message"}
