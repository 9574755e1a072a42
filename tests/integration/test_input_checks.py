"""Bad input is refused with a ValueError before any request, on every path;
a key about to travel in clear text is warned about."""

import warnings
from collections.abc import Callable
from typing import Any

import pytest

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import INSTRUCT_MODEL
from langchain_kimi.testing import KimiSimulator
from tests.integration.calls import MODES, call


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("input", "kwargs", "named"),
    [
        ([], {}, "empty"),
        ("hi", {"max_tokens": 0}, "max_tokens"),
        ("hi", {"temperature": 2.0}, "temperature"),
        ("hi", {"temperature": -1}, "temperature"),
        ("hi", {"top_p": 0.0}, "top_p"),
        ("hi", {"top_p": 1.5}, "top_p"),
        ("hi", {"n": 2}, "n"),
        ([{"role": "wizard", "content": "hi"}], {}, "wizard"),
    ],
    ids=[
        "empty",
        "max_tokens",
        "temperature-2",
        "temperature-negative",
        "top_p-0",
        "top_p-high",
        "n",
        "role",
    ],
)
def test_bad_input_is_refused_before_any_request(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    mode: str,
    input: Any,
    kwargs: dict,
    named: str,
) -> None:
    llm = make_llm(model=INSTRUCT_MODEL)  # it lets clients set the sampling
    with pytest.raises(ValueError, match=named):
        call(llm, mode, input, **kwargs)
    assert kimi_simulator.requests == []


def test_the_refusal_names_the_model_and_the_fix(
    make_llm: Callable[..., ChatKimi],
) -> None:
    with pytest.raises(ValueError, match=INSTRUCT_MODEL) as info:
        make_llm(model=INSTRUCT_MODEL).invoke("hi", temperature=2.0)
    assert "[0, 2)" in str(info.value)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://dashscope.example.com/compatible-mode/v1",
        "http://10.0.0.7:8080/api/v1",
    ],
)
def test_a_plain_http_url_to_another_host_warns(base_url: str) -> None:
    with pytest.warns(UserWarning, match="clear text"):
        ChatKimi(api_key="k", base_url=base_url)


@pytest.mark.parametrize(
    "base_url",
    [
        "https://dashscope.aliyuncs.com/compatible-mode/v1",
        "http://127.0.0.1:8000/compatible-mode/v1",
        "http://localhost:8000/api/v1",
        "http://[::1]:8000/api/v1",
    ],
)
def test_https_and_loopback_urls_do_not_warn(base_url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ChatKimi(api_key="k", base_url=base_url)
