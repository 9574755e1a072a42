"""ChatKimi: Moonshot AI's Kimi models on Alibaba Cloud Model Studio (DashScope)."""

from __future__ import annotations

import copy
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.language_models import (
    BaseChatModel,
    LangSmithParams,
    LanguageModelInput,
    ModelProfile,
)
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool
from langchain_core.utils import from_env, secret_from_env
from langchain_core.utils.utils import LC_ID_PREFIX
from pydantic import (
    AliasChoices,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)
from typing_extensions import Self

from langchain_kimi import call_site, calls, streaming, structured
from langchain_kimi.checks import check_params, warn_if_clear_text
from langchain_kimi.errors import MissingAPIKeyError
from langchain_kimi.extra_kwargs import (
    accepted_names,
    field_spellings,
    sort_out_unknown,
)
from langchain_kimi.field_docs import document_fields
from langchain_kimi.iterators import aclosing
from langchain_kimi.messages import KeepReasoning
from langchain_kimi.models import (
    THINKING_MODEL,
    KimiModelSpec,
    get_model_spec,
    model_profile,
)
from langchain_kimi.rate_limits.meter import Meter, meter_for, on_error_for
from langchain_kimi.request import (
    REQUEST_FIELDS,
    ChatRequest,
    build_request,
)
from langchain_kimi.response import (
    StreamParser,
    achunks,
    chunks,
    to_ai_message,
)
from langchain_kimi.retry import MAX_RETRY_WAIT
from langchain_kimi.streaming import StreamCall
from langchain_kimi.tokens import estimate_messages, estimate_text
from langchain_kimi.tools import ToolChoice, plan_tool_choice, tool_definition
from langchain_kimi.transports import (
    Transport,
    endpoint_for,
    make_transport,
)

if TYPE_CHECKING:
    from langchain_core.caches import BaseCache
    from langchain_core.callbacks import Callbacks
    from langchain_core.rate_limiters import BaseRateLimiter

Messages = list[BaseMessage]
Stop = list[str] | None
Input = LanguageModelInput
Config = RunnableConfig | None

#: ``_should_stream``'s run manager when ``stream`` asks (``invoke`` passes one).
_FROM_STREAM: Any = object()

API_KEY_ENV = "DASHSCOPE_API_KEY"
BASE_URL_ENV = "DASHSCOPE_BASE_URL"

#: Held while a model builds its transport, so threads racing to make a
#: model's first call share one transport (and one connection pool).
_TRANSPORT_LOCK = threading.Lock()


