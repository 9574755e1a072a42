"""What a newcomer meets first: the Python version, the name to install, and
``n``, stated once and the same everywhere."""

import re
import tomllib
import warnings
from pathlib import Path

import pytest

from langchain_kimi import ChatKimi

ROOT = Path(__file__).parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DIST = "langchain-kimi-modelstudio"


def test_python_311_is_required_and_targeted() -> None:
    assert PYPROJECT["project"]["requires-python"] == ">=3.11"
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py311"
    assert PYPROJECT["tool"]["mypy"]["python_version"] == "3.11"


def test_the_readme_says_python_311_and_never_310() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "Python 3.11" in readme
    assert "3.10" not in readme


def test_the_distribution_name_is_not_the_unrelated_pypi_project() -> None:
    assert PYPROJECT["project"]["name"] == DIST


def _texts() -> list[tuple[Path, str]]:
    files = [ROOT / "README.md", *(ROOT / "langchain_kimi").rglob("*.py")]
    files += (ROOT / "examples").glob("*.py")
    return [(path, path.read_text()) for path in files]


def test_every_install_hint_names_the_published_distribution() -> None:
    hints = [
        (path.name, line.strip())
        for path, text in _texts()
        for line in text.splitlines()
        if re.search(r"pip install\b", line) and "-e " not in line
    ]
    assert hints, "no install hint found"
    wrong = [(name, line) for name, line in hints if DIST not in line]
    assert not wrong


def test_no_text_tells_users_to_install_the_bare_langchain_kimi_name() -> None:
    bare = re.compile(r"(?:pip install[^\n]*|Install ``)[\"'`]?langchain-kimi(?!-)")
    found = [path.name for path, text in _texts() if bare.search(text)]
    assert not found


def test_n_above_one_is_refused_once_without_a_misleading_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=r"\(n\)") as refused:
            ChatKimi(api_key="sk-test", n=2)
    assert "returns 1 choice" in str(refused.value)
    assert not [w for w in caught if "is not a ChatKimi parameter" in str(w.message)]


def test_n_of_one_is_accepted_silently_and_sent() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        llm = ChatKimi(api_key="sk-test", n=1)
    assert llm.model_kwargs == {"n": 1}
