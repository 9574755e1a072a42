"""ChatKimi: Moonshot AI's Kimi models on Alibaba Cloud Model Studio (DashScope)."""

from __future__ import annotations

import asyncio
import copy
import threading
from collections.abc import (
    AsyncGenerator,
    Callable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Literal, Self, cast

from langchain_core.callbacks import (
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
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

from langchain_kimi._utils.field_docs import document_fields
from langchain_kimi._utils.model_kwargs import (
    accepted_names,
    field_spellings,
    sort_out_unknown,
)
from langchain_kimi._utils.warnings import caller_recorded, warn
from langchain_kimi.chat_models import _json_mode, _stream, structured
from langchain_kimi.chat_models._stream import StreamCall
from langchain_kimi.errors import MissingAPIKeyError
from langchain_kimi.model_specs import (
    DEFAULT_MODEL,
    KimiModelSpec,
    get_model_spec,
    model_profile,
    retirement_note,
)
from langchain_kimi.rate_limits.meter import Meter, meter_for, on_error_for
from langchain_kimi.request.build import (
    REQUEST_FIELDS,
    ChatRequest,
    build_request,
)
from langchain_kimi.request.checks import RANGES, check_base_url, check_params
from langchain_kimi.request.messages import KeepReasoning
from langchain_kimi.request.tokens import estimate_messages, estimate_text
from langchain_kimi.request.tools import ToolChoice, plan_tool_choice, tool_definition
from langchain_kimi.response.parse import (
    StreamParser,
    achunks,
    chunks,
    to_ai_message,
)
from langchain_kimi.transports import (
    DEFAULT_REGION,
    Transport,
    check_region,
    endpoint_for,
    load,
    loaded,
    make_transport,
    region_url,
)
from langchain_kimi.transports.retry import MAX_RETRY_WAIT

if TYPE_CHECKING:
    from langchain_core.caches import BaseCache
    from langchain_core.callbacks import Callbacks
    from langchain_core.rate_limiters import BaseRateLimiter

API_KEY_ENV = "DASHSCOPE_API_KEY"
BASE_URL_ENV = "DASHSCOPE_BASE_URL"
REGION_ENV = "DASHSCOPE_REGION"
WORKSPACE_ENV = "DASHSCOPE_WORKSPACE_ID"

#: Held while a model builds its transport, so threads racing to make a
#: model's first call share one transport (and one connection pool).
_TRANSPORT_LOCK = threading.Lock()


class ChatKimi(BaseChatModel):
    """Kimi chat models on Alibaba Cloud Model Studio (DashScope).

    Setup:
        Install ``langchain-kimi-modelstudio`` (the import name is
        ``langchain_kimi``; PyPI's ``langchain-kimi`` is an unrelated project)
        and set ``DASHSCOPE_API_KEY`` to a Model Studio key (and
        ``DASHSCOPE_REGION`` to its region, if not Beijing).

        .. code-block:: bash

            pip install -U langchain-kimi-modelstudio
            export DASHSCOPE_API_KEY="sk-..."

    Key init args — completion params:
        model: ``"kimi-k3"`` (default, always thinks), ``"kimi-k2.7-code"``
            (always thinks), ``"kimi-k2.6"`` or ``"kimi-k2.5"`` (thinking
            optional, off by default). The seed's ``kimi-k2-thinking`` and
            ``Moonshot-Kimi-K2-Instruct`` were retired on 2026-07-09 (a
            warning says so). Other ids are passed through unchecked.
        enable_thinking, thinking_budget, preserve_thinking: the service's
            thinking switches, sent only when set (also per call).
        temperature, top_p, presence_penalty: sampling.
        max_tokens: answer budget, at most the model's max response.
        stop, seed: as usual.
        enable_search, search_options: web search (kimi-k3).
        keep_reasoning: which past ``reasoning_content`` is sent back:
            ``"tool_calls"`` (turns that made tool calls, which thinking tool
            loops need), ``"all"`` or ``"none"``; unset, ``"all"`` where
            thinking is preserved (kimi-k3, kimi-k2.7-code, kimi-k2.6 with
            ``preserve_thinking=True``), else ``"tool_calls"``.
        model_kwargs / extra_body: DashScope fields not modelled here, sent
            as top-level body fields (``parameters`` on the native protocol).
            Other constructor arguments land in ``model_kwargs``, with a
            warning; a near miss of a field's name raises ``ValueError``.

        What the model cannot do raises ``ValueError`` here, at construction.

    Key init args — client params:
        api_key: defaults to ``DASHSCOPE_API_KEY``.
        region, workspace_id: where the key lives (``DASHSCOPE_REGION``,
            default ``cn-beijing``; ``DASHSCOPE_WORKSPACE_ID``); they pick
            the host.
        base_url: defaults to ``DASHSCOPE_BASE_URL``, else the region's
            endpoint for the chosen transport (``.../compatible-mode/v1`` or
            ``.../api/v1``); ``llm.base_url`` shows the one in use.
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

            llm = ChatKimi(model="kimi-k3", max_tokens=4096)

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
        its ``reasoning_content`` travels with its tool calls. A thinking call
        cannot be forced to call one named tool: such a ``tool_choice`` is
        sent as ``"auto"`` plus a system instruction, with a warning (kimi-k3
        takes ``"required"`` for "any tool"). The service makes one call per
        turn unless ``parallel_tool_calls=True``.

    Structured output:
        .. code-block:: python

            from pydantic import BaseModel

            class Answer(BaseModel):
                city: str
                population: int

            llm.with_structured_output(Answer).invoke("Largest city in China?")

        kimi-k3 defaults to JSON mode (retried without ``response_format`` if
        the service refuses it); the models without JSON mode to function
        calling. Nothing parseable raises ``OutputParserException``.

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
            # {"model_name": "kimi-k2.5", "model_provider": "dashscope",
            #  "finish_reason": "stop", "id": "chatcmpl-...",
            #  "request_id": "...", "cost_usd": 0.00042}

        ``cost_usd`` is computed from the features table's prices for the
        call's input and output tokens (models with published prices only).
    """

    model_name: str = Field(default=DEFAULT_MODEL, alias="model")
    """Model id, given as ``model=``: ``kimi-k3`` (default), ``kimi-k2.7-code``,
    ``kimi-k2.6`` or ``kimi-k2.5``, in any case (kept in the features table's
    spelling); the retired ``kimi-k2-thinking`` and ``Moonshot-Kimi-K2-Instruct``
    still work where served, with a warning. Other ids are sent as given,
    with no client-side checks."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env(API_KEY_ENV, default=None),
        validation_alias=AliasChoices("api_key", "dashscope_api_key"),
    )
    """Model Studio API key of ``region`` (keys work in their own region
    only); a plain str is fine. Default: ``DASHSCOPE_API_KEY``."""
    base_url: str | None = Field(
        default_factory=from_env(BASE_URL_ENV, default=None),
        validation_alias=AliasChoices("base_url", "dashscope_base_url"),
    )
    """Endpoint. Default: ``DASHSCOPE_BASE_URL``, else ``region``'s (through
    ``workspace_id``'s host if set); a URL for the other protocol is switched
    to this transport's path. Read it back for the URL in use."""
    region: str = Field(default_factory=from_env(REGION_ENV, default=DEFAULT_REGION))
    """Model Studio region: ``cn-beijing`` (default), ``ap-southeast-1``,
    ``us-east-1``, or with a workspace ``ap-northeast-1``, ``eu-central-1``.
    Default: ``DASHSCOPE_REGION``."""
    workspace_id: str | None = Field(
        default_factory=from_env(WORKSPACE_ENV, default=None)
    )
    """Workspace id: the host becomes ``{workspace_id}.{region}.maas.aliyuncs.com``.
    Default: ``DASHSCOPE_WORKSPACE_ID``."""
    transport: Literal["openai", "dashscope"] = "openai"
    """Which SDK carries the requests: ``"openai"`` (compatible-mode endpoint)
    or ``"dashscope"`` (native endpoint). Behaviour is the same."""
    enable_thinking: bool | None = None
    """Thinking on or off, sent only when set. kimi-k2.6 and kimi-k2.5 think
    only with ``True``; kimi-k3 and kimi-k2.7-code always think (``False``
    raises ``ValueError``)."""
    thinking_budget: int | None = None
    """Most reasoning tokens, sent only when set; kimi-k3 has none
    (``ValueError``)."""
    preserve_thinking: bool | None = None
    """kimi-k2.6: keep earlier turns' reasoning in the model's context (on by
    default on kimi-k3 and kimi-k2.7-code); sent only when set."""
    temperature: float | None = None
    """Sampling temperature; unset, the service's default (1.0 when thinking,
    0.6 otherwise)."""
    top_p: float | None = None
    """Nucleus sampling (kimi-k2-thinking fixes it: ``ValueError`` there)."""
    presence_penalty: float | None = None
    """Penalty for repeating topics (fixed on kimi-k2-thinking, like
    ``top_p``)."""
    max_tokens: int | None = Field(
        default=None,
        validation_alias=AliasChoices("max_tokens", "max_completion_tokens"),
    )
    """Answer budget in tokens, at most the model's max response where
    published (32,768 on kimi-k2.5); more raises ``ValueError``."""
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
    """Web search, where the model has it (kimi-k3); elsewhere it raises
    ``ValueError``."""
    search_options: dict[str, Any] | None = None
    """DashScope's ``search_options`` (e.g. ``{"forced_search": True}``), with
    ``enable_search``."""
    keep_reasoning: KeepReasoning | None = None
    """Which past ``reasoning_content`` is sent back: ``"tool_calls"`` (turns
    that made tool calls, which thinking tool loops need), ``"all"`` or
    ``"none"``. Unset: ``"all"`` on calls with preserved thinking (kimi-k3,
    kimi-k2.7-code, kimi-k2.6 with ``preserve_thinking=True``), whose model
    reads its earlier reasoning, else ``"tool_calls"``."""
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
    _memory: _json_mode.Memory = PrivateAttr(default_factory=_json_mode.Memory)
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
            region: str = ...,
            workspace_id: str | None = ...,
            transport: Literal["openai", "dashscope"] = ...,
            enable_thinking: bool | None = ...,
            thinking_budget: int | None = ...,
            preserve_thinking: bool | None = ...,
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
            keep_reasoning: KeepReasoning | None = ...,
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
        """Unknown names go to ``model_kwargs`` (warned, unless the service
        defines them, as ``n``: the checks judge those); near misses raise."""
        if not isinstance(values, dict):
            return values
        return sort_out_unknown(
            values, accepted_names(cls), cls.__name__, known=frozenset(RANGES)
        )

    @field_validator("model_name")
    @classmethod
    def _table_spelling(cls, model: str) -> str:
        """``KIMI-K2-Thinking`` is ``kimi-k2-thinking``: the id the service knows."""
        return get_model_spec(model).model

    @model_validator(mode="after")
    def _resolve_base_url(self) -> Self:
        """An explicit URL (or ``DASHSCOPE_BASE_URL``) wins; else the region's.

        Stored without marking ``base_url`` as set, so a copy with another
        region or transport resolves again.
        """
        check_region(self.region)
        if self.base_url:
            check_base_url(self.base_url, self.model_name)
            url = endpoint_for(self.transport, self.base_url)
        else:
            url = region_url(self.transport, self.region, self.workspace_id)
        self.__dict__["base_url"] = url
        return self

    @model_validator(mode="after")
    def _refuse_what_the_model_cannot_do(self) -> Self:
        """The features table's refusals, at construction rather than first call;
        a retired model is warned about (it works wherever it is still served)."""
        check_params(self.kimi_spec, self._settings())
        if self.kimi_spec.retired:
            warn(retirement_note(self.kimi_spec))
        return self

    def _resolve_model_profile(self) -> ModelProfile | None:
        spec = get_model_spec(self.model_name)
        thinking = spec.thinks(self._settings().get("enable_thinking"))
        return model_profile(spec, thinking)  # type: ignore[return-value]

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

    def _endpoint(self) -> str:
        """Where the key is used, for a 401's message."""
        if "base_url" in self.model_fields_set or not _is_region_url(self):
            return f"{self.base_url} (base_url)"
        return f"the {self.region} region ({self.base_url})"

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
        """Approximate token count, offline (``langchain_kimi.request.tokens``).

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
                f"api_key=... (a Model Studio key from the {self.region} region)."
            )
        with _TRANSPORT_LOCK:
            if self._transport is None:
                self._transport = make_transport(
                    self.transport,
                    api_key=self.api_key.get_secret_value(),
                    base_url=self.base_url,
                    timeout=self.timeout,
                    max_retries=self.max_retries,
                    max_retry_wait=self.max_retry_wait,
                    default_headers=self.default_headers,
                    on_error=on_error_for(self.rate_limiter),
                )
        return self._transport

    async def _aready(self) -> None:
        """Import the transport's SDK and make the transport on worker
        threads the first time: that takes about a second, which must not
        stall the caller's event loop. (Without a key, the call itself
        raises, as on the sync paths.)"""
        if not loaded(self.transport):
            await asyncio.to_thread(load, self.transport)
        key = self.api_key.get_secret_value() if self.api_key is not None else ""
        if self._transport is None and key:
            await asyncio.to_thread(self._get_transport)

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
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        stream: bool,
        kwargs: dict[str, Any],
    ) -> _json_mode.Call:
        """One call: its validated request (the fields, then per-call overrides),
        rebuilt without JSON mode if the service refuses it."""

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
                json_mode=self._memory.json_mode,
            )

        def meter(request: ChatRequest) -> Meter:
            return meter_for(self.rate_limiter, messages, request.params)

        return _json_mode.Call(build, self._memory, self._endpoint(), meter)

    def _stream_call(self, call: StreamCall) -> tuple[_json_mode.Call, StreamParser]:
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
        return chunks(
            _json_mode.deltas(self._get_transport(), stream_call), parser
        ), parser

    def _aopen_stream(
        self, call: StreamCall
    ) -> tuple[AsyncGenerator[AIMessageChunk, None], StreamParser]:
        """Async ``_open_stream``; only the transport call differs."""
        stream_call, parser = self._stream_call(call)
        deltas = _json_mode.adeltas(self._get_transport(), stream_call)
        return achunks(deltas, parser), parser

    # -- calls --------------------------------------------------------------

    def _wants_stream(
        self,
        kwargs: dict[str, Any],
        run_manager: CallbackManagerForLLMRun | AsyncCallbackManagerForLLMRun | None,
    ) -> bool:
        """Core's rule: ``stream=True``, ``streaming=True`` or a streaming
        callback handler (LangGraph's), unless streaming is disabled."""
        return super()._should_stream(
            async_api=False, run_manager=run_manager, **kwargs
        )

    def _should_stream(
        self,
        *,
        async_api: bool,
        run_manager: CallbackManagerForLLMRun
        | AsyncCallbackManagerForLLMRun
        | None = None,
        **kwargs: Any,
    ) -> bool:
        """Core asks this from ``invoke`` (with a run manager): always no.

        An ``invoke`` that should stream streams inside ``_generate`` instead,
        so the message it returns is built by ChatKimi's strict parser rather
        than summed from chunks, whose partial-JSON rule would turn cut tool
        arguments into a valid call. Asked from core's ``stream``, core's rule.
        """
        return run_manager is None and self._wants_stream(kwargs, None)

    def _generate_call(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
        run_manager: CallbackManagerForLLMRun | AsyncCallbackManagerForLLMRun,
    ) -> StreamCall:
        message_id = f"{LC_ID_PREFIX}-{run_manager.run_id}"
        return StreamCall(messages, stop, kwargs, message_id, keep=True)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kw: Any,
    ) -> ChatResult:
        if run_manager is not None and self._wants_stream(kw, run_manager):
            stream, parser = self._open_stream(
                self._generate_call(messages, stop, kw, run_manager)
            )
            for chunk in stream:
                run_manager.on_llm_new_token(**_token(chunk))
            return _chat_result(parser.ai_message())
        call = self._call(messages, stop, False, kw)
        result = _json_mode.invoke(self._get_transport(), call)
        return _chat_result(to_ai_message(result, call.request.spec))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kw: Any,
    ) -> ChatResult:
        if run_manager is not None and self._wants_stream(kw, run_manager):
            stream, parser = self._aopen_stream(
                self._generate_call(messages, stop, kw, run_manager)
            )
            async with aclosing(stream):
                async for chunk in stream:
                    await run_manager.on_llm_new_token(**_token(chunk))
            return _chat_result(parser.ai_message())
        call = self._call(messages, stop, False, kw)
        await self._aready()
        result = await _json_mode.ainvoke(self._get_transport(), call)
        return _chat_result(to_ai_message(result, call.request.spec))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kw: Any,
    ) -> Iterator[ChatGenerationChunk]:
        stream, _ = self._open_stream(StreamCall(messages, stop, kw))
        for chunk in stream:
            yield ChatGenerationChunk(message=chunk)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kw: Any,
    ) -> AsyncGenerator[ChatGenerationChunk, None]:
        stream, _ = self._aopen_stream(StreamCall(messages, stop, kw))
        async with aclosing(stream):
            async for chunk in stream:
                yield ChatGenerationChunk(message=chunk)

    async def ainvoke(
        self,
        input: LanguageModelInput,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> AIMessage:
        """``BaseChatModel.ainvoke``; warnings point at the line that awaited it.

        langchain-core runs the call in another task (``asyncio.gather``), out
        of reach of ``stacklevel``; ``call_site`` carries the caller's line.
        """
        with caller_recorded():
            await self._aready()
            return await super().ainvoke(input, config, stop=stop, **kwargs)

    def stream(
        self,
        input: LanguageModelInput,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> Iterator[AIMessageChunk]:
        """Stream the reply: one chunk per delta, usage and metadata on the last."""
        # v1 rewrites every chunk's content into blocks, and disabled streaming
        # means one invoke: both are core's own paths.
        if self.output_version == "v1" or not self._wants_stream(
            {**kwargs, "stream": True}, None
        ):
            yield from super().stream(input, config, stop=stop, **kwargs)
            return
        run = _stream.Run(self, input, config, stop, kwargs)
        yield from _stream.stream(run, self._open_stream)

    async def astream(
        self,
        input: LanguageModelInput,
        config: RunnableConfig | None = None,
        *,
        stop: list[str] | None = None,
        **kwargs: Any,
    ) -> AsyncGenerator[AIMessageChunk, None]:
        """Async ``stream``."""
        await self._aready()
        if self.output_version != "v1" and self._wants_stream(
            {**kwargs, "stream": True}, None
        ):
            run = _stream.Run(self, input, config, stop, kwargs)
            chunks = _stream.astream(run, self._aopen_stream)
        else:
            # core's astream is an async generator function, typed as an iterator
            chunks = cast(
                "AsyncGenerator[AIMessageChunk, None]",
                super().astream(input, config, stop=stop, **kwargs),
            )
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
        tool's name, ``True`` (the single tool) or the object form. Sent are
        ``"auto"``, ``"none"``, the object naming one tool (calls without
        thinking) and ``"required"`` (kimi-k3, for ``"any"`` / ``"required"``
        / ``True``): a choice the call cannot be forced to (a named tool in a
        thinking call, ``"any"`` among several tools elsewhere) is sent as
        ``"auto"`` plus a system instruction naming the tool(s) to call, with
        a ``UserWarning``.
        ``parallel_tool_calls`` is sent only when set; the service's default
        is false (at most one call per turn).
        """
        spec = self.kimi_spec
        if tools and not spec.function_calling:
            raise ValueError(f"{spec.model} has no function calling; drop the tools.")
        kwargs.pop("strict", None)
        definitions = [tool_definition(tool) for tool in tools]
        enable = kwargs.get("enable_thinking", self._settings().get("enable_thinking"))
        thinking = spec.thinks(enable)
        plan = plan_tool_choice(
            tool_choice,
            definitions,
            spec.model,
            can_force=spec.forced_tool_choice and not thinking,
            required=spec.required_tool_choice,
            thinking=thinking,
        )
        if plan.warning:
            self._memory.warn("tool_choice", plan.warning)
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


def _is_region_url(llm: ChatKimi) -> bool:
    try:
        return llm.base_url == region_url(llm.transport, llm.region, llm.workspace_id)
    except ValueError:
        return False


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
