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
its callback and tracing settings, and a callable that opens the stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import AsyncCallbackManager, CallbackManager
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, LLMResult
from langchain_core.runnables import RunnableConfig, ensure_config
from langchain_core.utils.function_calling import convert_to_json_schema
from langchain_core.utils.utils import LC_ID_PREFIX

from langchain_kimi.response import StreamParser

#: ``(messages, stop, kwargs, message_id, keep) -> (chunks, parser)``: builds
#: the request and returns the reply's chunks (unstarted) and their parser,
#: which keeps the pieces for ``on_llm_end`` when ``keep`` is true.
OpenStream = Callable[
    [list[BaseMessage], "list[str] | None", dict[str, Any], str, bool],
    tuple[Iterator[AIMessageChunk], StreamParser],
]
AOpenStream = Callable[
    [list[BaseMessage], "list[str] | None", dict[str, Any], str, bool],
    tuple[AsyncIterator[AIMessageChunk], StreamParser],
]

_UNTRACED_PARAMS = frozenset({"tools", "functions", "messages", "response_format"})


@dataclass
class _Run:
    """What one streamed call hands to its callback manager."""

    messages: list[BaseMessage]
    configure: dict[str, Any]
    start: dict[str, Any]


def _prepare_run(
    model: BaseChatModel,
    input: LanguageModelInput,
    config: RunnableConfig | None,
    stop: list[str] | None,
    kwargs: dict[str, Any],
) -> _Run:
    """Messages, invocation params and callback arguments (mutates ``kwargs``)."""
    config = ensure_config(config)
    messages = model._convert_input(input).to_messages()
    structured = kwargs.pop("ls_structured_output_format", None) or kwargs.pop(
        "structured_output_format", None
    )
    params = model._get_invocation_params(stop=stop, **kwargs)
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
    configure = {
        "inheritable_callbacks": config.get("callbacks"),
        "local_callbacks": model.callbacks,
        "verbose": model.verbose,
        "inheritable_tags": config.get("tags"),
        "local_tags": model.tags,
        "inheritable_metadata": {
            **(config.get("metadata") or {}),
            **model._get_ls_params_with_defaults(stop=stop, **kwargs),
        },
        "local_metadata": model.metadata,
        "langsmith_inheritable_metadata": {
            k: v for k, v in params.items() if k not in _UNTRACED_PARAMS
        },
    }
    start = {
        "invocation_params": params,
        "options": options,
        "name": config.get("run_name"),
        "run_id": config.pop("run_id", None),
        "batch_size": 1,
    }
    return _Run(messages, configure, start)


def _token(
    chunk: AIMessageChunk, listening: bool
) -> tuple[str, ChatGenerationChunk | None]:
    """Arguments of ``on_llm_new_token``; the generation only if someone listens."""
    text = chunk.content if isinstance(chunk.content, str) else ""
    if not listening:
        return text, None
    return text, ChatGenerationChunk(message=chunk)


def _result(
    parser: StreamParser | None, last: AIMessageChunk | None, listening: bool
) -> LLMResult:
    """The run's result for its handlers (none are listening: nothing to build)."""
    if parser is None or not listening:
        return LLMResult(generations=[])
    message = parser.message(last)
    return LLMResult(generations=[[ChatGenerationChunk(message=message)]])


def stream(
    model: BaseChatModel,
    input: LanguageModelInput,
    config: RunnableConfig | None,
    stop: list[str] | None,
    kwargs: dict[str, Any],
    open_stream: OpenStream,
) -> Iterator[AIMessageChunk]:
    """``model.stream`` on the lean path."""
    run = _prepare_run(model, input, config, stop, kwargs)
    manager = CallbackManager.configure(**run.configure)
    (run_manager,) = manager.on_chat_model_start(
        model._serialized, [run.messages], **run.start
    )
    if model.rate_limiter:
        model.rate_limiter.acquire(blocking=True)
    listening = bool(run_manager.handlers)
    parser: StreamParser | None = None
    last: AIMessageChunk | None = None
    try:
        message_id = f"{LC_ID_PREFIX}-{run_manager.run_id}"
        chunks, parser = open_stream(run.messages, stop, kwargs, message_id, listening)
        for chunk in chunks:
            last = chunk
            text, generation = _token(chunk, listening)
            run_manager.on_llm_new_token(text, chunk=generation)
            yield chunk
    except BaseException as error:
        run_manager.on_llm_error(error, response=_result(parser, None, listening))
        raise
    run_manager.on_llm_end(_result(parser, last, listening))


async def astream(
    model: BaseChatModel,
    input: LanguageModelInput,
    config: RunnableConfig | None,
    stop: list[str] | None,
    kwargs: dict[str, Any],
    open_stream: AOpenStream,
) -> AsyncIterator[AIMessageChunk]:
    """``model.astream`` on the lean path; only the awaits differ from ``stream``."""
    run = _prepare_run(model, input, config, stop, kwargs)
    manager = AsyncCallbackManager.configure(**run.configure)
    (run_manager,) = await manager.on_chat_model_start(
        model._serialized, [run.messages], **run.start
    )
    if model.rate_limiter:
        await model.rate_limiter.aacquire(blocking=True)
    listening = bool(run_manager.handlers)
    parser: StreamParser | None = None
    last: AIMessageChunk | None = None
    try:
        message_id = f"{LC_ID_PREFIX}-{run_manager.run_id}"
        chunks, parser = open_stream(run.messages, stop, kwargs, message_id, listening)
        async for chunk in chunks:
            last = chunk
            text, generation = _token(chunk, listening)
            await run_manager.on_llm_new_token(text, chunk=generation)
            yield chunk
    except BaseException as error:
        await run_manager.on_llm_error(error, response=_result(parser, None, listening))
        raise
    await run_manager.on_llm_end(_result(parser, last, listening))
