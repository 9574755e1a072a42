"""The probe as a command: its budget, the confirmation, the table, the file.

``python -m langchain_kimi probe [--output PATH] [--yes]`` says what the run
will send and cost (from the features table's prices) before anything goes
out, asks unless ``--yes``, then prints what the service did per disputed
behaviour, names each case whose answer could not be read, and writes the
profile. A rejected key stops it (exit 2) with where keys come from, and
nothing is written. The key is never printed or written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from langchain_kimi.chat_models import API_KEY_ENV, BASE_URL_ENV
from langchain_kimi.console import NO_KEY, Console
from langchain_kimi.models import THINKING_MODEL, get_model_spec
from langchain_kimi.probe import KeyRejectedError, probe_service
from langchain_kimi.probe_cases import MAX_TOKENS, Case, cases
from langchain_kimi.testing.behaviour import Behaviour
from langchain_kimi.tokens import estimate_text
from langchain_kimi.transports import endpoint_for

#: Model Studio's regional hosts (a workspace host names its region code).
_REGION_HOSTS = {
    "dashscope.aliyuncs.com": "China (Beijing)",
    "dashscope-intl.aliyuncs.com": "Singapore",
    "dashscope-us.aliyuncs.com": "US (Virginia)",
}
_REGION_CODES = {
    "cn-beijing": "China (Beijing)",
    "ap-southeast-1": "Singapore",
    "ap-northeast-1": "Tokyo",
    "us-east-1": "US (Virginia)",
    "eu-central-1": "Germany (Frankfurt)",
}

DEFAULT_OUTPUT = "kimi-profile.json"


@dataclass(frozen=True)
class Budget:
    """What a probe run sends and the most it should cost."""

    requests: int
    billed: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    thinking_requests: int
    max_reasoning_tokens: int
    reasoning_cost_usd: float


def budget(planned: Sequence[Case]) -> Budget:
    """Tokens and cost: each billed request's estimated input, ``MAX_TOKENS``
    out; and what the thinking model's reasoning could add if the service
    does not cap it with ``max_tokens``."""
    billed = [case for case in planned if case.billed]
    input_tokens = output_tokens = 0
    cost = reasoning_cost = 0.0
    thinking = 0
    reasoning_cap = 0
    for case in billed:
        spec = get_model_spec(case.model)
        tokens_in = estimate_text(json.dumps(case.body(), ensure_ascii=False))
        input_tokens += tokens_in
        output_tokens += MAX_TOKENS
        cost += spec.cost_usd(tokens_in, MAX_TOKENS) or 0.0
        if spec.deep_thinking and spec.max_reasoning_tokens:
            thinking += 1
            reasoning_cap = spec.max_reasoning_tokens
            reasoning_cost += spec.cost_usd(0, spec.max_reasoning_tokens) or 0.0
    return Budget(
        requests=len(planned),
        billed=len(billed),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=cost,
        thinking_requests=thinking,
        max_reasoning_tokens=reasoning_cap,
        reasoning_cost_usd=reasoning_cost,
    )


def budget_text(spent: Budget) -> str:
    spec = get_model_spec(THINKING_MODEL)
    free = spent.requests - spent.billed
    return (
        f"The probe sends {spent.requests} small requests to both models on both "
        f"endpoints; {free} of them are refused by design (a wrong key, an unknown "
        f"model) and cost nothing. Each of the other {spent.billed} asks for at "
        f"most {MAX_TOKENS} output tokens: about {spent.input_tokens:,} input and "
        f"at most {spent.output_tokens:,} output tokens in all, about "
        f"${spent.cost_usd:.4f} at the features table's prices "
        f"(${spec.input_price_per_million} in, ${spec.output_price_per_million} "
        f"out per million tokens).\n"
        f"The {spent.thinking_requests} requests to {THINKING_MODEL} are streams "
        "closed after their first event. If the service bills reasoning beyond "
        "max_tokens, or keeps generating after the close, each could cost up to "
        f"{spent.max_reasoning_tokens:,} reasoning tokens more: at most "
        f"${spent.reasoning_cost_usd:.2f} in all."
    )


def _shown(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def table(profile: Mapping[str, Any]) -> list[str]:
    """The report: per switch, what the service did against the published
    default, with the evidence in a sentence below."""
    published = Behaviour().to_dict()
    rows = [("behaviour", "seen", "published", "")]
    notes: list[str] = []
    for name, item in profile["evidence"].items():
        seen = _shown(item["value"]) if item["settled"] else "not settled"
        differs = item["settled"] and item["value"] != published[name]
        rows.append((name, seen, _shown(published[name]), "differs" if differs else ""))
        notes.append(item["summary"])
    widths = [max(len(row[i]) for row in rows) for i in range(3)]

    def line(row: tuple[str, str, str, str]) -> str:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        return "  ".join([*cells, row[3]]).rstrip()

    lines = [line(rows[0])]
    for row, note in zip(rows[1:], notes, strict=True):
        lines += [line(row), f"    {note}"]
    return lines


def region_of(base_url: str | None) -> str:
    """The region a base URL's host serves, in words (or the host itself)."""
    host = (urlsplit(endpoint_for("openai", base_url)).hostname or "").lower()
    if host in _REGION_HOSTS:
        return f"the {_REGION_HOSTS[host]} region"
    labels = host.split(".")
    for code, name in _REGION_CODES.items():
        if code in labels:
            return f"the {name} region"
    return f"the host {host}"


