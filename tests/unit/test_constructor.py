"""``ChatKimi(...)`` as a user writes it: names, typos, refusals, copies, docs."""

import ast
import copy
import pickle
import pydoc
import warnings
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from pydantic import SecretStr

import langchain_kimi.chat_models.base
from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import INSTRUCT_MODEL, K3_MODEL, THINKING_MODEL

DOCUMENTED = {
    "model": "kimi-k3",
    "api_key": "sk-doc",
    "base_url": "https://example.test/compatible-mode/v1",
    "max_tokens": 1024,
    "timeout": 30.0,
    "max_retries": 3,
    "stop": ["\n\n"],
    "temperature": 0.6,
    "enable_search": True,
}


def _assert_documented_values(llm: ChatKimi) -> None:
    assert llm.model_name == K3_MODEL
    assert isinstance(llm.api_key, SecretStr)
    assert llm.api_key.get_secret_value() == "sk-doc"
    assert llm.base_url == "https://example.test/compatible-mode/v1"
    assert llm.max_tokens == 1024 and llm.timeout == 30.0 and llm.max_retries == 3
    assert llm.stop == ["\n\n"] and llm.temperature == 0.6
    assert llm.enable_search is True


def test_documented_names_are_the_fields() -> None:
    _assert_documented_values(ChatKimi(**DOCUMENTED))
    assert {"api_key", "base_url", "max_tokens", "timeout", "stop"} <= set(
        ChatKimi.model_fields
    )
    assert ChatKimi.model_fields["model_name"].alias == "model"


def test_older_spellings_still_work_at_runtime() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # none of them is "unknown"
        llm = ChatKimi(
            model_name=K3_MODEL,
            dashscope_api_key="sk-doc",
            dashscope_base_url="https://example.test/compatible-mode/v1",
            max_completion_tokens=1024,
            request_timeout=30.0,
            max_retries=3,
            stop_sequences=["\n\n"],
            temperature=0.6,
            enable_search=True,
        )
    _assert_documented_values(llm)
    assert llm.model_kwargs == {}


def test_unknown_argument_moves_to_model_kwargs_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="'top_k' is not a ChatKimi parameter") as seen:
        llm = ChatKimi(api_key="k", top_k=20, model_kwargs={"result_format": "message"})
    assert llm.model_kwargs == {"result_format": "message", "top_k": 20}
    assert seen[0].filename == __file__  # the user's line, not pydantic's
    request = llm._call([HumanMessage("hi")], None, False, {}).request
    assert request.params["top_k"] == 20


def test_near_miss_of_a_field_raises_with_a_suggestion() -> None:
    with pytest.raises(ValueError, match="did you mean 'temperature'\\?"):
        ChatKimi(api_key="k", temprature=0.5)
    with pytest.raises(ValueError, match="did you mean 'max_tokens'\\?"):
        ChatKimi(api_key="k", max_token=5)
    with pytest.raises(ValueError, match="did you mean 'timeout'\\?"):
        ChatKimi(api_key="k", timout=5)


def test_an_unknown_name_given_twice_raises() -> None:
    with pytest.raises(ValueError, match="'top_k' was given twice"):
        ChatKimi(api_key="k", top_k=1, model_kwargs={"top_k": 2})


@pytest.mark.parametrize(
    ("settings", "needle"),
    [
        ({"top_p": 0.5}, "top_p"),
        ({"presence_penalty": 0.5}, "presence_penalty"),
        ({"max_tokens": 16_385}, "at most 16384 tokens"),
        ({"enable_search": True}, "no web search"),
        ({"extra_body": {"top_p": 0.5}}, "top_p"),
        ({"model_kwargs": {"presence_penalty": 0.1}}, "presence_penalty"),
    ],
)
def test_what_the_thinking_model_cannot_do_is_refused_by_the_constructor(
    settings: dict[str, object], needle: str
) -> None:
    with pytest.raises(ValueError, match=needle) as raised:
        ChatKimi(model=THINKING_MODEL, api_key="sk-not-in-errors", **settings)
    assert THINKING_MODEL in str(raised.value)
    assert "sk-not-in-errors" not in str(raised.value)


def test_instruct_takes_those_settings_but_not_too_many_tokens() -> None:
    ChatKimi(
        model=INSTRUCT_MODEL,
        api_key="k",
        top_p=0.5,
        presence_penalty=0.5,
        enable_search=True,
        max_tokens=8192,
    )
    with pytest.raises(ValueError, match="at most 8192 tokens"):
        ChatKimi(model=INSTRUCT_MODEL, api_key="k", max_tokens=8193)


