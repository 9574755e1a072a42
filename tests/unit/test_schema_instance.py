"""The simulator's JSON replies satisfy the schema asked for (checked by pydantic)."""

from enum import StrEnum
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from langchain_kimi.testing.responder import respond
from langchain_kimi.testing.schema_instance import instance
from langchain_kimi.testing.service import KIMI_MODELS

THINKING = "kimi-k2-thinking"


class Sky(StrEnum):
    SUNNY = "sunny"
    RAIN = "rain"


class Place(BaseModel):
    city: str = Field(min_length=3)
    country_code: str = Field(min_length=2, max_length=2)


class Reading(BaseModel):
    at: Place
    sky: Sky
    unit: Literal["C", "F"]
    temperature: float = Field(ge=-90, le=60)
    humidity: int = Field(gt=0, lt=101)
    tags: list[str] = Field(min_length=2)
    history: list[Place] = Field(min_length=1)
    note: str | None
    pair: tuple[int, str]


class Nested(BaseModel):
    readings: list[Reading] = Field(min_length=1)
    best: Reading | None = None
    scores: dict[str, int]


@pytest.mark.parametrize("model", [Place, Reading, Nested])
def test_an_instance_of_a_pydantic_schema_validates(model: type[BaseModel]) -> None:
    model.model_validate(instance(model.model_json_schema()))


def test_required_properties_are_present_even_when_unlisted() -> None:
    built = instance({"type": "object", "required": ["id"], "properties": {}})
    assert "id" in built


def test_a_leaf_fills_strings_and_numbers_within_bounds() -> None:
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "count": {"type": "integer", "maximum": 5},
        },
    }
    built = instance(schema, lambda kind, name: 99 if kind == "integer" else "Ada")
    assert built == {"name": "Ada", "count": 5}


def test_a_self_referencing_schema_terminates() -> None:
    schema = {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"child": {"$ref": "#/$defs/Node"}},
                "required": [],
            }
        },
        "$ref": "#/$defs/Node",
    }
    assert isinstance(instance(schema), dict)


def test_the_responder_answers_a_json_schema_response_format_after_tool_results() -> (
    None
):
    schema = Place.model_json_schema()
    messages = [
        {"role": "user", "content": "Where is the Louvre?"},
        {"role": "assistant", "content": "", "tool_calls": []},
        {"role": "tool", "tool_call_id": "c1", "content": "In Paris, FR."},
    ]
    params = {
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "Place", "schema": schema},
        }
    }
    reply = respond(KIMI_MODELS[THINKING], messages, params)
    Place.model_validate_json(reply.text())


def test_a_text_response_format_is_answered_in_prose() -> None:
    messages = [{"role": "user", "content": "Who are you?"}]
    params = {"response_format": {"type": "text"}}
    reply = respond(KIMI_MODELS[THINKING], messages, params)
    assert not reply.text().startswith("{")
