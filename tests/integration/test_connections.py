"""The simulator's stand-in for connection set-up: a delay on the first request
of each new TCP connection, and a count of the connections clients opened."""

import json
import subprocess
import sys
import threading
import time

import openai
import requests

from langchain_kimi.model_specs import THINKING_MODEL
from langchain_kimi.testing import KimiSimulator, Reply, control

BODY = {"model": THINKING_MODEL, "messages": [{"role": "user", "content": "Hi"}]}


def _post(
    sim: KimiSimulator, session: requests.Session | None = None, url: str = ""
) -> None:
    response = (session or requests).post(
        (url or sim.openai_base_url) + "/chat/completions",
        json=BODY,
        headers={"Authorization": f"Bearer {sim.api_key}"},
        timeout=10,
    )
    assert response.status_code == 200


def test_a_client_that_keeps_its_connection_opens_one(
    kimi_simulator: KimiSimulator,
) -> None:
    kimi_simulator.connect_delay = 0.01
    with requests.Session() as session:
        for _ in range(4):
            _post(kimi_simulator, session)
    stats = kimi_simulator.connections()
    assert stats.opened == 1
    assert stats.per_connection == (4,)
    assert stats.requests == 4


def test_a_client_that_reconnects_opens_one_per_request(
    kimi_simulator: KimiSimulator,
) -> None:
    kimi_simulator.connect_delay = 0.01
    for _ in range(3):
        _post(kimi_simulator)  # a new session, so a new connection, each time
    stats = kimi_simulator.connections()
    assert stats.opened == 3
    assert stats.per_connection == (1, 1, 1)


def test_connect_delay_holds_back_each_first_request() -> None:
    """Only a lower bound: each new connection waits at least the delay."""
    with KimiSimulator(connect_delay=0.1) as sim:
        start = time.perf_counter()
        for _ in range(3):
            _post(sim)
        elapsed = time.perf_counter() - start
        assert sim.connections().opened == 3
    assert elapsed >= 0.3


def test_concurrent_clients_each_open_their_own(
    kimi_simulator: KimiSimulator,
) -> None:
    kimi_simulator.queue(*[Reply(content="x", delay=0.2)] * 3)
    threads = [threading.Thread(target=_post, args=(kimi_simulator,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert kimi_simulator.connections().opened == 3


def test_control_requests_are_not_counted_and_reset_zeroes_the_counts(
    kimi_simulator: KimiSimulator,
) -> None:
    kimi_simulator.connect_delay = 5.0  # a control request must not wait for it
    url, key = kimi_simulator.url, kimi_simulator.api_key
    before = control.call(url, "/simulator/connections", key)
    control.call(url, "/simulator/requests", key)
    after = control.call(url, "/simulator/connections", key)
    assert before == after
    assert before["opened"] == before["requests"] == 0
    kimi_simulator.connect_delay = 0.0
    _post(kimi_simulator)
    assert kimi_simulator.connections().opened == 1
    kimi_simulator.connect_delay = 5.0
    kimi_simulator.reset()
    assert kimi_simulator.connections().opened == 0
    assert kimi_simulator.connect_delay == 0.0  # the constructor's


def test_a_pooled_openai_client_is_counted_once(
    kimi_simulator: KimiSimulator,
) -> None:
    client = openai.OpenAI(
        api_key=kimi_simulator.api_key,
        base_url=kimi_simulator.openai_base_url,
        max_retries=0,
    )
    for _ in range(3):
        client.chat.completions.create(**BODY)  # type: ignore[call-overload]
    client.close()
    assert kimi_simulator.connections().per_connection == (3,)


def test_cli_flag_sets_the_delay_and_the_control_endpoint_reports_counts() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "langchain_kimi.testing", "--connect-delay", "0.05"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        with requests.Session() as session:
            for _ in range(2):
                response = session.post(
                    info["openai_base_url"] + "/chat/completions",
                    json=BODY,
                    headers={"Authorization": f"Bearer {info['api_key']}"},
                    timeout=10,
                )
                assert response.status_code == 200
        stats = control.call(info["url"], "/simulator/connections", info["api_key"])
    finally:
        process.terminate()
        process.wait(10)
    assert stats == {
        "connect_delay": 0.05,
        "opened": 1,
        "requests": 2,
        "per_connection": [2],
    }
