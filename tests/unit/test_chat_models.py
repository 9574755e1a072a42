import os
from unittest import mock

import pytest
from langchain_core.load import dumpd, dumps
from langchain_core.messages import HumanMessage
from pydantic import BaseModel

from langchain_kimi import ChatKimi, MissingAPIKeyError
from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL


def test_defaults() -> None:
    with mock.patch.dict(os.environ, {"DASHSCOPE_API_KEY": "sk-env"}, clear=True):
        llm = ChatKimi()
    assert llm.model_name == "kimi-k3"
    assert llm.api_key is not None and llm.api_key.get_secret_value() == "sk-env"
    assert llm.base_url == "https://dashscope.aliyuncs.com/compatible-mode/v1"
    assert llm.transport == "openai"
    assert llm.max_retries == 2 and llm.stream_usage is True


def test_base_url_from_env_and_per_transport() -> None:
    env = {"DASHSCOPE_BASE_URL": "https://h/compatible-mode/v1"}
    with mock.patch.dict(os.environ, env, clear=True):
        assert ChatKimi(api_key="k").base_url == "https://h/compatible-mode/v1"
        assert (
            ChatKimi(api_key="k", transport="dashscope").base_url == "https://h/api/v1"
        )
    with mock.patch.dict(os.environ, {}, clear=True):
        native = ChatKimi(api_key="k", transport="dashscope")
    assert native.base_url == "https://dashscope.aliyuncs.com/api/v1"


def test_model_name_alias() -> None:
    assert ChatKimi(model_name=INSTRUCT_MODEL, api_key="k").model_name == INSTRUCT_MODEL


def test_missing_key_names_the_variable_at_request_time() -> None:
    with mock.patch.dict(os.environ, {}, clear=True):
        llm = ChatKimi()
    with pytest.raises(MissingAPIKeyError, match="DASHSCOPE_API_KEY"):
        llm.invoke("hi")


def test_key_never_in_repr_or_serialization() -> None:
    llm = ChatKimi(api_key="sk-very-secret")
    assert "sk-very-secret" not in repr(llm)
    assert "sk-very-secret" not in str(llm)
    assert "sk-very-secret" not in dumps(llm)
    assert dumpd(llm)["kwargs"]["api_key"] == {
        "lc": 1,
        "type": "secret",
        "id": ["DASHSCOPE_API_KEY"],
    }


def test_ls_params() -> None:
    llm = ChatKimi(api_key="k", temperature=0.7, max_tokens=100, stop=["x"])
    params = llm._get_ls_params()
    assert params == {
        "ls_provider": "dashscope",
        "ls_model_name": "kimi-k3",
        "ls_model_type": "chat",
        "ls_temperature": 0.7,
        "ls_max_tokens": 100,
        "ls_stop": ["x"],
    }


def test_refusals_happen_before_any_request() -> None:
    llm = ChatKimi(
        model=THINKING_MODEL,
        api_key="k",
        base_url="http://127.0.0.1:9/compatible-mode/v1",
    )
    with pytest.raises(ValueError, match="top_p"):
        llm.invoke("hi", top_p=0.5)
    with pytest.raises(ValueError, match="web search"):
        llm.invoke("hi", enable_search=True)
    with pytest.raises(ValueError, match="accepts text only"):
        llm.invoke([HumanMessage([{"type": "image_url", "image_url": {"url": "x"}}])])


def test_long_input_warns() -> None:
    llm = ChatKimi(
        model="kimi-k2.5",
        api_key="k",
        base_url="http://127.0.0.1:9/compatible-mode/v1",
    )
    huge = "word " * 600_000
    with pytest.warns(UserWarning, match="above the model's max input"):
        llm._call([HumanMessage(huge)], None, False, {})


def test_token_count_is_offline_and_approximate() -> None:
    llm = ChatKimi(api_key="k")
    assert llm.get_num_tokens_from_messages([HumanMessage("hello world " * 10)]) > 20
    assert llm.get_num_tokens("abcd" * 10) == 10


def test_json_mode_refused_on_instruct_at_construction() -> None:
    class Answer(BaseModel):
        text: str

    llm = ChatKimi(model=INSTRUCT_MODEL, api_key="k")
    with pytest.raises(
        ValueError, match=r"Moonshot-Kimi-K2-Instruct.*function_calling"
    ):
        llm.with_structured_output(Answer, method="json_mode")
    assert llm.with_structured_output(Answer) is not None
