"""One call to the service as a model instance makes it: what it remembers, and
the second request it sends when the service refuses JSON mode.

The JSON-mode fallback is one idea with one home: ``Call.instead_of`` decides
(``request.is_json_mode_refusal``), remembers the refusal in ``Memory`` so
later calls skip the failing attempt, warns once, and rebuilds the request
without ``response_format``. The four helpers only place that second attempt
in a whole reply or a stream (before anything reached the caller); they
differ in their awaits alone.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import NoReturn

from langchain_kimi._utils.warnings import warn
from langchain_kimi.errors import (
    AuthenticationError,
    BadRequestError,
    KimiError,
    MissingAPIKeyError,
    NotFoundError,
    key_advice,
)
from langchain_kimi.model_specs import retirement_note
from langchain_kimi.protocols.types import Delta, Result
from langchain_kimi.rate_limits.meter import Meter
from langchain_kimi.request.build import ChatRequest, is_json_mode_refusal
from langchain_kimi.transports import Transport


@dataclass
class Memory:
    """What one model instance keeps between calls."""

    warned: set[str] = field(default_factory=set)
    """Kinds of warning given (each kind is given once)."""
    no_json_mode: set[str] = field(default_factory=set)
    """Where the service refused JSON mode (``ChatRequest.json_key``: the
    model, with or without thinking)."""

    def warn_once(self, key: str, text: str) -> None:
        """Warn unless a warning of this kind was given already."""
        if key not in self.warned:
            self.warn(key, text)

    def warn(self, key: str, text: str) -> None:
        """Warn now, and let later ``warn_once`` calls of this kind stay quiet."""
        self.warned.add(key)
        warn(text)

    def json_mode(self, key: str) -> bool:
        """Whether requests under ``key`` (``json_key``) may still ask for
        JSON mode."""
        return key not in self.no_json_mode


class Call:
    """One call's request. ``build()`` makes it, asking ``memory.json_mode``;
    its notices (a tool choice sent as an instruction, a tool turn without
    reasoning) are warned once per model instance. ``endpoint`` says where
    the key is used (``"the cn-beijing region (https://...)"``), for a 401;
    ``meter`` charges its tokens to a ``KimiRateLimiter`` around the helpers
    below."""

    def __init__(
        self,
        build: Callable[[], ChatRequest],
        memory: Memory,
        endpoint: str = "",
        meter: Callable[[ChatRequest], Meter] | None = None,
    ) -> None:
        self._build = build
        self._memory = memory
        self.endpoint = endpoint
        self.request = self._make()
        self.meter = meter(self.request) if meter else Meter()

    def explained(self, error: KimiError) -> KimiError:
        """``error`` with what this call knows added: a retired model's date
        and successors, the region a refused key was used against."""
        if isinstance(error, NotFoundError) and self.request.spec.retired:
            note = retirement_note(self.request.spec)
        elif (
            isinstance(error, AuthenticationError)
            and not isinstance(error, MissingAPIKeyError)
            and error.status_code == 401
            and self.endpoint
        ):
            note = key_advice(self.endpoint)
        else:
            return error
        return type(error)(
            error.message,
            status_code=error.status_code,
            code=error.code,
            request_id=error.request_id,
            retry_after=error.retry_after,
            advice=note,
        )

    def _make(self) -> ChatRequest:
        request = self._build()
        for notice in request.notices:
            self._memory.warn_once(notice.key, notice.text)
        return request

    def instead_of(
        self, error: BadRequestError, *, started: bool = False
    ) -> ChatRequest:
        """The request to send instead, if ``error`` refused JSON mode before
        anything reached the caller; otherwise ``error`` is raised again."""
        if started or not is_json_mode_refusal(self.request, error):
            raise error
        self._memory.no_json_mode.add(self.request.json_key)
        self._memory.warn_once(
            "json_mode",
            f"{self.request.model} refused JSON mode ({error.message}). ChatKimi "
            "sent the call again without response_format, keeping the JSON "
            "instruction, and does so for every later call of this model "
            "instance; structured output still validates each reply.",
        )
        self.request = self._make()
        return self.request


def _raise_explained(call: Call, error: KimiError) -> NoReturn:
    better = call.explained(error)
    if better is error:
        raise error
    raise better from error


def invoke(transport: Transport, call: Call) -> Result:
    call.meter.take()
    try:
        try:
            result = transport.invoke(call.request)
        except BadRequestError as error:
            result = transport.invoke(call.instead_of(error))
        call.meter.saw(result["usage"])
        return result
    except KimiError as error:
        _raise_explained(call, error)
    finally:
        call.meter.done()


async def ainvoke(transport: Transport, call: Call) -> Result:
    await call.meter.atake()
    try:
        try:
            result = await transport.ainvoke(call.request)
        except BadRequestError as error:
            result = await transport.ainvoke(call.instead_of(error))
        call.meter.saw(result["usage"])
        return result
    except KimiError as error:
        _raise_explained(call, error)
    finally:
        await call.meter.adone()


def deltas(transport: Transport, call: Call) -> Iterator[Delta]:
    """The reply's deltas, metered; a refusal comes before any delta, so
    nothing reached the caller when the second request goes."""
    call.meter.take()
    try:
        for delta in _deltas(transport, call):
            call.meter.saw(delta.get("usage"))
            yield delta
    finally:
        call.meter.done()


async def adeltas(transport: Transport, call: Call) -> AsyncGenerator[Delta, None]:
    """Async ``deltas``."""
    await call.meter.atake()
    try:
        async with aclosing(_adeltas(transport, call)) as each:
            async for delta in each:
                call.meter.saw(delta.get("usage"))
                yield delta
    finally:
        await call.meter.adone()


def _deltas(transport: Transport, call: Call) -> Iterator[Delta]:
    started = False
    try:
        try:
            for delta in transport.stream(call.request):
                started = True
                yield delta
        except BadRequestError as error:
            yield from transport.stream(call.instead_of(error, started=started))
    except KimiError as error:
        _raise_explained(call, error)


async def _adeltas(transport: Transport, call: Call) -> AsyncGenerator[Delta, None]:
    started = False
    try:
        try:
            async with aclosing(transport.astream(call.request)) as first:
                async for delta in first:
                    started = True
                    yield delta
        except BadRequestError as error:
            again = call.instead_of(error, started=started)
            async with aclosing(transport.astream(again)) as second:
                async for delta in second:
                    yield delta
    except KimiError as error:
        _raise_explained(call, error)
