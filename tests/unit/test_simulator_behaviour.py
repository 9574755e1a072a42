"""The simulator's switches are one plain, serializable settings object, and
a profile file is its recorded form."""

import json
from pathlib import Path

import pytest

from langchain_kimi.testing import Behaviour, KimiSimulator
from langchain_kimi.testing.behaviour import (
    PROFILE_SCHEMA,
    PROFILE_VERSION,
    make_profile,
    published_profile,
)

PACKAGE = Path(__file__).resolve().parents[2] / "langchain_kimi"


def test_defaults_follow_the_published_references() -> None:
    assert Behaviour().to_dict() == {
        "json_mode_on_thinking": True,
        "require_reasoning_in_tool_turns": False,
        "tool_call_index_in_stream": True,
        "parallel_tool_calls_default": False,
        "forced_tool_choice_on_thinking": False,
        "required_tool_choice": False,
        "stream_usage": "trailing",
        "error_codes_compatible": "snake_case",
        "error_codes_native": "CamelCase",
        "stream_error_framing_compatible": "json",
        "stream_error_framing_native": "json",
        "unknown_model_compatible": "not_found",
        "unknown_model_native": "not_found",
        "retired_models": "served",
        "thinking_budget_unsupported": "refused",
        "account_rate_limit": False,
    }


def test_every_switch_lists_its_values_default_first() -> None:
    switches = Behaviour.switches()
    assert set(switches) == set(Behaviour().to_dict())
    for name, values in switches.items():
        assert values[0] == getattr(Behaviour(), name)
        assert len(values) == len(set(values)) >= 2
    assert switches["stream_usage"] == ("trailing", "choice", "both")


def test_per_endpoint_switches_are_read_by_stem() -> None:
    behaviour = Behaviour(error_codes_native="snake_case")
    assert behaviour.on("error_codes", "native") == "snake_case"
    assert behaviour.on("error_codes", "compatible") == "snake_case"
    assert behaviour.on("unknown_model", "native") == "not_found"


def test_round_trips_through_json() -> None:
    flipped = Behaviour(
        json_mode_on_thinking=False,
        tool_call_index_in_stream=False,
        stream_usage="both",
        unknown_model_native="model_not_exist",
    )
    assert Behaviour.from_dict(json.loads(json.dumps(flipped.to_dict()))) == flipped


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"json_mode": False}, r"Unknown simulator behaviour \['json_mode'\]"),
        ({"json_mode_on_thinking": "no"}, r"must be one of true, false: got 'no'"),
        ({"json_mode_on_thinking": 1}, "must be one of true, false"),
        ({"stream_usage": "top"}, r'must be one of "trailing", "choice", "both"'),
        ({"stream_usage": True}, "must be one of"),
    ],
)
def test_unknown_switches_or_values_raise(data: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Behaviour.from_dict(data)


def _profile(**changes: object) -> dict:
    profile = make_profile(Behaviour(stream_usage="choice"), {}, {"by": "a test"})
    profile.update(changes)
    return profile


def test_a_profile_is_read_by_from_dict_and_from_profile(tmp_path: Path) -> None:
    profile = _profile()
    assert profile["schema"] == PROFILE_SCHEMA
    assert profile["version"] == PROFILE_VERSION
    assert Behaviour.from_dict(profile) == Behaviour(stream_usage="choice")
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile))
    assert Behaviour.from_profile(path) == Behaviour(stream_usage="choice")
    assert Behaviour.from_profile(str(path)) == Behaviour(stream_usage="choice")
    assert Behaviour.from_profile(profile) == Behaviour(stream_usage="choice")


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"behavior": {}}, r"Unknown profile keys \['behavior'\]"),
        ({"schema": "something-else"}, "Not a simulator profile"),
        ({"version": 99}, "Profile version 99 is not supported"),
        ({"behaviour": ["x"]}, "must be an object of switches"),
        ({"behaviour": {"stream_usage": "top"}}, "must be one of"),
        ({"behaviour": {"colour": "red"}}, r"Unknown simulator behaviour \['colour'\]"),
    ],
)
def test_a_bad_profile_raises_a_clear_error(changes: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Behaviour.from_dict(_profile(**changes))


def test_a_bad_profile_file_is_named_in_the_error(tmp_path: Path) -> None:
    path = tmp_path / "team.json"
    path.write_text(json.dumps(_profile(version=2)))
    with pytest.raises(ValueError, match=r"team\.json: Profile version 2"):
        Behaviour.from_profile(path)
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="a profile is a JSON object"):
        Behaviour.from_profile(path)


def test_the_shipped_profile_is_the_defaults() -> None:
    """``profiles/published.json`` says exactly what ``Behaviour()`` does, and
    every switch has its reference."""
    profile = published_profile()
    assert Behaviour.from_dict(profile) == Behaviour()
    assert profile["behaviour"] == Behaviour().to_dict()
    assert set(profile["evidence"]) == set(Behaviour().to_dict())
    for name, item in profile["evidence"].items():
        assert item["value"] == getattr(Behaviour(), name)
        assert item["settled"] is False and item["summary"]
    assert profile["source"]["live"] is False


def test_the_shipped_profile_is_package_data() -> None:
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text()
    assert '"testing/profiles/*.json"' in pyproject
    assert (PACKAGE / "testing" / "profiles" / "published.json").is_file()


def test_the_simulator_takes_a_profile_path_or_dict(tmp_path: Path) -> None:
    profile = _profile()
    path = tmp_path / "team.json"
    path.write_text(json.dumps(profile))
    for given in (profile, path, str(path)):
        simulator = KimiSimulator(profile=given)
        assert simulator.behaviour == Behaviour(stream_usage="choice")
        simulator.behaviour = Behaviour()
        simulator.reset()
        assert simulator.behaviour == Behaviour(stream_usage="choice")


def test_the_simulator_takes_behaviour_or_profile_not_both() -> None:
    with pytest.raises(ValueError, match="Pass behaviour or profile, not both"):
        KimiSimulator(behaviour=Behaviour(), profile=_profile())
