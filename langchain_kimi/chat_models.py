"""ChatKimi: Moonshot AI's Kimi models on Alibaba Cloud Model Studio (DashScope)."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Literal

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
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator
from typing_extensions import Self

from langchain_kimi import streaming, structured
from langchain_kimi.errors import MissingAPIKeyError
from langchain_kimi.iterators import aclosing
from langchain_kimi.messages import KeepReasoning
from langchain_kimi.models import (
    THINKING_MODEL,
    KimiModelSpec,
    get_model_spec,
    model_profile,
)
from langchain_kimi.normalized import Result
from langchain_kimi.request import REQUEST_FIELDS, ChatRequest, build_request
from langchain_kimi.response import (
    StreamParser,
    achunks,
    chunks,
    to_ai_message,
)
from langchain_kimi.retry import MAX_RETRY_WAIT
from langchain_kimi.streaming import StreamCall
from langchain_kimi.tokens import estimate_messages, estimate_text
from langchain_kimi.tools import ToolChoice, tool_choice_value, tool_definition
from langchain_kimi.transports import (
    Transport,
    endpoint_for,
    make_transport,
    warn_if_clear_text,
)

Messages = list[BaseMessage]
Stop = list[str] | None
Input = LanguageModelInput
Config = RunnableConfig | None

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
        its ``reasoning_content`` travels with its tool calls.

    Structured output:
        .. code-block:: python

            from pydantic import BaseModel

            class Answer(BaseModel):
                city: str
                population: int

            llm.with_structured_output(Answer).invoke("Largest city in China?")

        kimi-k2-thinking defaults to JSON mode; Moonshot-Kimi-K2-Instruct (no
        JSON mode) to function calling.

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
    """Model id: ``kimi-k2-thinking`` or ``Moonshot-Kimi-K2-Instruct``."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env(API_KEY_ENV, default=None),
        alias="dashscope_api_key",
    )
    """Model Studio API key (China (Beijing) region); from DASHSCOPE_API_KEY."""
    base_url: str | None = Field(
        default_factory=from_env(BASE_URL_ENV, default=None), alias="dashscope_base_url"
    )
    """Endpoint; from DASHSCOPE_BASE_URL, else the transport's default."""
    transport: Literal["openai", "dashscope"] = "openai"
    """Which SDK carries the request; behaviour is the same."""
    temperature: float | None = None
    top_p: float | None = None
    presence_penalty: float | None = None
    max_tokens: int | None = Field(default=None, alias="max_completion_tokens")
    stop: list[str] | str | None = Field(default=None, alias="stop_sequences")
    seed: int | None = None
    timeout: float | None = Field(default=None, alias="request_timeout")
    """A whole reply's deadline in seconds; for streams, the longest wait for
    the first event and between events (heartbeats do not count)."""
    max_retries: int = 2
    """Retries of 429, 5xx, dropped connections, timeouts and cut replies."""
    max_retry_wait: float = MAX_RETRY_WAIT
    """The longest ``Retry-After`` honoured, in seconds; a longer one raises."""
    streaming: bool = False
    stream_usage: bool = True
    """Ask for usage in streams and report it on the last chunk."""
    enable_search: bool | None = None
    search_options: dict[str, Any] | None = None
    keep_reasoning: KeepReasoning = "tool_calls"
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra DashScope request fields, sent as they are."""
    extra_body: dict[str, Any] | None = None
    """Extra DashScope request fields, merged last (OpenAI-client naming)."""
    default_headers: dict[str, str] | None = None

    model_config = ConfigDict(populate_by_name=True)

    _transport: Transport | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _resolve_base_url(self) -> Self:
        warn_if_clear_text(self.base_url)
        self.base_url = endpoint_for(self.transport, self.base_url)
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
        params = {name: getattr(self, name, None) for name in REQUEST_FIELDS}
        params.update(self.model_kwargs)
        return params

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
                    base_url=self.base_url or "",
                    timeout=self.timeout,
                    max_retries=self.max_retries,
                    max_retry_wait=self.max_retry_wait,
                    default_headers=self.default_headers,
                )
        return self._transport

    def _request(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None,
        stream: bool,
        kwargs: dict[str, Any],
    ) -> ChatRequest:
        """The validated request for one call: the fields, then per-call overrides."""
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
        )

    def _stream_request(self, call: StreamCall) -> tuple[ChatRequest, StreamParser]:
        """The validated streaming request and the parser for its reply."""
        request = self._request(call.messages, call.stop, True, call.kwargs)
        parser = StreamParser(
            request.spec,
            report_usage=request.include_usage,
            message_id=call.message_id,
            keep=call.keep,
        )
        return request, parser

    def _open_stream(
        self, call: StreamCall
    ) -> tuple[Iterator[AIMessageChunk], StreamParser]:
        """The reply's chunks (sent on first iteration) and their parser."""
        request, parser = self._stream_request(call)
        return chunks(self._get_transport().stream(request), parser), parser

    def _aopen_stream(
        self, call: StreamCall
    ) -> tuple[AsyncIterator[AIMessageChunk], StreamParser]:
        """Async ``_open_stream``; only the transport call differs."""
        request, parser = self._stream_request(call)
        return achunks(self._get_transport().astream(request), parser), parser

    # -- calls --------------------------------------------------------------

    def _generate(
        self, messages: Messages, stop: Stop = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        request = self._request(messages, stop, False, kw)
        return _chat_result(request, self._get_transport().invoke(request))

    async def _agenerate(
        self, messages: Messages, stop: Stop = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        request = self._request(messages, stop, False, kw)
        return _chat_result(request, await self._get_transport().ainvoke(request))

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
        tool's name, ``True`` (the single tool) or the request's object form.
        """
        spec = self.kimi_spec
        if tools and not spec.function_calling:
            raise ValueError(f"{spec.model} has no function calling; drop the tools.")
        kwargs.pop("strict", None)
        definitions = [tool_definition(tool) for tool in tools]
        choice = tool_choice_value(tool_choice, definitions)
        if choice is not None:
            kwargs["tool_choice"] = choice
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


def _chat_result(request: ChatRequest, result: Result) -> ChatResult:
    message = to_ai_message(result, request.spec)
    finish = message.response_metadata.get("finish_reason")
    return ChatResult(
        generations=[
            ChatGeneration(message=message, generation_info={"finish_reason": finish})
        ],
        llm_output={"model_name": message.response_metadata.get("model_name")},
    )
