"""The probe tells the simulator's modes apart: for every setting of every
switch, probing a simulator set that way reports exactly that setting (and
every other switch at its default), over real HTTP on both endpoints.

That is what lets a profile recorded from the real service be trusted: the
probe reads each behaviour from the wire alone, and the simulator is the
oracle that can show each behaviour both ways.
"""

from typing import Any

import pytest

from langchain_kimi.probe.cases import cases
from langchain_kimi.probe.run import probe_service
from langchain_kimi.testing import Behaviour, KimiSimulator
from langchain_kimi.testing.behaviour import UNPROBED

PROBED = {k: v for k, v in Behaviour.switches().items() if k not in UNPROBED}
SETTINGS = [(name, value) for name, values in PROBED.items() for value in values]


def _probe(simulator: KimiSimulator, behaviour: Behaviour) -> dict[str, Any]:
    simulator.behaviour = behaviour
    return probe_service(api_key=simulator.api_key, base_url=simulator.openai_base_url)


def test_every_switch_and_value_is_covered() -> None:
    assert len(SETTINGS) == sum(len(v) for v in PROBED.values()) == 31
    assert {name for name, _ in SETTINGS} == set(Behaviour().to_dict()) - UNPROBED


@pytest.mark.parametrize(("switch", "value"), SETTINGS)
def test_the_probe_reports_the_simulators_setting(
    kimi_simulator: KimiSimulator, switch: str, value: Any
) -> None:
    expected = Behaviour(**{switch: value})
    profile = _probe(kimi_simulator, expected)
    assert profile["behaviour"] == expected.to_dict()
    assert Behaviour.from_dict(profile) == expected
    assert all(item["settled"] for item in profile["evidence"].values()), [
        name for name, item in profile["evidence"].items() if not item["settled"]
    ]
    assert profile["evidence"][switch]["value"] == value


def test_all_switches_flipped_at_once_are_all_reported(
    kimi_simulator: KimiSimulator,
) -> None:
    flipped = Behaviour(**{name: values[-1] for name, values in PROBED.items()})
    assert all(getattr(flipped, name) != getattr(Behaviour(), name) for name in PROBED)
    assert _probe(kimi_simulator, flipped)["behaviour"] == flipped.to_dict()


def test_the_probe_sends_its_fixed_requests_and_no_more(
    kimi_simulator: KimiSimulator,
) -> None:
    _probe(kimi_simulator, Behaviour())
    planned = cases()
    assert len(kimi_simulator.requests) == len(planned) == 35
    sent = [(r.protocol, r.model) for r in kimi_simulator.requests]
    assert sent == [
        ("openai" if c.endpoint == "compatible" else "dashscope", c.model)
        for c in planned
    ]
    for request in kimi_simulator.requests:
        assert request.params["max_tokens"] == 128


def test_the_probe_honours_a_native_base_url(kimi_simulator: KimiSimulator) -> None:
    """``DASHSCOPE_BASE_URL`` may be written for either endpoint."""
    profile = probe_service(
        api_key=kimi_simulator.api_key, base_url=kimi_simulator.native_base_url
    )
    assert profile["behaviour"] == Behaviour().to_dict()
    assert profile["source"]["base_url"] == kimi_simulator.openai_base_url
    assert {r.protocol for r in kimi_simulator.requests} == {"openai", "dashscope"}


def test_evidence_keeps_status_code_and_message_per_case(
    kimi_simulator: KimiSimulator,
) -> None:
    profile = _probe(kimi_simulator, Behaviour(unknown_model_native="model_not_exist"))
    (reading,) = profile["evidence"]["unknown_model_native"]["readings"]
    (case,) = reading["cases"]
    assert case["case"] == "unknown_model/native"
    assert (case["status"], case["code"], case["message"]) == (
        400,
        "InvalidParameter",
        "Model not exist.",
    )
    index = profile["evidence"]["tool_call_index_in_stream"]["readings"]
    assert [r["pieces_with_index"] for r in index] == [3, 3]


def test_a_simulator_started_from_the_probed_profile_behaves_the_same(
    kimi_simulator: KimiSimulator,
) -> None:
    """The loop closes: probe, profile, simulator, probe again."""
    seen = _probe(
        kimi_simulator,
        Behaviour(stream_usage="both", error_codes_compatible="CamelCase"),
    )
    with KimiSimulator(profile=seen) as replay:
        again = probe_service(api_key=replay.api_key, base_url=replay.openai_base_url)
    assert again["behaviour"] == seen["behaviour"]


def test_the_probe_records_which_models_the_key_reaches(
    kimi_simulator: KimiSimulator,
) -> None:
    reached = _probe(kimi_simulator, Behaviour())["models"]
    assert reached["reachable"] == [
        "kimi-k3",
        "kimi-k2.7-code",
        "kimi-k2.6",
        "kimi-k2.5",
    ]
    assert reached["seed_served"] is True


@pytest.mark.parametrize("form", ["not_found", "model_not_exist"])
def test_the_probe_sees_the_seed_models_retired(
    kimi_simulator: KimiSimulator, form: str
) -> None:
    behaviour = Behaviour(
        retired_models="not_found",
        unknown_model_compatible=form,  # type: ignore[arg-type]
        unknown_model_native=form,  # type: ignore[arg-type]
    )
    made = _probe(kimi_simulator, behaviour)
    assert made["behaviour"] == behaviour.to_dict()
    assert made["models"]["seed_served"] is False
    assert len(made["models"]["reachable"]) == 4