def rejected_key_text(error: KeyRejectedError, base_url: str | None) -> str:
    """What a user whose key was refused needs: that, and where keys come from."""
    return (
        f"{error.message}\nThe key in {API_KEY_ENV} was used against "
        f"{region_of(base_url)}. Model Studio keys are per region: a key works "
        "only in the region whose Model Studio console created it. Create a key "
        "in that region's console (API keys page), or point "
        f"{BASE_URL_ENV} at your key's region, then export {API_KEY_ENV}=sk-... "
        "and run the probe again. Nothing was written."
    )


def unreadable(profile: Mapping[str, Any]) -> list[str]:
    """One line per case whose answer could not be read, by case name."""
    seen: dict[str, str] = {}
    for item in profile["evidence"].values():
        for reading in item["readings"]:
            for case in reading["cases"]:
                if case.get("failure"):
                    seen.setdefault(case["case"], case["failure"])
    return [f"{name}: {reason}" for name, reason in seen.items()]


def probe_command(
    console: Console,
    output: str = DEFAULT_OUTPUT,
    *,
    yes: bool = False,
    ask: Callable[[str], str] = input,
) -> int:
    """Run the probe; 2 without a key, when the user declines, or when the
    service rejects the key."""
    api_key = os.environ.get(API_KEY_ENV)
    if not api_key:
        console.line(NO_KEY, "yellow")
        return 2
    console.line(budget_text(budget(cases())))
    if not yes:
        try:
            reply = ask("Send them? [y/N] ")
        except EOFError:
            reply = ""
        if reply.strip().lower() not in ("y", "yes"):
            console.line("Nothing sent. Pass --yes to skip this question.", "yellow")
            return 2
    console.start_spinner("probing the service")
    base_url = os.environ.get(BASE_URL_ENV)
    try:
        profile = probe_service(api_key=api_key, base_url=base_url)
    except KeyRejectedError as error:
        console.line(rejected_key_text(error, base_url), "yellow")
        return 2
    console.line()
    for number, line in enumerate(table(profile)):
        console.line(line, "bold" if number == 0 else None)
    failed = unreadable(profile)
    if failed:
        console.line("\nThese answers could not be read (the rest were):", "yellow")
        for line in failed:
            console.line(f"  {line}", "yellow")
    with open(output, "w", encoding="utf-8") as file:
        json.dump(profile, file, indent=2, ensure_ascii=False)
        file.write("\n")
    console.line(
        f"\nProfile written to {output}. Run your tests against a simulator that "
        f"behaves the same: pytest --kimi-profile {output}",
        "green",
    )
    return 0
