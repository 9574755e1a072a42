"""Unit tests run offline: no test under tests/unit may open a network socket.

Sockets are blocked for each unit test (pytest-socket) and given back after it,
so integration tests in the same session can still reach the simulator. Unix
sockets stay allowed: asyncio event loops need a socketpair. A unit test that
truly needs the network can say so with ``@pytest.mark.enable_socket``.
"""

import pytest
import pytest_socket


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("enable_socket") is None:
        pytest_socket.disable_socket(allow_unix_socket=True)


def pytest_runtest_teardown(item: pytest.Item) -> None:
    pytest_socket.enable_socket()
