"""Unit tests cannot reach the network (see conftest.py); event loops still run."""

import asyncio
import socket

import pytest
import pytest_socket

#: pytest-socket warns each time it blocks: here the block is the point.
pytestmark = pytest.mark.filterwarnings("ignore:A test tried to use socket:UserWarning")


def test_opening_a_tcp_socket_is_blocked() -> None:
    with pytest.raises(pytest_socket.SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def test_name_lookups_are_blocked() -> None:
    with pytest.raises(pytest_socket.SocketBlockedError):
        socket.getaddrinfo("dashscope.aliyuncs.com", 443)


def test_event_loops_still_work() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert asyncio.run(answer()) == 42


async def test_async_tests_still_work() -> None:
    await asyncio.sleep(0)
