"""Suite-wide settings.

Retry backoff is zero here: a test that retries proves the retry, not the
wait, and real backoff was a minute and a half of sleeping per run. Tests of
the backoff itself give ``RetryPolicy`` an explicit ``base_delay``. A
``Retry-After`` the service sends is still honoured as sent.
"""

import pytest

from langchain_kimi.transports import retry

#: ``pytester`` runs a user's small test suite in this process.
pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def _no_retry_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "BASE_DELAY", 0.0)
