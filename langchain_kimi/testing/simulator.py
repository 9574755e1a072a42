"""A loopback stand-in for Model Studio's Kimi chat service.

It speaks both protocols so the real ``openai`` and ``dashscope`` SDKs parse
its answers unchanged, applies the service's own rules, records every request,
and answers from a queue of scripted replies and faults, or else from a
deterministic responder. It runs on ``127.0.0.1`` on an ephemeral port, in a
background thread with its own event loop.

Its knowledge of the service is its own (``service``, ``rules``), written from
the Kimi page and the published references; where those disagree,
``Behaviour`` holds the switch.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import uuid
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from os import PathLike
from typing import Any

from aiohttp import web

from langchain_kimi.request.tokens import estimate_text
from langchain_kimi.testing import control, faults, rendering, rules
from langchain_kimi.testing.account_limits import AccountLimits, AccountMeter
from langchain_kimi.testing.behaviour import ENDPOINT_OF, Behaviour, Framing
from langchain_kimi.testing.cache import PromptCache
from langchain_kimi.testing.content import check_content
from langchain_kimi.testing.error_codes import in_spelling
from langchain_kimi.testing.recording import RecordedRequest, ReplyQueue
from langchain_kimi.testing.replies import Fault, Reply, item_from_dict
from langchain_kimi.testing.responder import respond
from langchain_kimi.testing.server import LoopbackServer
from langchain_kimi.testing.service import (
    KIMI_MODELS,
    ServiceModel,
    as_called,
    unlisted_model,
)

COMPATIBLE_ROUTE = "/compatible-mode/v1/chat/completions"
NATIVE_ROUTE = "/api/v1/services/aigc/text-generation/generation"
#: Where the native endpoint serves the multimodal models (the whole lineup).
MULTIMODAL_ROUTE = "/api/v1/services/aigc/multimodal-generation/generation"
DEFAULT_API_KEY = "sk-kimi-simulator"
CONTROL_ROUTE = "/simulator"
_Control = Callable[[web.Request], Awaitable[web.Response]]


class KimiSimulator(LoopbackServer):
    """The simulator; use as a context manager or ``start()`` / ``stop()``.

    >>> with KimiSimulator() as sim:
    ...     sim.queue(Reply(content="Hello", reasoning="Greet back."))
    ...     llm = ChatKimi(api_key=sim.api_key, base_url=sim.openai_base_url)
    ...     llm.invoke("Hi").content
    'Hello'

    With nothing queued, ``responder(RecordedRequest) -> Reply`` answers if set
    (``reset()`` restores the constructor's), else the built-in responder.
    ``behaviour`` sets the disputed rules (``Behaviour``; the published
    references by default), or ``profile`` does (a profile's path or dict, as
    ``python -m langchain_kimi probe`` writes); tests may swap
    ``sim.behaviour``, and ``reset()`` restores the constructor's.
    ``connect_delay`` (seconds) holds back the first request on each new TCP
    connection, like TCP and TLS set-up to the real service; ``connections()``
    counts the connections clients opened (see ``LoopbackServer``).
    ``account_limits`` are the account's rate limits, enforced with
    ``Behaviour(account_rate_limit=True)`` (``account.refused`` counts 429s).
    """

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        extra_models: Iterable[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        responder: Callable[[RecordedRequest], Reply] | None = None,
        behaviour: Behaviour | None = None,
        profile: str | PathLike[str] | Mapping[str, Any] | None = None,
        connect_delay: float = 0.0,
        account_limits: AccountLimits | None = None,
    ) -> None:
        if behaviour is not None and profile is not None:
            raise ValueError("Pass behaviour or profile, not both.")
        self.api_key = api_key
        self.responder = responder
        self._default_responder = responder
        if profile is not None:
            behaviour = Behaviour.from_profile(profile)
        self.behaviour = behaviour or Behaviour()
        self._default_behaviour = self.behaviour
        self.models: dict[str, ServiceModel] = dict(KIMI_MODELS)
        for name in extra_models:
            self.models[name] = unlisted_model(name)
        self.requests: list[RecordedRequest] = []
        self.cache = PromptCache()
        self._account_limits = account_limits or AccountLimits()
        self.account = AccountMeter(self._account_limits)
        self._queue = ReplyQueue()
        self._released = threading.Event()
        self._default_connect_delay = connect_delay
        super().__init__(
            host=host,
            port=port,
            connect_delay=connect_delay,
            control_prefix=CONTROL_ROUTE,
        )

    # -- addresses ---------------------------------------------------------

    @property
    def openai_base_url(self) -> str:
        return self.url + "/compatible-mode/v1"

    @property
    def native_base_url(self) -> str:
        return self.url + "/api/v1"

    def base_url_for(self, transport: str) -> str:
        return (
            self.native_base_url if transport == "dashscope" else self.openai_base_url
        )

    # -- scripting ---------------------------------------------------------

    def queue(self, *items: Reply | Fault) -> None:
        """Answer the next requests with these replies or faults, in order."""
        with self._queue.lock:
            self._queue.items.extend(items)

    def fail(
        self,
        status: int,
        code: str,
        message: str = "Simulated failure.",
        *,
        retry_after: float | str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests with an HTTP error."""
        fault = Fault(
            status=status, code=code, message=message, retry_after=retry_after
        )
        self.queue(*([fault] * times))

    def release(self) -> None:
        """End every ``stall`` fault now, and skip those to come (until ``reset``)."""
        self._released.set()

    def reset(self) -> None:
        """Forget requests, queued items, cached prompts and connection counts;
        restore the constructor's responder, behaviour and connect delay."""
        with self._queue.lock:
            self._queue.items.clear()
        self.requests.clear()
        self.cache.clear()
        self.account = AccountMeter(self._account_limits)
        self.responder = self._default_responder
        self.behaviour = self._default_behaviour
        self.connect_delay = self._default_connect_delay
        self.reset_connections()
        self._released.clear()

    @property
    def last_request(self) -> RecordedRequest:
        return self.requests[-1]

    def routes(self, app: web.Application) -> None:
        app.router.add_post(COMPATIBLE_ROUTE, self._compatible)
        app.router.add_post(NATIVE_ROUTE, self._native)
        app.router.add_post(MULTIMODAL_ROUTE, self._native)
        for method, name, handler in (
            ("POST", "/queue", self._control_queue),
            ("POST", "/reset", self._control_reset),
            ("GET", "/requests", self._control_requests),
            ("GET", "/connections", self._control_connections),
        ):
            app.router.add_route(method, CONTROL_ROUTE + name, self._guarded(handler))

    # -- control endpoints (for a simulator in another process) --------------

    def _guarded(self, handler: _Control) -> _Control:
        """``handler`` behind ``control.refusal``: this machine's Host, the
        simulator's key, JSON bodies only."""

        async def guarded(request: web.Request) -> web.Response:
            host, port = self.bound_address
            refused = control.refusal(
                request, api_key=self.api_key, bound_host=host, bound_port=port
            )
            return refused if refused is not None else await handler(request)

        return guarded

    async def _control_queue(self, request: web.Request) -> web.Response:
        items = (await control.json_object(request)).get("items", [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise web.HTTPBadRequest(text='"items" must be a list of objects.')
        try:
            scripted = [item_from_dict(item) for item in items]
        except (TypeError, ValueError) as error:
            raise web.HTTPBadRequest(text=f"Not a reply or fault: {error}") from None
        self.queue(*scripted)
        return web.json_response({"queued": len(items)})

    async def _control_reset(self, request: web.Request) -> web.Response:
        self.reset()
        return web.json_response({"reset": True})

    async def _control_requests(self, request: web.Request) -> web.Response:
        return web.json_response(
            [
                {
                    "protocol": r.protocol,
                    "path": r.path,
                    "body": r.body,
                    "status": r.status,
                }
                for r in self.requests
            ]
        )

    async def _control_connections(self, request: web.Request) -> web.Response:
        stats = dataclasses.asdict(self.connections())
        return web.json_response({"connect_delay": self.connect_delay, **stats})

    # -- handlers ----------------------------------------------------------

    async def _compatible(self, request: web.Request) -> web.StreamResponse:
        return await self._answer(request, "openai")

    async def _native(self, request: web.Request) -> web.StreamResponse:
        return await self._answer(request, "dashscope")

    async def _answer(self, request: web.Request, kind: str) -> web.StreamResponse:
        """Record the request, answer it, and mark it finished however it ends."""
        try:
            body = await request.json()
        except json.JSONDecodeError:
            body = {}
        record = RecordedRequest(kind, request.path, dict(request.headers), body)
        self.requests.append(record)
        try:
            return await self._handle(request, kind, record)
        finally:
            record.finished = True

    async def _handle(
        self, request: web.Request, kind: str, record: RecordedRequest
    ) -> web.StreamResponse:
        request_id = str(uuid.uuid4())
        body = record.body
        native = kind == "dashscope"
        params = record.params
        stream = (
            bool(
                request.headers.get("X-DashScope-SSE") == "enable"
                or params.get("stream")
            )
            if native
            else bool(body.get("stream"))
        )
        behaviour = self.behaviour  # read once: a test may swap it
        endpoint = ENDPOINT_OF[kind]
        framing: Framing = (
            behaviour.on("stream_error_framing", endpoint) if stream else "json"
        )
        refusal = (
            rules.check_auth(request.headers.get("Authorization"), self.api_key)
            or rules.check_model(
                body.get("model"),
                self.models,
                behaviour.on("unknown_model", endpoint),
                behaviour.retired_models,
            )
            or rules.check_messages(record.messages)
        )
        multimodal = request.path == MULTIMODAL_ROUTE
        if refusal is None:
            model = as_called(self.models[body["model"]], params)
            refusal = (
                (rules.check_path(model, multimodal) if native else None)
                or check_content(
                    model,
                    record.messages,
                    native=native,
                    multimodal_route=multimodal,
                )
                or rules.check_parameters(model, params, record.messages, behaviour)
            )
        spelling = behaviour.on("error_codes", endpoint)
        if refusal is None and behaviour.account_rate_limit:
            over = self.account.admit()
            if over is not None:
                native_code = spelling == "CamelCase"
                code = over.native if native_code else over.compatible
                refusal = (429, code, over.message)
        if refusal is not None:
            status, code, message = refusal
            record.status = status
            return faults.error_response(
                kind,
                status,
                in_spelling(code, spelling),
                message,
                request_id,
                framing=framing,
            )
        item = self._queue.pop()
        if isinstance(item, Fault):
            answer = await faults.up_front(
                request,
                kind,
                item,
                request_id,
                stream=stream,
                spelling=spelling,
                framing=framing,
            )
            if answer is not None:
                record.status = faults.answered_status(item)
                return answer
        fault = item if isinstance(item, Fault) else None
        reply = item if isinstance(item, Reply) else None
        if fault is not None:
            reply = fault.reply
        if reply is None:
            responder = self.responder  # read once: a test may swap it
            reply = responder(record) if responder else None
        parallel = _parallel(params, behaviour)
        if reply is None:
            reply = respond(model, record.messages, params, parallel=parallel)
        if not parallel and len(reply.tool_calls) > 1:
            reply = dataclasses.replace(reply, tool_calls=reply.tool_calls[:1])
        await faults.wait(request, reply.delay)
        input_tokens = estimate_text(json.dumps(record.messages))
        if behaviour.account_rate_limit:
            counts = rendering.usage_counts(reply, input_tokens)
            self.account.used(counts["input_tokens"] + counts["output_tokens"])
        name = body["model"]
        cache = self.cache.account(name, record.messages)
        indexed = behaviour.tool_call_index_in_stream
        if not stream:
            payload = (
                rendering.native_body(
                    reply, request_id, input_tokens, multimodal=multimodal, cache=cache
                )
                if native
                else rendering.openai_body(reply, name, request_id, input_tokens, cache)
            )
            if fault is not None and fault.kind == "stall":
                await faults.stall(request, None, fault, self._released)
            return await faults.send_bytes(
                request,
                json.dumps(payload).encode(),
                headers={"x-request-id": request_id},
                byte_delay=faults.trickle_delay(fault),
            )
        events: Iterator[str] = (
            rendering.native_events(
                reply,
                request_id,
                input_tokens,
                incremental=bool(params.get("incremental_output")),
                indexed=indexed,
                multimodal=multimodal,
                cache=cache,
            )
            if native
            else rendering.openai_events(
                reply,
                name,
                request_id,
                input_tokens,
                include_usage=bool(
                    (params.get("stream_options") or {}).get("include_usage")
                ),
                indexed=indexed,
                usage_in=reply.usage_in or behaviour.stream_usage,
                cache=cache,
            )
        )
        return await faults.write_stream(
            request, kind, events, reply, fault, request_id, self._released, spelling
        )


def _parallel(params: dict[str, Any], behaviour: Behaviour) -> bool:
    """Whether this turn may make several tool calls (``parallel_tool_calls``)."""
    value = params.get("parallel_tool_calls")
    return behaviour.parallel_tool_calls_default if value is None else bool(value)