class ChatKimi(BaseChatModel):
    """Kimi chat models on Alibaba Cloud Model Studio (DashScope).

    Setup:
        Install ``langchain-kimi`` and set ``DASHSCOPE_API_KEY`` to a key from
        the China (Beijing) region, the only region serving Kimi.

        .. code-block:: bash

            pip install -U langchain-kimi
            export DASHSCOPE_API_KEY="sk-..."

    Key init args — completion params:
        model: ``"kimi-k2-thinking"`` (default, always reasons) or
            ``"Moonshot-Kimi-K2-Instruct"``. Other ids are passed through with
            no client-side checks.
        temperature, top_p, presence_penalty: sampling; kimi-k2-thinking only
            takes ``temperature`` (others raise ``ValueError`` before a request).
        max_tokens: answer budget, at most the model's max response.
        stop, seed: as usual.
        enable_search, search_options: web search (Instruct only).
        keep_reasoning: which past ``reasoning_content`` is sent back:
            ``"tool_calls"`` (default; turns that made tool calls, which the
            thinking model's tool loops need), ``"all"`` or ``"none"``.
        model_kwargs / extra_body: DashScope fields not modelled here, sent
            as top-level body fields (``parameters`` on the native protocol).
            Other constructor arguments land in ``model_kwargs``, with a
            warning; a near miss of a field's name raises ``ValueError``.

        What the model cannot do raises ``ValueError`` here, at construction.

    Key init args — client params:
        api_key: defaults to ``DASHSCOPE_API_KEY``.
        base_url: defaults to ``DASHSCOPE_BASE_URL``, else the endpoint of the
            chosen transport (``.../compatible-mode/v1`` or ``.../api/v1``).
        transport: ``"openai"`` (default, the ``openai`` SDK) or
            ``"dashscope"`` (the ``dashscope`` SDK); same behaviour.
        timeout: a whole reply's deadline in seconds; for streams, the
            longest wait for the first event and between events.
        max_retries, max_retry_wait: rate limits, 5xx, dropped connections,
            timeouts and cut replies are retried ``max_retries`` times
            (default 2; 0 means one request) with backoff, honouring
            ``Retry-After`` up to ``max_retry_wait`` seconds (default 60; a
            longer wait raises ``RateLimitError`` at once, ``retry_after``
            set). Quota refusals and other 4xx are never retried.
        rate_limiter: any LangChain rate limiter; a ``KimiRateLimiter`` also
            charges each call's tokens, holds back after a 429, and can share
            one account's budget between processes through Redis.

    Instantiate:
        .. code-block:: python

            from langchain_kimi import ChatKimi

            llm = ChatKimi(model="kimi-k2-thinking", max_tokens=4096)

    Invoke:
        .. code-block:: python

            msg = llm.invoke("Who are you?")
            msg.content  # the answer

    Stream:
        .. code-block:: python

            for chunk in llm.stream("Who are you?"):
                print(chunk.additional_kwargs.get("reasoning_content", ""), end="")
                print(chunk.content, end="")

    Async:
        .. code-block:: python

            msg = await llm.ainvoke("Who are you?")
            async for chunk in llm.astream("Who are you?"):
                ...
            await llm.abatch(["Hi", "Hello"])

    Tool calling:
        .. code-block:: python

            from langchain_core.tools import tool

            @tool
            def get_weather(city: str) -> str:
                \"\"\"Weather in a city.\"\"\"
                return "sunny"

            msg = llm.bind_tools([get_weather]).invoke("Weather in Beijing?")
            msg.tool_calls  # [{"name": "get_weather", "args": {"city": ...}, ...}]

        Send the ``AIMessage`` back unchanged with the ``ToolMessage`` results:
        its ``reasoning_content`` travels with its tool calls. kimi-k2-thinking
        cannot be forced to call a tool: a forcing ``tool_choice`` is sent as
        ``"auto"`` plus a system instruction, with a warning. The service makes
        one call per turn unless ``parallel_tool_calls=True``.

    Structured output:
        .. code-block:: python

            from pydantic import BaseModel

            class Answer(BaseModel):
                city: str
                population: int

            llm.with_structured_output(Answer).invoke("Largest city in China?")

        kimi-k2-thinking defaults to JSON mode (retried without
        ``response_format`` if the service refuses it); Moonshot-Kimi-K2-Instruct
        (no JSON mode) to function calling. Nothing parseable raises
        ``OutputParserException``.

    Reasoning:
        .. code-block:: python

            msg = llm.invoke("Is 1001 prime?")
            msg.additional_kwargs["reasoning_content"]  # the thinking
            [b for b in msg.content_blocks if b["type"] == "reasoning"]

    Token usage:
        .. code-block:: python

            msg.usage_metadata
            # {"input_tokens": 8, "output_tokens": 183, "total_tokens": 191,
            #  "output_token_details": {"reasoning": 120}}  # when reported

        Streams report usage once, on the last chunk (``stream_usage=True``).

    Response metadata:
        .. code-block:: python

            msg.response_metadata
            # {"model_name": "kimi-k2-thinking", "model_provider": "dashscope",
            #  "finish_reason": "stop", "id": "chatcmpl-...",
            #  "request_id": "...", "cost_usd": 0.00042}

        ``cost_usd`` is computed from the features table's prices for the
        call's input and output tokens (known models only).
    """

    model_name: str = Field(default=THINKING_MODEL, alias="model")
    """Model id, given as ``model=``: ``kimi-k2-thinking`` (default) or
    ``Moonshot-Kimi-K2-Instruct``, in any case (kept in the features table's
    spelling). Other ids are sent as given, with no client-side checks."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env(API_KEY_ENV, default=None),
        validation_alias=AliasChoices("api_key", "dashscope_api_key"),
    )
    """Model Studio API key from the China (Beijing) region, the only one
    serving Kimi; a plain str is fine. Default: ``DASHSCOPE_API_KEY``."""
    base_url: str | None = Field(
        default_factory=from_env(BASE_URL_ENV, default=None),
        validation_alias=AliasChoices("base_url", "dashscope_base_url"),
    )
    """Endpoint. Default: ``DASHSCOPE_BASE_URL``, else the transport's own; a
    URL for the other protocol is switched to this transport's path."""
    transport: Literal["openai", "dashscope"] = "openai"
    """Which SDK carries the requests: ``"openai"`` (compatible-mode endpoint)
    or ``"dashscope"`` (native endpoint). Behaviour is the same."""
    temperature: float | None = None
    """Sampling temperature; unset, the service's default (1.0 on
    kimi-k2-thinking, 0.6 on Moonshot-Kimi-K2-Instruct)."""
    top_p: float | None = None
    """Nucleus sampling. Moonshot-Kimi-K2-Instruct only: kimi-k2-thinking fixes
    it, and setting it there raises ``ValueError``."""
    presence_penalty: float | None = None
    """Penalty for repeating topics. Moonshot-Kimi-K2-Instruct only, like
    ``top_p``."""
    max_tokens: int | None = Field(
        default=None,
        validation_alias=AliasChoices("max_tokens", "max_completion_tokens"),
    )
    """Answer budget in tokens, at most the model's max response (16,384 on
    kimi-k2-thinking, 8,192 on Instruct); more raises ``ValueError``."""
    stop: list[str] | str | None = Field(
        default=None, validation_alias=AliasChoices("stop", "stop_sequences")
    )
    """Stop sequences: generation ends before any of them."""
    seed: int | None = None
    """Random seed, for more repeatable sampling."""
    timeout: float | None = Field(
        default=None, validation_alias=AliasChoices("timeout", "request_timeout")
    )
    """A whole reply's deadline in seconds; for streams, the longest wait for
    the first event and between events (heartbeats do not count). Unset, the
    SDK's default."""
    max_retries: int = 2
    """Retries of 429, 5xx, dropped connections, timeouts and cut replies, with
    exponential backoff honouring ``Retry-After``; 0 means one request. Quota
    refusals and other 4xx are never retried."""
    max_retry_wait: float = MAX_RETRY_WAIT
    """The longest ``Retry-After`` honoured, in seconds (default 60); a longer
    one raises ``RateLimitError`` at once, with ``retry_after`` set."""
    streaming: bool = False
    """Serve ``invoke`` by streaming (the result is the same message)."""
    stream_usage: bool = True
    """Ask for usage in streams and report it on the last chunk."""
    enable_search: bool | None = None
    """Web search. Moonshot-Kimi-K2-Instruct only; on kimi-k2-thinking it
    raises ``ValueError``."""
    search_options: dict[str, Any] | None = None
    """DashScope's ``search_options`` (e.g. ``{"forced_search": True}``), with
    ``enable_search``."""
    keep_reasoning: KeepReasoning = "tool_calls"
    """Which past ``reasoning_content`` is sent back: ``"tool_calls"`` (turns
    that made tool calls, which the thinking model's tool loops need),
    ``"all"`` or ``"none"``."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra DashScope request fields, sent as they are. Unknown constructor
    arguments land here, with a warning."""
    extra_body: dict[str, Any] | None = None
    """Extra DashScope request fields, merged last (OpenAI-client naming)."""
    default_headers: dict[str, str] | None = None
    """HTTP headers added to every request."""

    model_config = ConfigDict(
        populate_by_name=True,
        hide_input_in_errors=True,  # the input holds the API key
    )

    _transport: Transport | None = PrivateAttr(default=None)
    _memory: calls.Memory = PrivateAttr(default_factory=calls.Memory)
    """Warnings given and JSON-mode refusals seen, kept between calls."""

    if TYPE_CHECKING:
        # What type checkers see: the documented names (not the older
        # spellings, which still work at runtime) and ``api_key`` as a plain
        # str too. tests/unit/test_constructor.py keeps it in step with the
        # fields; scripts/typecheck_user_code.sh checks it as users see it.
        def __init__(
            self,
            *,
            model: str = ...,
            api_key: str | SecretStr | None = ...,
            base_url: str | None = ...,
            transport: Literal["openai", "dashscope"] = ...,
            temperature: float | None = ...,
            top_p: float | None = ...,
            presence_penalty: float | None = ...,
            max_tokens: int | None = ...,
            stop: list[str] | str | None = ...,
            seed: int | None = ...,
            timeout: float | None = ...,
            max_retries: int = ...,
            max_retry_wait: float = ...,
            streaming: bool = ...,
            stream_usage: bool = ...,
            enable_search: bool | None = ...,
            search_options: dict[str, Any] | None = ...,
            keep_reasoning: KeepReasoning = ...,
            model_kwargs: dict[str, Any] = ...,
            extra_body: dict[str, Any] | None = ...,
            default_headers: dict[str, str] | None = ...,
            name: str | None = ...,
            cache: BaseCache | bool | None = ...,
            verbose: bool = ...,
            callbacks: Callbacks = ...,
            tags: list[str] | None = ...,
            metadata: dict[str, Any] | None = ...,
            custom_get_token_ids: Callable[[str], list[int]] | None = ...,
            rate_limiter: BaseRateLimiter | None = ...,
            disable_streaming: bool | Literal["tool_calling"] = ...,
            output_version: str | None = ...,
            profile: ModelProfile | None = ...,
        ) -> None: ...

    @model_validator(mode="before")
    @classmethod
    def _unknown_arguments(cls, values: Any) -> Any:
        """Unknown names go to ``model_kwargs`` (warned); near misses raise."""
        if not isinstance(values, dict):
            return values
        return sort_out_unknown(values, accepted_names(cls), cls.__name__)

    @field_validator("model_name")
    @classmethod
    def _table_spelling(cls, model: str) -> str:
        """``KIMI-K2-Thinking`` is ``kimi-k2-thinking``: the id the service knows."""
        return get_model_spec(model).model

    @model_validator(mode="after")
    def _resolve_base_url(self) -> Self:
        warn_if_clear_text(self.base_url)
        self.base_url = endpoint_for(self.transport, self.base_url)
        return self

    @model_validator(mode="after")
    def _refuse_what_the_model_cannot_do(self) -> Self:
        """The features table's refusals, at construction rather than first call."""
        check_params(self.kimi_spec, self._settings())
        return self

    def _resolve_model_profile(self) -> ModelProfile | None:
        return model_profile(get_model_spec(self.model_name))  # type: ignore[return-value]

    # -- LangChain plumbing -------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "chat-kimi"

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_kimi", "chat_models"]

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": API_KEY_ENV}

    @property
    def kimi_spec(self) -> KimiModelSpec:
        """This model's row of the features table: limits, prices, capabilities.

        ``llm.kimi_spec.max_reasoning_tokens``, ``.web_search``,
        ``.cost_usd(input_tokens, output_tokens)``; ``dataclasses.asdict`` for all.
        """
        return get_model_spec(self.model_name)

    @property
    def _default_params(self) -> dict[str, Any]:
        fields = self.__dict__  # not getattr: most REQUEST_FIELDS are no field
        params = {name: fields.get(name) for name in REQUEST_FIELDS}
        params.update(self.model_kwargs)
        return params

    def _settings(self) -> dict[str, Any]:
        """The request parameters the fields set, before any call's own."""
        params = {**self._default_params, **(self.extra_body or {})}
        return {name: value for name, value in params.items() if value is not None}

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "transport": self.transport,
            "base_url": self.base_url,
            **{k: v for k, v in self._default_params.items() if v is not None},
        }

    def _get_ls_params(
        self, stop: list[str] | None = None, **kwargs: Any
    ) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="dashscope",
            ls_model_name=kwargs.get("model", self.model_name),
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        stops = stop or kwargs.get("stop") or self.stop
        if stops:
            params["ls_stop"] = [stops] if isinstance(stops, str) else list(stops)
        return params

    def get_num_tokens_from_messages(
        self,
        messages: list[BaseMessage],
        tools: Sequence[dict[str, Any] | type | Any | BaseTool] | None = None,
    ) -> int:
        """Approximate token count, offline (``langchain_kimi.tokens``).

        Kimi's tokenizer is not published as a Python package; the estimate
        counts a CJK character as a token and other text at ~4 characters a
        token: good for budgeting, not for exact limits.
        """
        return estimate_messages(messages, [tool_definition(t) for t in tools or ()])

    def get_num_tokens(self, text: str) -> int:
        """Approximate token count of a text (see ``get_num_tokens_from_messages``)."""
        return estimate_text(text)

    # -- request building ---------------------------------------------------

    def _get_transport(self) -> Transport:
        if self._transport is not None:
            return self._transport
        if self.api_key is None or not self.api_key.get_secret_value():
            raise MissingAPIKeyError(
                f"No API key: set the {API_KEY_ENV} environment variable or pass "
                "api_key=... (a Model Studio key from the China (Beijing) region)."
            )
        with _TRANSPORT_LOCK:
            if self._transport is None:
                self._transport = make_transport(
                    self.transport,
                    api_key=self.api_key.get_secret_value(),
                    base_url=endpoint_for(self.transport, self.base_url),
                    timeout=self.timeout,
                    max_retries=self.max_retries,
                    max_retry_wait=self.max_retry_wait,
                    default_headers=self.default_headers,
                    on_error=on_error_for(self.rate_limiter),
                )
        return self._transport

    # -- copies: never the live client -------------------------------------

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Self:
        """A copy that builds its own client, so updated settings apply.

        ``update`` takes what the constructor takes (``model``, ``api_key`` as a
        plain str, ``base_url``, ``timeout``, ``transport``, ...) and is
        validated like it: a value the model cannot take raises ``ValueError``.
        """
        if not update:
            clone = super().model_copy(deep=deep)
            clone._transport = None
            return clone
        values = {name: getattr(self, name) for name in self.model_fields_set}
        if deep:
            values = copy.deepcopy(values)
        by_field = field_spellings(type(self))
        values.update({by_field.get(key, key): value for key, value in update.items()})
        return type(self)(**values)

    def __getstate__(self) -> dict[Any, Any]:
        """Pickled without the client: its locks and sockets cannot travel, and
        the unpickled model builds a new one on first use."""
        state = super().__getstate__()
        private = state.get("__pydantic_private__")
        if private:
            state["__pydantic_private__"] = {**private, "_transport": None}
        return state

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> Self:
        """Deep copies leave the client out too (see ``__getstate__``)."""
        memo = {} if memo is None else memo
        if self._transport is not None:
            memo[id(self._transport)] = None  # deepcopy returns memo hits as is
        return super().__deepcopy__(memo)

    def _call(
        self, messages: Messages, stop: Stop, stream: bool, kwargs: dict[str, Any]
    ) -> calls.Call:
        """One call: its validated request (the fields, then per-call overrides),
        rebuilt without JSON mode if the service refuses it."""
        model = kwargs.get("model") or self.model_name

        def build() -> ChatRequest:
            return build_request(
                messages,
                self._default_params,
                kwargs,
                model=self.model_name,
                stop=stop,
                stream=stream,
                stream_usage=self.stream_usage,
                keep_reasoning=self.keep_reasoning,
                extra_body=self.extra_body,
                json_mode=self._memory.json_mode(model),
            )

        def meter(request: ChatRequest) -> Meter:
            return meter_for(self.rate_limiter, messages, request.params)

        return calls.Call(build, self._memory, meter)

    def _stream_call(self, call: StreamCall) -> tuple[calls.Call, StreamParser]:
        """The streaming call and the parser for its reply."""
        stream_call = self._call(call.messages, call.stop, True, call.kwargs)
        request = stream_call.request
        parser = StreamParser(
            request.spec,
            report_usage=request.include_usage,
            message_id=call.message_id,
            keep=call.keep,
            v1=self.output_version == "v1",
        )
        return stream_call, parser

    def _open_stream(
        self, call: StreamCall
    ) -> tuple[Iterator[AIMessageChunk], StreamParser]:
        """The reply's chunks (sent on first iteration) and their parser."""
        stream_call, parser = self._stream_call(call)
        return chunks(calls.deltas(self._get_transport(), stream_call), parser), parser

    def _aopen_stream(
        self, call: StreamCall
    ) -> tuple[AsyncIterator[AIMessageChunk], StreamParser]:
        """Async ``_open_stream``; only the transport call differs."""
        stream_call, parser = self._stream_call(call)
        deltas = calls.adeltas(self._get_transport(), stream_call)
        return achunks(deltas, parser), parser

    # -- calls --------------------------------------------------------------

    def _should_stream(
        self, *, async_api: bool, run_manager: Any = _FROM_STREAM, **kwargs: Any
    ) -> bool:
        """Whether ``stream`` streams; for ``invoke`` (with a run manager), no.

        ``invoke`` that should stream (``streaming=True``, a streaming callback
        handler such as LangGraph's) streams inside ``_generate`` instead, so
        the message it returns is built by ChatKimi's strict parser rather
        than summed from chunks, whose partial-JSON rule would turn cut tool
        arguments into a valid call.
        """
        if run_manager is not _FROM_STREAM:
            return False
        return super()._should_stream(async_api=async_api, **kwargs)

    def _streams_itself(self, run_manager: Any, kwargs: dict[str, Any]) -> bool:
        return run_manager is not None and super()._should_stream(
            async_api=False, run_manager=run_manager, **kwargs
        )

    def _generate_call(
        self, messages: Messages, stop: Stop, kwargs: dict[str, Any], run_manager: Any
    ) -> StreamCall:
        message_id = f"{LC_ID_PREFIX}-{run_manager.run_id}"
        return StreamCall(messages, stop, kwargs, message_id, keep=True)

    def _generate(
        self, messages: Messages, stop: Stop = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        if self._streams_itself(run_manager, kw):
            stream, parser = self._open_stream(
                self._generate_call(messages, stop, kw, run_manager)
            )
            for chunk in stream:
                run_manager.on_llm_new_token(**_token(chunk))
            return _chat_result(parser.ai_message())
        call = self._call(messages, stop, False, kw)
        result = calls.invoke(self._get_transport(), call)
        return _chat_result(to_ai_message(result, call.request.spec))

    async def _agenerate(
        self, messages: Messages, stop: Stop = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        if self._streams_itself(run_manager, kw):
            stream, parser = self._aopen_stream(
                self._generate_call(messages, stop, kw, run_manager)
            )
            async with aclosing(stream):
                async for chunk in stream:
                    await run_manager.on_llm_new_token(**_token(chunk))
            return _chat_result(parser.ai_message())
        call = self._call(messages, stop, False, kw)
        result = await calls.ainvoke(self._get_transport(), call)
        return _chat_result(to_ai_message(result, call.request.spec))

    def _stream(
        self, messages: Messages, stop: Stop = None, run_manager: Any = None, **kw: Any
    ) -> Iterator[ChatGenerationChunk]:
        stream, _ = self._open_stream(StreamCall(messages, stop, kw))
        for chunk in stream:
            yield ChatGenerationChunk(message=chunk)

    async def _astream(
        self, messages: Messages, stop: Stop = None, run_manager: Any = None, **kw: Any
    ) -> AsyncIterator[ChatGenerationChunk]:
        stream, _ = self._aopen_stream(StreamCall(messages, stop, kw))
        async with aclosing(stream):
            async for chunk in stream:
                yield ChatGenerationChunk(message=chunk)

    async def ainvoke(
        self, input: Input, config: Config = None, *, stop: Stop = None, **kwargs: Any
    ) -> AIMessage:
        """``BaseChatModel.ainvoke``; warnings point at the line that awaited it.

        langchain-core runs the call in another task (``asyncio.gather``), out
        of reach of ``stacklevel``; ``call_site`` carries the caller's line.
        """
        with call_site.caller_recorded():
            return await super().ainvoke(input, config, stop=stop, **kwargs)

    def _lean(self, kwargs: dict[str, Any], *, async_api: bool) -> bool:
        """Whether ``streaming`` serves the call (else ``BaseChatModel`` does).

        ``output_version="v1"`` rewrites every chunk's content into blocks and
        disabled streaming means one ``invoke``: both are core's own paths.
        """
        return self.output_version != "v1" and self._should_stream(
            async_api=async_api, **{**kwargs, "stream": True}
        )

    def stream(
        self, input: Input, config: Config = None, *, stop: Stop = None, **kwargs: Any
    ) -> Iterator[AIMessageChunk]:
        """Stream the reply: one chunk per delta, usage and metadata on the last."""
        if not self._lean(kwargs, async_api=False):
            yield from super().stream(input, config, stop=stop, **kwargs)
            return
        run = streaming.Run(self, input, config, stop, kwargs)
        yield from streaming.stream(run, self._open_stream)

    async def astream(
        self, input: Input, config: Config = None, *, stop: Stop = None, **kwargs: Any
    ) -> AsyncIterator[AIMessageChunk]:
        """Async ``stream``."""
        if self._lean(kwargs, async_api=True):
            run = streaming.Run(self, input, config, stop, kwargs)
            chunks = streaming.astream(run, self._aopen_stream)
        else:
            chunks = super().astream(input, config, stop=stop, **kwargs)
        async with aclosing(chunks):
            async for chunk in chunks:
                yield chunk

    # -- tools and structured output ----------------------------------------

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Any | BaseTool],
        *,
        tool_choice: ToolChoice = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (any LangChain form); ``strict`` is accepted, not sent.

        ``tool_choice``: ``"auto"``, ``"none"``, ``"required"`` / ``"any"``, a
        tool's name, ``True`` (the single tool) or the object form. Only
        ``"auto"``, ``"none"`` and the object naming one tool are sent: a
        choice the model cannot be forced to (any choice on kimi-k2-thinking,
        ``"any"`` among several tools) is sent as ``"auto"`` plus a system
        instruction naming the tool(s) to call, with a ``UserWarning``.
        ``parallel_tool_calls`` is sent only when set; the service's default
        is false (at most one call per turn).
        """
        spec = self.kimi_spec
        if tools and not spec.function_calling:
            raise ValueError(f"{spec.model} has no function calling; drop the tools.")
        kwargs.pop("strict", None)
        definitions = [tool_definition(tool) for tool in tools]
        plan = plan_tool_choice(
            tool_choice, definitions, spec.model, can_force=spec.forced_tool_choice
        )
        if plan.warning:
            self._memory.warned.add("tool_choice")
            call_site.warn(plan.warning)
        if tool_choice is not None and tool_choice is not False:
            kwargs["tool_choice"] = tool_choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return self.bind(tools=definitions, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type,
        *,
        method: Literal["function_calling", "json_mode", "json_schema"] | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | Any]:
        """Replies parsed into ``schema`` (pydantic, TypedDict or JSON schema).

        Default method: ``"json_mode"`` where the model has structured output,
        else ``"function_calling"``. ``"json_schema"`` is served as JSON mode
        with client-side validation (Kimi has no server-side schema mode).
        """
        return structured.with_structured_output(
            self,
            self.kimi_spec,
            schema,
            method=method,
            include_raw=include_raw,
            **kwargs,
        )


document_fields(ChatKimi)


def _token(chunk: AIMessageChunk) -> dict[str, Any]:
    """``on_llm_new_token``'s arguments for a chunk (content as LangChain gives it)."""
    return {"token": chunk.content, "chunk": ChatGenerationChunk(message=chunk)}


def _chat_result(message: AIMessage) -> ChatResult:
    finish = message.response_metadata.get("finish_reason")
    return ChatResult(
        generations=[
            ChatGeneration(message=message, generation_info={"finish_reason": finish})
        ],
        llm_output={"model_name": message.response_metadata.get("model_name")},
    )
