"""The simulator's switches are one plain, serializable settings object."""

import json

import pytest

from langchain_kimi.testing import Behaviour


def test_defaults_follow_the_published_references() -> None:
    assert Behaviour().to_dict() == {
        "json_mode_on_thinking": True,
        "require_reasoning_in_tool_turns": False,
        "tool_call_index_in_stream": True,
        "parallel_tool_calls_default": False,
    }


def test_round_trips_through_json() -> None:
    flipped = Behaviour(json_mode_on_thinking=False, tool_call_index_in_stream=False)
    assert Behaviour.from_dict(json.loads(json.dumps(flipped.to_dict()))) == flipped


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"json_mode": False}, r"Unknown simulator behaviour \['json_mode'\]"),
        ({"json_mode_on_thinking": "no"}, "must be true or false"),
    ],
)
def test_unknown_or_non_boolean_settings_raise(data: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Behaviour.from_dict(data)
