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

from langchain_kimi.chat_models.base import API_KEY_ENV, BASE_URL_ENV
from langchain_kimi.cli.console import NO_KEY, Console
from langchain_kimi.model_specs import get_model_spec
from langchain_kimi.probe.cases import (
    ALWAYS_THINKING,
    ENDPOINTS,
    MAX_TOKENS,
    NOT_THINKING,
    THINKING,
    Case,
    cases,
)
from langchain_kimi.probe.run import KeyRejectedError, probe_service
from langchain_kimi.request.tokens import estimate_text
from langchain_kimi.testing.behaviour import Behaviour
from langchain_kimi.transports import region_named

DEFAULT_OUTPUT = "kimi-profile.json"


@dataclass(frozen=True)
class Budget:
    """What a probe run sends and the most it should cost (where priced)."""

    requests: int
    billed: int
    input_tokens: int
    output_tokens: int
    cost_usd: float
    unpriced: tuple[str, ...]
    thinking_requests: int


def budget(planned: Sequence[Case]) -> Budget:
    """Tokens and cost: each billed request's estimated input, ``MAX_TOKENS``
    out, priced from the features table where it has prices (``unpriced``:
    the models it has none for)."""
    billed = [case for case in planned if case.billed]
    input_tokens = output_tokens = 0
    cost = 0.0
    unpriced: list[str] = []
    for case in billed:
        tokens_in = estimate_text(json.dumps(case.body(), ensure_ascii=False))
        input_tokens += tokens_in
        output_tokens += MAX_TOKENS
        price = get_model_spec(case.model).cost_usd(tokens_in, MAX_TOKENS)
        if price is None:
            unpriced += [case.model] if case.model not in unpriced else []
        else:
            cost += price
    return Budget(
        requests=len(planned),
        billed=len(billed),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=cost,
        unpriced=tuple(unpriced),
        thinking_requests=sum(1 for c in billed if c.model in ALWAYS_THINKING),
    )


def budget_text(spent: Budget) -> str:
    free = spent.requests - spent.billed
    priced = f"about ${spent.cost_usd:.4f} at the features table's prices"
    if spent.unpriced:
        priced += (
            f" for the models it prices; the page publishes no price for "
            f"{', '.join(spent.unpriced)} (see the Model Studio console)"
        )
    return (
        f"The probe sends {spent.requests} small requests: a first answer from "
        f"each model of the lineup and of the seed, and the disputed behaviours "
        f"on {THINKING} and {NOT_THINKING}, on both endpoints; {free} of them are "
        f"refused by design (a wrong key, an unknown model) and cost nothing. "
        f"Each of the other {spent.billed} asks for at most {MAX_TOKENS} output "
        f"tokens: about {spent.input_tokens:,} input and at most "
        f"{spent.output_tokens:,} output tokens in all, {priced}.\n"
        f"The {spent.thinking_requests} requests to models that always think "
        f"({', '.join(ALWAYS_THINKING)}) are streams closed after their first "
        "event. If the service bills reasoning beyond max_tokens, or keeps "
        "generating after the close, each could cost up to the model's "
        "reasoning limit more."
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


def _reached(row: Mapping[str, Any]) -> str:
    if row["reachable"]:
        return "reachable"
    if row["reachable"] is None:
        return "no answer"
    return "not served" if row.get("not_served") else f"refused ({row['status']})"


def models_table(profile: Mapping[str, Any]) -> list[str]:
    """Which models the key reached, per endpoint, and whether the seed's two
    are still served (empty for a profile without ``models``)."""
    reached = profile.get("models")
    if not reached:
        return []
    rows = [("model", *ENDPOINTS)]
    for group in ("lineup", "seed"):
        for name, row in reached[group].items():
            label = name + (" (retired 2026-07-09)" if group == "seed" else "")
            rows.append((label, *(_reached(row[ep]) for ep in ENDPOINTS)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    served = {True: "yes", False: "no", None: "unclear"}[reached["seed_served"]]
    return [*lines, f"The seed's two models are still served: {served}."]


def region_of(base_url: str | None) -> str:
    """The region a base URL's host serves, in words (or the host itself)."""
    return region_named(base_url)


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
    console.line()
    for number, line in enumerate(models_table(profile)):
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
