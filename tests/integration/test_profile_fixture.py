"""A team's tests run against the service they saw: the ``kimi_simulator``
fixture takes a profile from ``--kimi-profile`` or ``KIMI_SIMULATOR_PROFILE``.

Each test runs pytest on a small test file, as a user's project would (the
plugin comes from langchain-kimi's ``pytest11`` entry point): one in a real
subprocess, the others in this process through ``pytester``.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from langchain_kimi.testing import Behaviour
from langchain_kimi.testing.behaviour import make_profile

SEEN = Behaviour(unknown_model_compatible="model_not_exist", stream_usage="both")

USER_TESTS = """
import json

import pytest

from langchain_kimi import ChatKimi
import pytest

from langchain_kimi.testing import Behaviour


def test_the_fixture_behaves_as_profiled(kimi_simulator):
    expected = Behaviour.from_dict(json.loads({expected!r}))
    assert kimi_simulator.behaviour == expected
    kimi_simulator.behaviour = Behaviour()
    kimi_simulator.reset()
    assert kimi_simulator.behaviour == expected


def test_chatkimi_sees_the_profiled_refusal(kimi_simulator):
    llm = ChatKimi(
        model="kimi-no-such-model",
        api_key=kimi_simulator.api_key,
        base_url=kimi_simulator.openai_base_url,
        max_retries=0,
    )
    with pytest.raises(Exception) as info:
        llm.invoke("hi")
    print("REFUSAL", info.value.status_code, info.value.message)
"""


def _user_tests(tmp_path: Path, expected: Behaviour) -> Path:
    test_file = tmp_path / "test_user.py"
    test_file.write_text(
        USER_TESTS.replace("{expected!r}", repr(json.dumps(expected.to_dict())))
    )
    return test_file


def _pytest(
    tmp_path: Path, expected: Behaviour, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    test_file = _user_tests(tmp_path, expected)
    base = {k: v for k, v in os.environ.items() if k != "KIMI_SIMULATOR_PROFILE"}
    return subprocess.run(
        [
            *(sys.executable, "-m", "pytest", str(test_file), "-q", "-s"),
            *("-p", "no:cacheprovider", *args),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=tmp_path,
        env={**base, **(env or {})},
    )


def _inprocess(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    expected: Behaviour,
    *args: str,
    env: dict[str, str] | None = None,
) -> pytest.RunResult:
    test_file = _user_tests(pytester.path, expected)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    monkeypatch.delenv("KIMI_SIMULATOR_PROFILE", raising=False)
    for name, value in (env or {}).items():
        monkeypatch.setenv(name, value)
    return pytester.runpytest_inprocess(
        str(test_file), "-q", "-s", "-p", "no:cacheprovider", "-p", "no:xdist", *args
    )


def _write_profile(path: Path, behaviour: Behaviour) -> Path:
    path.write_text(json.dumps(make_profile(behaviour, {}, {"by": "a test"})))
    return path


def test_the_option_loads_a_profile(tmp_path: Path) -> None:
    profile = _write_profile(tmp_path / "team.json", SEEN)
    result = _pytest(tmp_path, SEEN, "--kimi-profile", str(profile))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "REFUSAL 400 Model not exist." in result.stdout


def test_the_environment_variable_loads_a_profile(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = _write_profile(pytester.path / "team.json", SEEN)
    env = {"KIMI_SIMULATOR_PROFILE": str(profile)}
    result = _inprocess(pytester, monkeypatch, SEEN, env=env)
    assert result.ret == 0, result.outlines
    assert "REFUSAL 400 Model not exist." in result.stdout.str()


def test_the_option_wins_over_the_environment(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = _write_profile(pytester.path / "chosen.json", SEEN)
    other = _write_profile(
        pytester.path / "other.json", Behaviour(stream_usage="choice")
    )
    env = {"KIMI_SIMULATOR_PROFILE": str(other)}
    result = _inprocess(
        pytester, monkeypatch, SEEN, "--kimi-profile", str(chosen), env=env
    )
    assert result.ret == 0, result.outlines


def test_without_a_profile_the_published_references_apply(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _inprocess(pytester, monkeypatch, Behaviour())
    assert result.ret == 0, result.outlines
    assert (
        "REFUSAL 404 The model `kimi-no-such-model` does not exist."
        in result.stdout.str()
    )


def test_a_bad_profile_fails_with_a_clear_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = pytester.path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "schema": "langchain-kimi/simulator-profile",
                "version": 1,
                "behaviour": {"json_mode": True},
            }
        )
    )
    result = _inprocess(pytester, monkeypatch, Behaviour(), "--kimi-profile", str(bad))
    assert result.ret != 0
    assert "Unknown simulator behaviour ['json_mode']" in result.stdout.str()
