"""``stream`` / ``astream`` with LangChain's callbacks but not its per-chunk cost.

``BaseChatModel.stream`` keeps every chunk so it can merge them for
``on_llm_end``, and it rewrites each chunk's metadata on the way. For a long
reply that is most of a client's time and about 1.5 KB of memory per chunk
(25 times the text of a 60-character delta). Here the ``StreamParser`` keeps
only the text pieces, and only when a handler is listening, and builds the
whole message once, at the end. The run's callbacks (start, each new token,
end or error), tracing metadata and the rate limiter follow
``BaseChatModel.stream``; ``tests/integration/test_stream_parity.py`` holds
the two paths to the same events.

This module knows no chat model class: it takes any ``BaseChatModel`` for
its callback and tracing settings, and a callable that opens the stream. Of
langchain-core's non-public members it uses only ``_get_ls_params``, the
documented hook every integration overrides.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import (
    AsyncCallbackManager,
    AsyncCallbackManagerForLLMRun,
    CallbackManager,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.load import dumpd
from langchain_core.messages import (
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    convert_to_messages,
)
from langchain_core.outputs import ChatGenerationChunk, Generation, LLMResult
from langchain_core.prompt_values import PromptValue
from langchain_core.runnables import RunnableConfig, ensure_config
from langchain_core.utils.function_calling import convert_to_json_schema
from langchain_core.utils.utils import LC_ID_PREFIX

from langchain_kimi.response.parse import StreamParser


@dataclass(frozen=True)
class StreamCall:
    """What an opener needs to build the request and its parser.

    ``message_id`` is the run's id for every chunk; ``keep`` asks the parser
    to keep the pieces for ``on_llm_end`` (only when a handler listens).
    """

    messages: list[BaseMessage]
    stop: list[str] | None
    kwargs: dict[str, Any]
    message_id: str | None = None
    keep: bool = False


#: Builds the request and returns the reply's chunks (sent on first
#: iteration) and the parser that makes them.
OpenStream = Callable[[StreamCall], tuple[Iterator[AIMessageChunk], StreamParser]]
AOpenStream = Callable[
    [StreamCall], tuple[AsyncGenerator[AIMessageChunk, None], StreamParser]
]

_UNTRACED_PARAMS = frozenset({"tools", "functions", "messages", "response_format"})


class Run:
    """One streamed call: its callback arguments and what it has seen so far.

    Both twins (``stream``, ``astream``) drive it; they differ only in their
    awaits.
    """

    def __init__(
        self,
        model: BaseChatModel,
        input: LanguageModelInput,
        config: RunnableConfig | None,
        stop: list[str] | None,
        kwargs: dict[str, Any],
    ) -> None:
        config = ensure_config(config)
        self.model = model
        self.stop = stop
        self.messages = _to_messages(input)
        structured = kwargs.pop("ls_structured_output_format", None) or kwargs.pop(
            "structured_output_format", None
        )
        self.kwargs = kwargs
        params = {**model.asdict(), "stop": stop, **kwargs}
        self.configure: dict[str, Any] = {
            "inheritable_callbacks": config.get("callbacks"),
            "local_callbacks": model.callbacks,
            "verbose": model.verbose,
            "inheritable_tags": config.get("tags"),
            "local_tags": model.tags,
            "inheritable_metadata": {
                **(config.get("metadata") or {}),
                **model._get_ls_params(stop=stop, **kwargs),
                "ls_integration": "langchain_chat_model",
            },
            "local_metadata": model.metadata,
            "langsmith_inheritable_metadata": {
                k: v for k, v in params.items() if k not in _UNTRACED_PARAMS
            },
        }
        self.start: dict[str, Any] = {
            "invocation_params": params,
            "options": _options(stop, kwargs, params, structured),
            "name": config.get("run_name"),
            "run_id": config.pop("run_id", None),
            "batch_size": 1,
        }
        self.start_args = (dumpd(model), [self.messages])
        self.listening = False
        self.parser: StreamParser | None = None
        self.last: AIMessageChunk | None = None

    def call(
        self, run_manager: CallbackManagerForLLMRun | AsyncCallbackManagerForLLMRun
    ) -> StreamCall:
        """The opener's arguments, once the run manager is known."""
        self.listening = bool(run_manager.handlers)
        return StreamCall(
            self.messages,
            self.stop,
            self.kwargs,
            f"{LC_ID_PREFIX}-{run_manager.run_id}",
            self.listening,
        )

    def token(self, chunk: AIMessageChunk) -> dict[str, Any]:
        """Arguments of ``on_llm_new_token``; the generation only if someone listens."""
        self.last = chunk
        text = chunk.content if isinstance(chunk.content, str) else ""
        if not self.listening:
            return {"token": text}
        return {"token": text, "chunk": ChatGenerationChunk(message=chunk)}

    def result(self, *, ended: bool) -> LLMResult:
        """The run's result for its handlers, shaped as ``BaseChatModel.stream``'s.

        On error: the reply so far (if any chunk was yielded) and an empty list
        for the error's own generations. With no handler listening nothing is
        built: nobody would receive it.
        """
        if not self.listening:
            return LLMResult(generations=[])
        if self.parser is None or self.last is None:
            return LLMResult(generations=[[]])
        message = self.parser.message(self.last if ended else None)
        generation: list[Generation] = [ChatGenerationChunk(message=message)]
        return LLMResult(generations=[generation] if ended else [generation, []])


