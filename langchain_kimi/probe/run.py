"""``python -m langchain_kimi probe``: ask the service what the references dispute.

The published references disagree on behaviours that decide whether a call
works (JSON mode on a thinking model, forced tool choice, error spelling,
...). A fixed, small set of requests (``probe_cases``) to kimi-k3 and
kimi-k2.6 over both endpoints settles them: ``observe`` reads the answers
(``probe_reading``) into one observation per simulator switch, and
``profile`` writes them in the form ``KimiSimulator(profile=...)`` reads.
One first event from each model of the lineup and of the seed records which
models the key reaches (``models``), and whether the seed's two, retired on
2026-07-09, are still served.
Requests go out raw (``transports.raw``), not through ChatKimi, because the
evidence is what the SDKs hide: status codes, error bodies as framed, chunks
as sent.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from langchain_kimi._version import __version__
from langchain_kimi.errors import APIConnectionError, AuthenticationError, KimiError
from langchain_kimi.probe.cases import (
    ENDPOINTS,
    LINEUP,
    REACH,
    SEED,
    WRONG_KEY,
    Case,
    Endpoint,
    cases,
)
from langchain_kimi.probe.http import RawClient
from langchain_kimi.probe.reading import (
    Answer,
    Observation,
    Reading,
    acceptance,
    failed_answer,
    framing_reading,
    index_reading,
    parallel_reading,
    reach,
    read_answer,
    retired_reading,
    spelling_reading,
    unknown_model_reading,
    usage_reading,
)
from langchain_kimi.testing.behaviour import Behaviour, make_profile
from langchain_kimi.transports import endpoint_for, http_errors

Send = Callable[[Case], Answer]
#: Reads one endpoint's answers: the cases it used, and its verdict.
Read = Callable[[Endpoint], tuple[list[str], Reading]]


class KeyRejectedError(AuthenticationError):
    """The service refused the user's own key (401 on a request sent with it):
    every answer would be that refusal, so the probe stops there."""


def run(send: Send, planned: Sequence[Case]) -> dict[str, Answer]:
    """Each case's answer, by case name (``send`` does the I/O).

    Raises ``KeyRejectedError`` at the first 401 to a request sent with the
    user's key, before the rest go out.
    """
    answers: dict[str, Answer] = {}
    for case in planned:
        answer = answers[case.name] = send(case)
        if answer.status == 401 and not case.wrong_key:
            said = " ".join(str(p) for p in (answer.code, answer.message) if p)
            raise KeyRejectedError(
                f"The service rejected the API key: {said or 'HTTP 401'}",
                status_code=401,
                code=answer.code,
            )
    return answers


def http_sender(client: RawClient, *, api_key: str, base_url: str | None) -> Send:
    """A ``Send`` over raw HTTP; ``base_url`` as ``DASHSCOPE_BASE_URL`` (either
    endpoint's form), or the service's default."""

    unreadable = http_errors()

    def send(case: Case) -> Answer:
        try:
            raw = client.post(
                endpoint_for(case.transport, base_url) + case.path,
                case.body(),
                api_key=WRONG_KEY if case.wrong_key else api_key,
                headers=case.headers(),
                max_events=1 if case.first_event_only else None,
            )
        except KimiError as error:
            return failed_answer(error.message)
        except unreadable as error:  # e.g. a body under a false gzip header
            return failed_answer(f"the answer could not be read ({error})")
        return read_answer(raw)

    return send


class _Evidence:
    """The answers, and how each switch is read from them."""

    def __init__(self, planned: Sequence[Case], answers: Mapping[str, Answer]) -> None:
        self.planned = planned
        self.answers = answers
        self.by_name = {case.name: case for case in planned}

    def entry(
        self, ep: Endpoint, names: Sequence[str], reading: Reading
    ) -> dict[str, Any]:
        """One endpoint's verdict, its facts, and per case what came back."""
        cases = [
            {
                "case": name,
                "model": self.by_name[name].model,
                **self.answers[name].facts(),
            }
            for name in names
        ]
        return {"endpoint": ep, "said": reading.said, **reading.facts, "cases": cases}

    def one(self, stem: str, reader: Callable[[Answer], Reading]) -> Read:
        return lambda ep: ([f"{stem}/{ep}"], reader(self.answers[f"{stem}/{ep}"]))

    def accepted(self, stem: str, *words: str, refused: bool = False) -> Read:
        """Whether ``stem``'s request was accepted (``refused``: was refused)."""

        def read(ep: Endpoint) -> tuple[list[str], Reading]:
            name = f"{stem}/{ep}"
            reading = acceptance(self.answers[name], *words)
            if refused and reading.value is not None:
                reading = Reading(not reading.value, reading.said, reading.facts)
            return [name], reading

        return read

    def parallel(self, ep: Endpoint) -> tuple[list[str], Reading]:
        names = [f"two_calls/{ep}", f"two_calls_parallel/{ep}"]
        return names, parallel_reading(*(self.answers[name] for name in names))

    def spelled(self, ep: Endpoint) -> tuple[list[str], Reading]:
        names = [
            case.name
            for case in self.planned
            if case.endpoint == ep and self.answers[case.name].code
        ]
        return names, spelling_reading([self.answers[name] for name in names])

    def retired(self, ep: Endpoint) -> tuple[list[str], Reading]:
        names = [f"{REACH}{model}/{ep}" for model in SEED]
        return names, retired_reading([self.answers[name] for name in names])

    def budget(self, ep: Endpoint) -> tuple[list[str], Reading]:
        """``thinking_budget`` where none is published: accepted is "ignored"."""
        names, seen = self.accepted("budget_without_budget", "thinking_budget")(ep)
        value = None if seen.value is None else ("ignored" if seen.value else "refused")
        return names, Reading(value, seen.said, seen.facts)

    def each(self, stem: str, read: Read) -> list[Observation]:
        """A per-endpoint switch: ``<stem>_compatible``, ``<stem>_native``."""
        return [self.single(f"{stem}_{ep}", ep, read) for ep in ENDPOINTS]

    def single(self, switch: str, ep: Endpoint, read: Read) -> Observation:
        names, reading = read(ep)
        entry = self.entry(ep, names, reading)
        return Observation(switch, reading.value, reading.said, (entry,))

    def both(self, switch: str, read: Read) -> Observation:
        """One switch read on both endpoints: their common value; the one that
        settled it; or, where they differ, the compatible endpoint's (ChatKimi's
        default transport), saying so."""
        readings = {ep: read(ep) for ep in ENDPOINTS}
        said = "; ".join(f"{ep}: {r.said}" for ep, (_, r) in readings.items())
        settled = {
            ep: r.value for ep, (_, r) in readings.items() if r.value is not None
        }
        value = settled.get("compatible", settled.get("native"))
        if len(set(settled.values())) > 1:
            said += (
                "; the endpoints differ and the simulator has one switch: set "
                "from the compatible endpoint"
            )
        elif len(settled) == 1:
            said += f"; settled by the {next(iter(settled))} endpoint only"
        entries = tuple(self.entry(ep, *pair) for ep, pair in readings.items())
        return Observation(switch, value, said, entries)


def observe(
    planned: Sequence[Case], answers: Mapping[str, Answer]
) -> list[Observation]:
    """One observation per simulator switch, in ``Behaviour``'s order."""
    e = _Evidence(planned, answers)
    return [
        e.both(
            "json_mode_on_thinking", e.accepted("json_mode", "response_format", "json")
        ),
        e.both(
            "require_reasoning_in_tool_turns",
            e.accepted("tool_turn_without_reasoning", "reasoning", refused=True),
        ),
        e.both("tool_call_index_in_stream", e.one("tool_call_stream", index_reading)),
        e.both("parallel_tool_calls_default", e.parallel),
        e.both(
            "forced_tool_choice_on_thinking",
            e.accepted("forced_choice", "tool_choice", "thinking"),
        ),
        e.both("required_tool_choice", e.accepted("required_choice", "tool_choice")),
        e.single("stream_usage", "compatible", e.one("usage_stream", usage_reading)),
        *e.each("error_codes", e.spelled),
        *e.each("stream_error_framing", e.one("wrong_key_stream", framing_reading)),
        *e.each("unknown_model", e.one("unknown_model", unknown_model_reading)),
        e.both("retired_models", e.retired),
        e.both("thinking_budget_unsupported", e.budget),
    ]


def models(answers: Mapping[str, Answer]) -> dict[str, Any]:
    """Which models the key reached, per endpoint: the lineup's and the seed's
    (with ``seed_served``: both seed models answered somewhere, ``False`` when
    both were refused everywhere, else ``None``)."""

    def rows(names: Sequence[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name in names:
            per = {ep: reach(answers[f"{REACH}{name}/{ep}"]) for ep in ENDPOINTS}
            seen = [row["reachable"] for row in per.values()]
            reachable = True if True in seen else (False if None not in seen else None)
            found[name] = {"reachable": reachable, **per}
        return found

    lineup, seed = rows(LINEUP), rows(SEED)
    seed_seen = [row["reachable"] for row in seed.values()]
    return {
        "lineup": lineup,
        "seed": seed,
        "reachable": [name for name, row in lineup.items() if row["reachable"]],
        "seed_served": (
            True
            if all(seed_seen)
            else (False if all(v is False for v in seed_seen) else None)
        ),
    }


def profile(
    observations: Sequence[Observation],
    *,
    base_url: str | None,
    secret: str,
    reached: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The profile file's dict: settled switches as seen, the rest at their
    published defaults (``settled: false``), with the evidence, and
    ``reached`` (``models``) as ``models``; ``secret`` (the key) is scrubbed
    from every string, should the service echo it."""
    defaults = Behaviour().to_dict()
    values = dict(defaults)
    evidence: dict[str, Any] = {}
    for seen in observations:
        settled = seen.value is not None
        values[seen.switch] = seen.value if settled else defaults[seen.switch]
        evidence[seen.switch] = {
            "value": values[seen.switch],
            "settled": settled,
            "summary": seen.summary,
            "readings": list(seen.readings),
        }
    source = {
        "by": "python -m langchain_kimi probe",
        "base_url": _without_userinfo(endpoint_for("openai", base_url)),
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "langchain_kimi": __version__,
    }
    made = make_profile(Behaviour.from_dict(values), evidence, source)
    if reached is not None:
        made["models"] = dict(reached)
    scrubbed: dict[str, Any] = scrub(made, secret)
    return scrubbed


def scrub(value: Any, secret: str) -> Any:
    """``value`` with ``secret`` masked in every string it holds."""
    if isinstance(value, str):
        return value.replace(secret, "***") if secret else value
    if isinstance(value, Mapping):
        return {key: scrub(item, secret) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(item, secret) for item in value]
    return value


def probe_service(
    *, api_key: str, base_url: str | None, timeout: float = 60.0
) -> dict[str, Any]:
    """Send every case and read the answers into a profile.

    Raises ``APIConnectionError`` when no request got an answer at all, and
    ``KeyRejectedError`` when the service refused the key.
    """
    planned = cases()
    with RawClient(timeout=timeout) as client:
        try:
            answers = run(
                http_sender(client, api_key=api_key, base_url=base_url), planned
            )
        except KeyRejectedError as error:
            raise KeyRejectedError(
                scrub(error.message, api_key), status_code=401, code=error.code
            ) from None
    if all(answer.status is None for answer in answers.values()):
        failure = next(iter(answers.values())).failure
        raise APIConnectionError(
            scrub(f"No answer from the service: {failure}", api_key)
        )
    return profile(
        observe(planned, answers),
        base_url=base_url,
        secret=api_key,
        reached=models(answers),
    )


def _without_userinfo(url: str) -> str:
    """``url`` without any ``user:password@`` (a profile is meant to be shared)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
