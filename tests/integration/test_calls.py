"""invoke, batch, stream and async over both transports, with reasoning and usage."""

import asyncio
import functools
import operator
from collections.abc import Callable

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessageChunk, HumanMessage, SystemMessage

from langchain_kimi import ChatKimi
from langchain_kimi.model_specs import INSTRUCT_MODEL
from langchain_kimi.testing import KimiSimulator, RecordedRequest, Reply


def _sum(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    return functools.reduce(operator.add, chunks)


def _answer_to(request: RecordedRequest) -> Reply:
    """A reply naming the question, so concurrent answers can be told apart."""
    return Reply(content=f"Answer to {request.messages[-1]['content']}.")


def test_invoke_returns_answer_reasoning_usage_and_metadata(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(
        Reply(
            content="I am Kimi.",
            reasoning="Who am I?",
            usage={"input_tokens": 8, "output_tokens": 183, "reasoning_tokens": 120},
        )
    )
    message = llm.invoke("Who are you?")
    assert message.content == "I am Kimi."
    assert message.additional_kwargs["reasoning_content"] == "Who am I?"
    assert message.usage_metadata == {
        "input_tokens": 8,
        "output_tokens": 183,
        "total_tokens": 191,
        "output_token_details": {"reasoning": 120},
    }
    meta = message.response_metadata
    assert meta["model_name"] == "kimi-k2-thinking"
    assert meta["finish_reason"] == "stop"
    assert meta["request_id"] and meta["id"]
    assert meta["cost_usd"] == pytest.approx((8 * 0.574 + 183 * 2.294) / 1e6)
    assert message.content_blocks[0] == {"type": "reasoning", "reasoning": "Who am I?"}


def test_unset_parameters_are_not_sent(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    llm.invoke("hi")
    params = kimi_simulator.last_request.params
    for name in ("temperature", "top_p", "presence_penalty", "max_tokens", "seed"):
        assert name not in params


def test_set_parameters_reach_the_service(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    llm = make_llm(
        model=INSTRUCT_MODEL,
        temperature=0.3,
        top_p=0.8,
        max_tokens=50,
        seed=7,
        stop=["END"],
        model_kwargs={"repetition_penalty": 1.1},
    )
    llm.invoke("hi")
    params = kimi_simulator.last_request.params
    assert params["temperature"] == 0.3 and params["top_p"] == 0.8
    assert params["max_tokens"] == 50 and params["seed"] == 7
    assert params["stop"] == ["END"] and params["repetition_penalty"] == 1.1


def test_batch_answers_each_input(llm: ChatKimi, kimi_simulator: KimiSimulator) -> None:
    kimi_simulator.responder = _answer_to
    answers = llm.batch(["one", "two", "three"])
    assert [a.content for a in answers] == [
        f"Answer to {w}." for w in ("one", "two", "three")
    ]


def test_stream_is_token_level_with_usage_on_last_chunk(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(content=["I ", "am ", "Kimi."], reasoning=["Hm", "m."]))
    chunks = list(llm.stream("Who are you?"))
    texts = [c.content for c in chunks if c.content]
    thoughts = [c.additional_kwargs.get("reasoning_content") for c in chunks]
    assert texts == ["I ", "am ", "Kimi."]
    assert [t for t in thoughts if t] == ["Hm", "m."]
    assert [c.usage_metadata is not None for c in chunks].count(True) == 1
    assert chunks[-1].usage_metadata is not None
    total = _sum(chunks)
    assert total.content == "I am Kimi."
    assert total.additional_kwargs["reasoning_content"] == "Hmm."
    assert total.response_metadata["finish_reason"] == "stop"


@pytest.mark.parametrize("placement", ["trailing", "choice", "both"])
def test_stream_usage_read_wherever_the_service_puts_it(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, placement: str
) -> None:
    kimi_simulator.queue(
        Reply(
            content="ok",
            usage={"input_tokens": 3, "output_tokens": 4},
            usage_in=placement,
        )  # type: ignore[arg-type]
    )
    total = _sum(list(make_llm().stream("hi")))
    assert total.usage_metadata == {
        "input_tokens": 3,
        "output_tokens": 4,
        "total_tokens": 7,
    }


def test_stream_usage_off_sends_no_stream_options(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, transport: str
) -> None:
    total = _sum(list(make_llm(stream_usage=False).stream("hi")))
    assert total.usage_metadata is None
    if transport == "openai":
        assert "stream_options" not in kimi_simulator.last_request.params


def test_callbacks_see_each_delta(llm: ChatKimi, kimi_simulator: KimiSimulator) -> None:
    seen: list[str] = []

    class Recorder(BaseCallbackHandler):
        def on_llm_new_token(self, token: str, **kwargs: object) -> None:
            seen.append(token)

    kimi_simulator.queue(Reply(content=["a", "b", "c"]))
    list(llm.stream("hi", config={"callbacks": [Recorder()]}))
    assert [t for t in seen if t] == ["a", "b", "c"]


def test_streaming_flag_makes_invoke_stream(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, transport: str
) -> None:
    kimi_simulator.queue(Reply(content=["Streamed ", "in ", "pieces."]))
    message = make_llm(streaming=True).invoke("hi")
    assert message.content == "Streamed in pieces."
    request = kimi_simulator.last_request
    if transport == "openai":
        assert request.params["stream"] is True
    else:
        assert request.params["incremental_output"] is True


async def test_async_invoke_batch_and_stream(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(content="Async hello."))
    message = await llm.ainvoke("hi")
    assert message.content == "Async hello."
    kimi_simulator.responder = _answer_to
    answers = await llm.abatch(["a", "b"])
    assert [a.content for a in answers] == ["Answer to a.", "Answer to b."]
    kimi_simulator.queue(Reply(content=["x", "y"], reasoning="r"))
    chunks = [c async for c in llm.astream("hi")]
    total = _sum(chunks)
    assert total.content == "xy"
    assert total.additional_kwargs["reasoning_content"] == "r"
    assert chunks[-1].usage_metadata is not None


async def test_concurrent_async_calls(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.responder = _answer_to
    results = await asyncio.gather(*(llm.ainvoke(f"q{i}") for i in range(20)))
    assert [r.content for r in results] == [f"Answer to q{i}." for i in range(20)]


def test_multi_turn_conversation_with_names(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.queue(Reply(content="Hello there.", reasoning="Greet back."))
    first = llm.invoke("Hello")
    llm.invoke(
        [
            SystemMessage("Be brief."),
            HumanMessage("Hello", name="ann"),
            first,
            HumanMessage("And again?"),
        ]
    )
    sent = kimi_simulator.last_request.messages
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert sent[1]["name"] == "ann"
    assert sent[2]["content"] == "Hello there."
    assert "reasoning_content" not in sent[2]


def test_per_call_model_override(llm: ChatKimi, kimi_simulator: KimiSimulator) -> None:
    kimi_simulator.queue(Reply(content="An instruct answer."))
    message = llm.invoke("hi", model=INSTRUCT_MODEL)
    assert kimi_simulator.last_request.model == INSTRUCT_MODEL
    assert message.content == "An instruct answer."
    assert message.response_metadata["model_name"] in (
        INSTRUCT_MODEL,
        "kimi-k2-thinking",
    )
    assert "reasoning_content" not in message.additional_kwargs


def test_unknown_model_ids_are_passed_through(
    make_llm: Callable[..., ChatKimi], transport: str
) -> None:
    with KimiSimulator(extra_models=["kimi-k3-preview"]) as sim:
        llm = ChatKimi(
            model="kimi-k3-preview",
            api_key=sim.api_key,
            base_url=sim.base_url_for(transport),
            transport=transport,  # type: ignore[arg-type]
            top_p=0.5,
        )
        sim.queue(Reply(content="From the preview model."))
        message = llm.invoke("hi")
        assert message.content == "From the preview model."
        assert sim.last_request.params["top_p"] == 0.5
        assert "cost_usd" not in message.response_metadata


def test_one_model_serves_several_event_loops(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    async def both() -> tuple[str, str]:
        message = await llm.ainvoke("hi")
        chunks = [c async for c in llm.astream("hi")]
        return str(message.content), "".join(str(c.content) for c in chunks)

    for loop in range(3):
        kimi_simulator.queue(
            Reply(content=f"Loop {loop}."), Reply(content=["Loop ", f"{loop}."])
        )
        invoked, streamed = asyncio.run(both())
        assert invoked == streamed == f"Loop {loop}."
