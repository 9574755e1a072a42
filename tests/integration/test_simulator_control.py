"""The simulator's control endpoints answer only this machine, with the key, in JSON:
a web page the user visits can neither script their tests' replies nor read
their prompts (DNS rebinding, simple cross-origin requests)."""

import json

import pytest
import requests

from langchain_kimi.chat_models.base import ChatKimi
from langchain_kimi.testing import KimiSimulator, control

QUEUED = {"items": [{"content": "from the page"}]}


def _send(
    sim: KimiSimulator,
    method: str,
    route: str,
    *,
    key: str | None = "",
    host: str | None = None,
    body: str | None = None,
    content_type: str = "application/json",
) -> requests.Response:
    headers = {"Content-Type": content_type}
    if key is not None:
        headers["Authorization"] = f"Bearer {key or sim.api_key}"
    if host is not None:
        headers["Host"] = host
    return requests.request(
        method, sim.url + route, data=body, headers=headers, timeout=5
    )


def _next_answer(sim: KimiSimulator) -> str:
    llm = ChatKimi(api_key=sim.api_key, base_url=sim.openai_base_url, max_retries=0)
    return str(llm.invoke("Hi").content)


def test_queue_without_the_key_is_refused_and_queues_nothing(
    kimi_simulator: KimiSimulator,
) -> None:
    answer = _send(
        kimi_simulator, "POST", "/simulator/queue", key=None, body=json.dumps(QUEUED)
    )
    assert answer.status_code == 401
    assert _next_answer(kimi_simulator) != "from the page"


def test_queue_with_a_wrong_key_is_refused(kimi_simulator: KimiSimulator) -> None:
    answer = _send(
        kimi_simulator,
        "POST",
        "/simulator/queue",
        key="sk-guessed",
        body=json.dumps(QUEUED),
    )
    assert answer.status_code == 401
    assert _next_answer(kimi_simulator) != "from the page"


def test_queue_sent_as_text_plain_is_refused_and_queues_nothing(
    kimi_simulator: KimiSimulator,
) -> None:
    answer = _send(
        kimi_simulator,
        "POST",
        "/simulator/queue",
        body=json.dumps(QUEUED),
        content_type="text/plain",
    )
    assert answer.status_code == 415
    assert _next_answer(kimi_simulator) != "from the page"


def test_a_post_without_a_content_type_is_refused(
    kimi_simulator: KimiSimulator,
) -> None:
    answer = requests.post(
        kimi_simulator.url + "/simulator/reset",
        data=b"x",
        headers={
            "Authorization": f"Bearer {kimi_simulator.api_key}",
            "Content-Type": "",
        },
        timeout=5,
    )
    assert answer.status_code == 415


@pytest.mark.parametrize(
    "host", ["evil.example", "rebound.example:{port}", "127.0.0.1.nip.io:{port}"]
)
def test_requests_with_a_foreign_host_header_are_refused_and_show_no_prompt(
    kimi_simulator: KimiSimulator, host: str
) -> None:
    _next_answer(kimi_simulator)  # a prompt to protect
    port = kimi_simulator.bound_address[1]
    answer = _send(
        kimi_simulator, "GET", "/simulator/requests", host=host.format(port=port)
    )
    assert answer.status_code == 403
    assert "Hi" not in answer.text


def test_a_loopback_name_on_another_port_is_refused(
    kimi_simulator: KimiSimulator,
) -> None:
    port = kimi_simulator.bound_address[1]
    answer = _send(
        kimi_simulator, "GET", "/simulator/requests", host=f"localhost:{port + 1}"
    )
    assert answer.status_code == 403


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "localhost"])
def test_this_machine_with_the_key_reads_the_prompts(
    kimi_simulator: KimiSimulator, host: str
) -> None:
    _next_answer(kimi_simulator)
    port = kimi_simulator.bound_address[1]
    answer = _send(
        kimi_simulator, "GET", "/simulator/requests", host=host.format(port=port)
    )
    assert answer.status_code == 200
    assert answer.json()[0]["body"]["messages"][-1]["content"] == "Hi"


def test_the_client_helper_queues_a_reply_the_next_call_receives(
    kimi_simulator: KimiSimulator,
) -> None:
    queued = control.call(
        kimi_simulator.url, "/simulator/queue", kimi_simulator.api_key, QUEUED
    )
    assert queued == {"queued": 1}
    assert _next_answer(kimi_simulator) == "from the page"


def test_a_queue_body_that_is_not_a_json_object_is_a_400(
    kimi_simulator: KimiSimulator,
) -> None:
    answer = _send(kimi_simulator, "POST", "/simulator/queue", body="[1, 2]")
    assert answer.status_code == 400


@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("POST", "/simulator/queue"),
        ("POST", "/simulator/reset"),
        ("GET", "/simulator/requests"),
        ("GET", "/simulator/connections"),
    ],
)
def test_every_control_route_needs_the_key(
    kimi_simulator: KimiSimulator, method: str, route: str
) -> None:
    answer = _send(kimi_simulator, method, route, key=None, body="{}")
    assert answer.status_code == 401