def test_unknown_model_ids_are_not_checked() -> None:
    llm = ChatKimi(model="kimi-k3-preview", api_key="k", top_p=0.5, max_tokens=10**6)
    assert llm.model_name == "kimi-k3-preview"


def test_model_ids_match_any_case_and_keep_the_tables_spelling() -> None:
    llm = ChatKimi(model="KIMI-K2-Thinking", api_key="k")
    assert llm.model_name == THINKING_MODEL
    assert llm.profile is not None and llm.profile["max_output_tokens"] == 16_384
    assert llm._get_ls_params()["ls_model_name"] == THINKING_MODEL
    request = llm._call([HumanMessage("hi")], None, False, {}).request
    assert request.model == THINKING_MODEL
    per_call = llm._call(
        [HumanMessage("hi")], None, False, {"model": "moonshot-kimi-k2-instruct"}
    )
    assert per_call.request.model == INSTRUCT_MODEL
    with pytest.raises(ValueError, match="top_p"):
        ChatKimi(model="kimi-K2-THINKING", api_key="k", top_p=0.5)


def test_copies_and_pickles_before_any_call() -> None:
    llm = ChatKimi(api_key="sk-pickled", temperature=0.2)
    for clone in (pickle.loads(pickle.dumps(llm)), copy.deepcopy(llm)):
        assert clone.temperature == 0.2
        assert clone.api_key is not None
        assert clone.api_key.get_secret_value() == "sk-pickled"


def test_model_copy_drops_the_client() -> None:
    llm = ChatKimi(api_key="k")
    llm._get_transport()
    assert llm._transport is not None
    assert llm.model_copy()._transport is None
    moved = llm.model_copy(update={"timeout": 5.0})
    assert moved._transport is None and moved.timeout == 5.0
    assert llm._transport is not None  # the original keeps its own


def test_every_field_is_described_in_model_fields_and_help() -> None:
    text = pydoc.render_doc(ChatKimi, renderer=pydoc.plaintext)
    own = [n for n in ChatKimi.model_fields if n in ChatKimi.__annotations__]
    assert len(own) >= 20
    for name in own:
        field = ChatKimi.model_fields[name]
        assert field.description, name
        first_words = " ".join(field.description.split()[:4])
        assert first_words in " ".join(text.split()), name
        assert f"{field.alias or name}: " in text
    assert "api_key: SecretStr | None (also dashscope_api_key)" in text
    assert "Fields:" in (ChatKimi.__doc__ or "")


def test_the_typed_constructor_lists_every_field() -> None:
    """The ``TYPE_CHECKING`` ``__init__`` type checkers see names each field
    once, by the name a user writes (the alias where there is one)."""
    source = Path(langchain_kimi.chat_models.base.__file__).read_text()
    tree = ast.parse(source)
    stubs = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "__init__"
    ]
    assert len(stubs) == 1
    parameters = [arg.arg for arg in stubs[0].args.kwonlyargs]
    expected = [field.alias or name for name, field in ChatKimi.model_fields.items()]
    assert sorted(parameters) == sorted(expected)
    assert stubs[0].args.kwarg is None  # typos stay type errors


@pytest.mark.parametrize("name", ["openai_api_key", "token", "access_key", "secret"])
def test_an_unknown_name_that_looks_like_a_credential_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="api_key") as info:
        ChatKimi(api_key="sk-1", **{name: "sk-leaked-value"})
    assert "sk-leaked-value" not in str(info.value)


def test_model_copy_takes_the_constructors_names_and_checks() -> None:
    llm = ChatKimi(model=THINKING_MODEL, api_key="sk-1", temperature=0.5, max_retries=4)
    copied = llm.model_copy(
        update={"model": INSTRUCT_MODEL, "api_key": "sk-2", "top_p": 0.5}
    )
    assert copied.model_name == INSTRUCT_MODEL and copied.top_p == 0.5
    assert isinstance(copied.api_key, SecretStr)
    assert copied.api_key.get_secret_value() == "sk-2"
    assert (copied.temperature, copied.max_retries) == (0.5, 4)  # kept
    with pytest.raises(ValueError, match=r"kimi-k2-thinking.*top_p"):
        llm.model_copy(update={"top_p": 0.5})


def test_field_docs_are_skipped_when_the_source_is_not_shipped() -> None:
    from langchain_kimi._utils.field_docs import attribute_docstrings

    namespace: dict[str, object] = {"__name__": "no_source_here"}
    exec("class Frozen:\n    x: int = 1\n    'Doc.'\n", namespace)
    assert attribute_docstrings(namespace["Frozen"]) == {}  # type: ignore[arg-type]
