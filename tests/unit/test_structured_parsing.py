"""with_structured_output's parser: the schema tool's call, else JSON content,
else ``OutputParserException``; never ``None``."""

import warnings
from typing import Any

import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import AIMessage, AIMessageChunk
from pydantic import BaseModel
from typing_extensions import TypedDict

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL


class Person(BaseModel):
    """A person."""

    name: str
    age: int


class PersonDict(TypedDict):
    """A person."""

    name: str
    age: int


def parser(model: str, schema: Any, method: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the thinking model's unforced choice
        chain = ChatKimi(model=model, api_key="k").with_structured_output(
            schema, method=method
        )
    return chain.last  # type: ignore[attr-defined]


def call(name: str, args: dict[str, Any]) -> AIMessage:
    return AIMessage("", tool_calls=[{"name": name, "args": args, "id": "c"}])


ALICE = {"name": "Alice", "age": 30}


@pytest.mark.parametrize("model", [THINKING_MODEL, INSTRUCT_MODEL])
@pytest.mark.parametrize(
    ("schema", "expected"), [(Person, Person(**ALICE)), (PersonDict, ALICE)]
)
def test_function_calling_reads_the_call_else_json_content(
    model: str, schema: Any, expected: Any
) -> None:
    parse = parser(model, schema, "function_calling")
    assert parse.invoke(call(schema.__name__, ALICE)) == expected
    assert parse.invoke(AIMessage('{"name": "Alice", "age": 30}')) == expected
    assert parse.invoke(AIMessage('```json\n{"name": "Alice", "age": 30}\n```')) == (
        expected
    )


@pytest.mark.parametrize("method", ["function_calling", "json_mode", "json_schema"])
@pytest.mark.parametrize("schema", [Person, PersonDict, Person.model_json_schema()])
@pytest.mark.parametrize(
    "reply",
    [
        AIMessage(""),
        AIMessage("Alice is thirty."),
        AIMessage('{"name": "Alice"}'),
        AIMessage('{"name": "Alice", "age": "old"}'),
        AIMessage('{"name": "Alice", "age": 3'),
        call("Other", ALICE),
    ],
)
def test_nothing_parseable_raises_never_none(
    method: str, schema: Any, reply: AIMessage
) -> None:
    with pytest.raises(OutputParserException):
        parser(THINKING_MODEL, schema, method).invoke(reply)


def test_instruct_without_the_call_raises_instead_of_none() -> None:
    with pytest.raises(OutputParserException, match="no usable call to the tool"):
        parser(INSTRUCT_MODEL, Person, "function_calling").invoke(AIMessage(""))


def test_a_cut_call_is_named_in_the_error() -> None:
    message = AIMessage(
        "",
        invalid_tool_calls=[
            {
                "type": "invalid_tool_call",
                "name": "Person",
                "args": '{"name": "Al',
                "id": "c",
                "error": None,
            }
        ],
    )
    with pytest.raises(OutputParserException, match="not a complete JSON object"):
        parser(INSTRUCT_MODEL, Person, "function_calling").invoke(message)


def test_streamed_chunks_end_with_a_strict_parse() -> None:
    parse = parser(INSTRUCT_MODEL, PersonDict, "function_calling")
    pieces = ['{"name": "Al', 'ice", "age": 3', "0}"]
    chunks = [
        AIMessageChunk(
            "",
            tool_call_chunks=[
                {
                    "name": "PersonDict" if i == 0 else None,
                    "args": text,
                    "id": "c" if i == 0 else None,
                    "index": 0,
                    "type": "tool_call_chunk",
                }
            ],
        )
        for i, text in enumerate(pieces)
    ]
    assert list(parse.transform(iter(chunks)))[-1] == ALICE
    with pytest.raises(OutputParserException):
        list(parse.transform(iter(chunks[:2])))  # cut: partial JSON is not enough
