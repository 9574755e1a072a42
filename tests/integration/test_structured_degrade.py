"""Structured output where the service may not follow the seed: no forced tool
choice on the thinking model, JSON mode refused, replies with nothing to parse.
Over real HTTP on both transports."""

import warnings
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException
from pydantic import BaseModel

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL
from langchain_kimi.testing import Behaviour, KimiSimulator, Reply, ToolCallSpec
from langchain_kimi.testing.rules import JSON_MODE_IN_THINKING_MESSAGE


class Person(BaseModel):
    """A person."""

    name: str
    age: int


CAROL = Person(name="Carol", age=52)


def _function_calling(llm: ChatKimi, include_raw: bool = False) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the thinking model's unforced choice
        return llm.with_structured_output(
            Person, method="function_calling", include_raw=include_raw
        )


@pytest.mark.parametrize(
    "reply",
    [
        Reply(tool_calls=[ToolCallSpec("Person", {"name": "Carol", "age": 52})]),
        Reply(content='{"name": "Carol", "age": 52}'),
    ],
    ids=["tool call", "json content"],
)
def test_thinking_function_calling_reads_the_call_or_the_json_content(
    llm: ChatKimi, kimi_simulator: KimiSimulator, reply: Reply
) -> None:
    kimi_simulator.queue(reply)
    assert _function_calling(llm).invoke("Carol is 52.") == CAROL
    assert kimi_simulator.last_request.params["tool_choice"] == "auto"


@pytest.mark.parametrize("model", [THINKING_MODEL, INSTRUCT_MODEL])
@pytest.mark.parametrize(
    "reply",
    [
        Reply(content="Carol is a person."),
        Reply(content='{"name": "Carol"}'),
        Reply(tool_calls=[ToolCallSpec("Person", '{"name": "Car')]),
    ],
    ids=["prose", "incomplete object", "cut call"],
)
@pytest.mark.parametrize("streaming", [False, True])
def test_nothing_parseable_raises_on_both_models(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    model: str,
    reply: Reply,
    streaming: bool,
) -> None:
    llm = make_llm(model=model, streaming=streaming)
    kimi_simulator.queue(reply, reply)
    with pytest.raises(OutputParserException):
        _function_calling(llm).invoke("Carol is 52.")
    raw = _function_calling(llm, include_raw=True).invoke("Carol is 52.")
    assert raw["parsed"] is None
    assert isinstance(raw["parsing_error"], OutputParserException)
    assert raw["raw"].response_metadata["finish_reason"]


async def test_nothing_parseable_raises_in_streams_too(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(content="no JSON here"), Reply(content="nor here"))
    structured = llm.with_structured_output(Person)
    with pytest.raises(OutputParserException):
        list(structured.stream("Carol is 52."))
    with pytest.raises(OutputParserException):
        [part async for part in structured.astream("Carol is 52.")]


# -- JSON mode refused (Behaviour.json_mode_on_thinking=False) ---------------


async def _call(structured: Any, how: str) -> Any:
    if how == "invoke":
        return structured.invoke("Carol is 52.")
    if how == "ainvoke":
        return await structured.ainvoke("Carol is 52.")
    if how == "stream":
        return list(structured.stream("Carol is 52."))[-1]
    return [part async for part in structured.astream("Carol is 52.")][-1]


HOW = ["invoke", "ainvoke", "stream", "astream"]


@pytest.mark.parametrize("how", HOW)
async def test_refused_json_mode_is_retried_without_it_and_remembered(
    llm: ChatKimi, kimi_simulator: KimiSimulator, how: str
) -> None:
    kimi_simulator.behaviour = Behaviour(json_mode_on_thinking=False)
    structured = llm.with_structured_output(Person)
    with pytest.warns(UserWarning, match="refused JSON mode") as seen:
        assert await _call(structured, how) == Person(name="Carol", age=52)
    assert len([w for w in seen if "refused JSON mode" in str(w.message)]) == 1
    refused, retried = kimi_simulator.requests
    assert refused.status == 400
    assert refused.params["response_format"] == {"type": "json_object"}
    assert "response_format" not in retried.params
    assert retried.status == 200
    assert retried.messages == refused.messages  # the JSON instruction stays
    assert '"age"' in retried.messages[0]["content"]

    kimi_simulator.requests.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert await _call(structured, how) == Person(name="Carol", age=52)
    (only,) = kimi_simulator.requests  # the failing attempt is skipped
    assert "response_format" not in only.params


def test_the_refusal_is_remembered_per_instance(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.behaviour = Behaviour(json_mode_on_thinking=False)
    with pytest.warns(UserWarning, match=JSON_MODE_IN_THINKING_MESSAGE[:20]):
        make_llm().with_structured_output(Person).invoke("Carol is 52.")
    kimi_simulator.requests.clear()
    with pytest.warns(UserWarning, match="refused JSON mode"):
        make_llm().with_structured_output(Person).invoke("Carol is 52.")
    assert [r.status for r in kimi_simulator.requests] == [400, 200]


def test_a_refused_reply_is_still_validated(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.behaviour = Behaviour(json_mode_on_thinking=False)
    kimi_simulator.queue(Reply(content='{"name": "Carol"}'))
    structured = llm.with_structured_output(Person)
    with (
        pytest.warns(UserWarning, match="refused JSON mode"),
        pytest.raises(OutputParserException, match="age"),
    ):
        structured.invoke("Carol is 52.")


def test_accepted_json_mode_is_sent_once(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert llm.with_structured_output(Person).invoke("Carol is 52.") == CAROL
    (only,) = kimi_simulator.requests
    assert only.params["response_format"] == {"type": "json_object"}


def test_other_bad_requests_are_not_retried(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.fail(400, "InvalidParameter", "Range of input length is wrong.")
    with pytest.raises(Exception, match="Range of input length"):
        llm.with_structured_output(Person).invoke("Carol is 52.")
    assert len(kimi_simulator.requests) == 1