def _to_messages(input: LanguageModelInput) -> list[BaseMessage]:
    """The input as messages (what ``BaseChatModel._convert_input`` does)."""
    if isinstance(input, PromptValue):
        return input.to_messages()
    if isinstance(input, str):
        return [HumanMessage(input)]
    return convert_to_messages(input)


def _options(
    stop: list[str] | None,
    kwargs: dict[str, Any],
    params: dict[str, Any],
    structured: dict[str, Any] | None,
) -> dict[str, Any]:
    """``on_chat_model_start``'s options: stop, the call's own parameters, schema."""
    options: dict[str, Any] = {
        "stop": stop,
        **{key: params[key] for key in kwargs if key in params},
    }
    if structured:
        try:
            schema = convert_to_json_schema(structured["schema"])
        except ValueError:
            schema = None
        if schema is not None:
            options["ls_structured_output_format"] = {
                "kwargs": structured.get("kwargs", {}),
                "schema": schema,
            }
    return options


def stream(run: Run, open_stream: OpenStream) -> Iterator[AIMessageChunk]:
    """``model.stream`` on the lean path."""
    manager = CallbackManager.configure(**run.configure)
    (run_manager,) = manager.on_chat_model_start(*run.start_args, **run.start)
    if run.model.rate_limiter:
        run.model.rate_limiter.acquire(blocking=True)
    try:
        chunks, run.parser = open_stream(run.call(run_manager))
        for chunk in chunks:
            run_manager.on_llm_new_token(**run.token(chunk))
            yield chunk
    except BaseException as error:
        run_manager.on_llm_error(error, response=run.result(ended=False))
        raise
    run_manager.on_llm_end(run.result(ended=True))


async def astream(
    run: Run, open_stream: AOpenStream
) -> AsyncGenerator[AIMessageChunk, None]:
    """``model.astream`` on the lean path; only the awaits differ from ``stream``."""
    manager = AsyncCallbackManager.configure(**run.configure)
    (run_manager,) = await manager.on_chat_model_start(*run.start_args, **run.start)
    if run.model.rate_limiter:
        await run.model.rate_limiter.aacquire(blocking=True)
    try:
        chunks, run.parser = open_stream(run.call(run_manager))
        async with aclosing(chunks):
            async for chunk in chunks:
                await run_manager.on_llm_new_token(**run.token(chunk))
                yield chunk
    except BaseException as error:
        await run_manager.on_llm_error(error, response=run.result(ended=False))
        raise
    await run_manager.on_llm_end(run.result(ended=True))
