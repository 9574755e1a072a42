"""Warmed models: copies take their new settings; pickles travel to workers."""

import asyncio
import copy
import multiprocessing
import operator
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

import pytest

from langchain_kimi import APITimeoutError, ChatKimi, ServerError
from langchain_kimi.testing import KimiSimulator, Reply


def _warm(llm: ChatKimi, kimi_simulator: KimiSimulator) -> None:
    """Use both the sync and the async client, as a long-lived model would."""
    kimi_simulator.queue(Reply(content="sync"), Reply(content="async"))
    assert llm.invoke("hi").content == "sync"
    assert asyncio.run(llm.ainvoke("hi")).content == "async"
    assert llm._transport is not None


def test_pickle_and_deepcopy_after_calls(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    llm = make_llm(temperature=0.3)
    _warm(llm, kimi_simulator)
    for clone in (pickle.loads(pickle.dumps(llm)), copy.deepcopy(llm)):
        assert clone.temperature == 0.3 and clone._transport is None
        kimi_simulator.queue(Reply(content="clone"))
        assert clone.invoke("hi").content == "clone"
    kimi_simulator.queue(Reply(content="original"))
    assert llm.invoke("hi").content == "original"  # its client is untouched


def test_model_copy_takes_a_new_base_url(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, transport: str
) -> None:
    llm = make_llm()
    _warm(llm, kimi_simulator)
    with KimiSimulator(api_key=kimi_simulator.api_key) as other:
        other.queue(Reply(content="from the other endpoint"))
        moved = llm.model_copy(update={"base_url": other.base_url_for(transport)})
        assert moved.invoke("hi").content == "from the other endpoint"
        assert len(other.requests) == 1


def test_model_copy_takes_a_new_timeout_and_retries(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    llm = make_llm(max_retries=0)
    _warm(llm, kimi_simulator)
    kimi_simulator.queue(Reply(content="late", delay=3))
    with pytest.raises(APITimeoutError):
        llm.model_copy(update={"timeout": 0.5}).invoke("hi")
    kimi_simulator.fail(500, "InternalError", times=1)
    kimi_simulator.queue(Reply(content="second try"))
    assert llm.model_copy(update={"max_retries": 1}).invoke("hi").content == (
        "second try"
    )
    kimi_simulator.fail(500, "InternalError", times=1)
    with pytest.raises(ServerError):
        llm.invoke("hi")  # the original still does not retry


def test_model_copy_takes_a_new_transport(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, transport: str
) -> None:
    llm = make_llm()
    _warm(llm, kimi_simulator)
    other = "dashscope" if transport == "openai" else "openai"
    kimi_simulator.queue(Reply(content="other wire"))
    assert llm.model_copy(update={"transport": other}).invoke("hi").content == (
        "other wire"
    )
    assert kimi_simulator.last_request.protocol == other


def test_a_used_model_runs_in_a_spawned_process(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    llm = make_llm()
    _warm(llm, kimi_simulator)
    kimi_simulator.queue(Reply(content="answered in the worker"))
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        reply = pool.submit(operator.methodcaller("invoke", "hi"), llm).result(120)
    assert reply.content == "answered in the worker"
    assert len(kimi_simulator.requests) == 3
