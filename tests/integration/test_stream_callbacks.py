"""ChatKimi's own stream path keeps LangChain's callback and event contract."""

from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult

from langchain_kimi import ChatKimi, ServerError
from langchain_kimi.testing import KimiSimulator, Reply


class Recorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.started = 0
        self.tokens: list[str] = []
        self.ended: list[LLMResult] = []
        self.errors: list[BaseException] = []

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self.started += 1

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        self.ended.append(response)

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.errors.append(error)


def test_on_llm_end_receives_the_whole_reply(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(
        Reply(
            content=["Hel", "lo"],
            reasoning=["th", "ink"],
            usage={"input_tokens": 2, "output_tokens": 3},
        )
    )
    recorder = Recorder()
    chunks = list(llm.stream("hi", config={"callbacks": [recorder]}))
    assert recorder.started == 1
    assert [t for t in recorder.tokens if t] == ["Hel", "lo"]
    (generation,) = recorder.ended[0].generations[0]
    message = generation.message  # type: ignore[attr-defined]
    assert message.content == "Hello"
    assert message.additional_kwargs["reasoning_content"] == "think"
    assert message.usage_metadata["total_tokens"] == 5
    assert message.response_metadata["finish_reason"] == "stop"
    assert {c.id for c in chunks} == {message.id}
    assert message.id.startswith("lc_run-")


def test_tool_calls_reach_on_llm_end_merged(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    from langchain_kimi.testing import ToolCallSpec

    kimi_simulator.queue(
        Reply(tool_calls=[ToolCallSpec("f", {"x": 1}), ToolCallSpec("g", {})])
    )
    recorder = Recorder()
    list(llm.stream("hi", parallel_tool_calls=True, config={"callbacks": [recorder]}))
    message = recorder.ended[0].generations[0][0].message  # type: ignore[attr-defined]
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [
        ("f", {"x": 1}),
        ("g", {}),
    ]


def test_errors_reach_on_llm_error(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.fail(500, "InternalError", "boom")
    recorder = Recorder()
    with pytest.raises(ServerError):
        list(make_llm().stream("hi", config={"callbacks": [recorder]}))
    assert len(recorder.errors) == 1 and not recorder.ended


def test_refusals_reach_on_llm_error(llm: ChatKimi) -> None:
    recorder = Recorder()
    with pytest.raises(ValueError, match="top_p"):
        list(llm.stream("hi", top_p=0.3, config={"callbacks": [recorder]}))
    assert len(recorder.errors) == 1


async def test_astream_events_per_delta_and_end(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(content=["a", "b", "c"], reasoning="r"))
    events = [e async for e in llm.astream_events("hi", version="v2")]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "on_chat_model_start" and kinds[-1] == "on_chat_model_end"
    streamed = [
        e["data"]["chunk"].content
        for e in events
        if e["event"] == "on_chat_model_stream"
    ]
    assert "".join(streamed) == "abc"
    assert events[-1]["data"]["output"].content == "abc"


async def test_async_callbacks_get_the_whole_reply(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(content=["x", "y"]))
    recorder = Recorder()
    chunks = [c async for c in llm.astream("hi", config={"callbacks": [recorder]})]
    assert "".join(str(c.content) for c in chunks) == "xy"
    assert recorder.ended[0].generations[0][0].message.content == "xy"  # type: ignore[attr-defined]


def test_disabled_streaming_falls_back_to_invoke(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    chunks = list(make_llm(disable_streaming=True).stream("hi"))
    assert len(chunks) == 1
    assert "stream" not in kimi_simulator.last_request.params


def test_output_version_v1_uses_standard_blocks(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(content="ok", reasoning="why"))
    chunks = list(make_llm(output_version="v1").stream("hi"))
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    kinds = [b["type"] for b in total.content_blocks]
    assert "reasoning" in kinds and "text" in kinds


class StartRecorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.params: list[dict[str, Any]] = []

    def on_chat_model_start(self, *args: Any, **kwargs: Any) -> None:
        self.params.append(kwargs["invocation_params"])


@pytest.mark.parametrize("streamed", [False, True])
def test_structured_output_traces_only_real_request_parameters(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, streamed: bool
) -> None:
    """The schema travels as a response_format a user could send, no side channel."""
    kimi_simulator.queue(Reply(content='{"name": "Ann", "age": 3}'))
    schema = {
        "title": "Person",
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
    }
    recorder = StartRecorder()
    chain = make_llm(streaming=streamed).with_structured_output(schema)
    assert chain.invoke("Ann is 3", config={"callbacks": [recorder]}) == {
        "name": "Ann",
        "age": 3,
    }
    (params,) = recorder.params
    assert "json_instruction" not in params
    assert params["response_format"]["type"] == "json_schema"
    traced = params["response_format"]["json_schema"]
    assert traced["name"] == "Person"
    assert traced["schema"]["properties"] == schema["properties"]
    sent = kimi_simulator.last_request
    assert sent.params["response_format"] == {"type": "json_object"}
    assert '"properties"' in sent.messages[0]["content"]
