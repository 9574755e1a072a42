"""The simulator's own lineup data and its pure rules: thinking per call,
content in both protocols' forms, the context cache's accounting."""

import pytest

from langchain_kimi.testing.cache import IMPLICIT_MIN_TOKENS, PromptCache
from langchain_kimi.testing.content import check_content, dynamic_tools, text_of
from langchain_kimi.testing.service import KIMI_MODELS, RETIRED_ON, as_called, thinks


def test_the_lineup_and_the_seed_are_served_and_only_the_seed_is_retired() -> None:
    assert set(KIMI_MODELS) == {
        "kimi-k3",
        "kimi-k2.7-code",
        "kimi-k2.6",
        "kimi-k2.5",
        "kimi-k2-thinking",
        "Moonshot-Kimi-K2-Instruct",
    }
    retired = {name for name, model in KIMI_MODELS.items() if model.retired}
    assert retired == {"kimi-k2-thinking", "Moonshot-Kimi-K2-Instruct"}
    assert RETIRED_ON == "2026-07-09"


@pytest.mark.parametrize(
    ("name", "sent", "expected"),
    [
        ("kimi-k3", None, True),
        ("kimi-k2.7-code", False, True),
        ("kimi-k2.6", None, False),
        ("kimi-k2.6", True, True),
        ("kimi-k2.5", False, False),
        ("Moonshot-Kimi-K2-Instruct", True, False),
    ],
)
def test_a_call_thinks_as_the_model_and_enable_thinking_say(
    name: str, sent: bool | None, expected: bool
) -> None:
    params = {} if sent is None else {"enable_thinking": sent}
    assert thinks(KIMI_MODELS[name], params) is expected
    assert as_called(KIMI_MODELS[name], params).thinking is expected


def test_text_is_read_from_strings_and_both_protocols_blocks() -> None:
    assert text_of("plain") == "plain"
    assert text_of([{"type": "text", "text": "a"}, {"image": "u"}, {"text": "b"}]) == (
        "a\nb"
    )
    assert text_of(None) == ""


def test_tools_loaded_by_system_messages_are_collected_in_order() -> None:
    first, second = {"function": {"name": "a"}}, {"function": {"name": "b"}}
    messages = [
        {"role": "system", "tools": [first]},
        {"role": "user", "content": "hi"},
        {"role": "system", "tools": [second]},
    ]
    assert dynamic_tools(messages) == [first, second]


@pytest.mark.parametrize(
    ("block", "native"),
    [
        ({"type": "audio", "audio": "u"}, False),
        ({"audio": "u"}, True),
        ({"text": "a", "image": "u"}, True),
        ({"type": "text", "text": "a", "cache_control": {"type": "forever"}}, False),
        ({"video": "u", "fps": 20}, True),
    ],
)
def test_malformed_blocks_are_refused(block: dict, native: bool) -> None:
    messages = [{"role": "user", "content": [block]}]
    refusal = check_content(KIMI_MODELS["kimi-k2.6"], messages, native=native)
    assert refusal is not None and refusal[0] == 400


def _prompt(system: str, question: str, *, marked: bool = False) -> list[dict]:
    block: dict = {"type": "text", "text": system}
    if marked:
        block["cache_control"] = {"type": "ephemeral"}
    return [
        {"role": "system", "content": [block]},
        {"role": "user", "content": question},
    ]


def test_a_marked_prefix_is_created_once_then_read() -> None:
    cache = PromptCache()
    cached, created = cache.account("kimi-k3", _prompt("Rules.", "A?", marked=True))
    assert cached == 0 and created > 0
    assert cache.account("kimi-k3", _prompt("Rules.", "B?", marked=True)) == (
        created,
        0,
    )


def test_the_cache_is_per_model_and_forgotten_on_clear() -> None:
    cache = PromptCache()
    cache.account("kimi-k3", _prompt("Rules.", "A?", marked=True))
    assert cache.account("kimi-k2.6", _prompt("Rules.", "B?", marked=True))[0] == 0
    cache.clear()
    assert cache.account("kimi-k3", _prompt("Rules.", "C?", marked=True))[0] == 0


def test_unmarked_prefixes_are_cached_only_from_the_implicit_minimum() -> None:
    cache = PromptCache()
    short, long = "Short rules.", "Long rules. " * 1000
    for question in ("A?", "B?"):
        small = cache.account("kimi-k3", _prompt(short, question))
        large = cache.account("kimi-k3", _prompt(long, question))
    assert small == (0, 0)
    assert large[0] >= IMPLICIT_MIN_TOKENS and large[1] == 0
