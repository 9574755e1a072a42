"""Which ``Host`` headers the simulator's control endpoints accept (pure)."""

import pytest

from langchain_kimi.testing.control import host_allowed

PORT = 8123


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1:8123",
        "127.9.9.9:8123",
        "localhost:8123",
        "LOCALHOST:8123",
        "localhost",
        "[::1]:8123",
        "[::1]",
    ],
)
def test_loopback_names_and_ips_on_the_bound_port_are_accepted(host: str) -> None:
    assert host_allowed(host, "127.0.0.1", PORT)


@pytest.mark.parametrize(
    "host",
    [
        None,
        "",
        "evil.example",
        "evil.example:8123",
        "localhost.evil.example:8123",
        "127.0.0.1.nip.io:8123",
        "10.0.0.5:8123",
        "localhost:8124",
        "localhost:abc",
        "[::1]x:8123",
        "127.0.0.1:8123@evil.example",
    ],
)
def test_foreign_or_malformed_hosts_are_refused(host: str | None) -> None:
    assert not host_allowed(host, "127.0.0.1", PORT)


def test_the_bound_host_is_accepted_even_when_not_loopback() -> None:
    assert host_allowed("sim.internal:8123", "sim.internal", PORT)
