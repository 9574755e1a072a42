"""A reply is complete only with a finish reason; nothing cut is passed off as
whole, and usage that does not parse is left out, never reported as zero."""

from collections.abc import Callable
from typing import Any

import pytest

from langchain_kimi import ChatKimi, IncompleteReplyError, IncompleteResponseError
from langchain_kimi.testing import Fault, KimiSimulator, Reply
from tests.integration.calls import MODES, WHOLE, call, stream_body, whole_body

CUT = {"message": {"role": "assistant", "content": "The answer is"}}


def _raw(body: str, content_type: str = "application/json") -> Fault:
    return Fault(kind="raw", status=200, content_type=content_type, body=body)


@pytest.mark.parametrize("mode", WHOLE)
@pytest.mark.parametrize(
    "choices",
    [[], None, [{**CUT, "finish_reason": None}], [{**CUT, "finish_reason": "null"}]],
    ids=["no-choices", "null-choices", "no-finish", "finish-null-string"],
)
def test_a_whole_reply_without_choices_or_finish_reason_is_incomplete(
    llm: ChatKimi,
    kimi_simulator: KimiSimulator,
    transport: str,
    mode: str,
    choices: Any,
) -> None:
    kimi_simulator.queue(_raw(whole_body(transport, choices)))
    with pytest.raises(IncompleteResponseError) as info:
        call(llm, mode)
    assert isinstance(info.value, IncompleteReplyError)


def test_an_incomplete_whole_reply_is_retried(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, transport: str
) -> None:
    kimi_simulator.queue(
        _raw(whole_body(transport, [{**CUT, "finish_reason": None}])),
        Reply(content="Complete."),
    )
    assert make_llm(max_retries=1).invoke("hi").content == "Complete."
    assert len(kimi_simulator.requests) == 2


@pytest.mark.parametrize("mode", MODES)
def test_finish_reason_length_is_complete_and_returned(
    llm: ChatKimi, kimi_simulator: KimiSimulator, mode: str
) -> None:
    kimi_simulator.queue(Reply(content="Cut by max_tokens", finish_reason="length"))
    message = call(llm, mode)
    assert message.content == "Cut by max_tokens"
    assert message.response_metadata["finish_reason"] == "length"


USAGES = {
    "null": None,
    "null-counts": {"prompt_tokens": None, "completion_tokens": None},
    "strings": {"prompt_tokens": "eight", "completion_tokens": "many"},
    "not-an-object": "12 tokens",
}


def _usage(transport: str, usage: Any) -> Any:
    if transport == "dashscope" and isinstance(usage, dict):
        return {"input_tokens": usage["prompt_tokens"], "output_tokens": None}
    return usage


@pytest.mark.parametrize("mode", WHOLE)
@pytest.mark.parametrize("case", sorted(USAGES))
def test_usage_that_does_not_parse_is_left_out_and_the_answer_kept(
    llm: ChatKimi, kimi_simulator: KimiSimulator, transport: str, mode: str, case: str
) -> None:
    choice = {"message": {"content": "Kept."}, "finish_reason": "stop"}
    usage = _usage(transport, USAGES[case])
    kimi_simulator.queue(_raw(whole_body(transport, [choice], usage)))
    message = call(llm, mode)
    assert message.content == "Kept."
    assert message.usage_metadata is None
    assert "cost_usd" not in message.response_metadata


@pytest.mark.parametrize("mode", WHOLE)
def test_usage_numbers_sent_as_strings_are_read(
    llm: ChatKimi, kimi_simulator: KimiSimulator, transport: str, mode: str
) -> None:
    choice = {"message": {"content": "Counted."}, "finish_reason": "stop"}
    usage = (
        {"input_tokens": "10", "output_tokens": "5"}
        if transport == "dashscope"
        else {"prompt_tokens": "10", "completion_tokens": "5"}
    )
    kimi_simulator.queue(_raw(whole_body(transport, [choice], usage)))
    message = call(llm, mode)
    assert message.usage_metadata == {
        "input_tokens": 10,
        "output_tokens": 5,
        "total_tokens": 15,
    }


@pytest.mark.parametrize("mode", ["stream", "astream"])
def test_stream_usage_that_does_not_parse_is_left_out(
    llm: ChatKimi, kimi_simulator: KimiSimulator, transport: str, mode: str
) -> None:
    if transport == "dashscope":
        event = {
            "output": {
                "choices": [
                    {
                        "message": {"role": "assistant", "content": "Kept."},
                        "finish_reason": "stop",
                    }
                ]
            },
            "usage": {"input_tokens": None, "output_tokens": "x"},
            "request_id": "r",
        }
        events = [event]
    else:
        events = [
            {"choices": [{"delta": {"content": "Kept."}, "finish_reason": "stop"}]},
            {"choices": [], "usage": {"prompt_tokens": None, "completion_tokens": 1}},
        ]
    body = stream_body(transport, events, done=True)
    kimi_simulator.queue(_raw(body, "text/event-stream"))
    message = call(llm, mode)
    assert message.content == "Kept."
    assert message.usage_metadata is None
