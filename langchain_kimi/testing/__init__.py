"""Offline testing for Kimi chains and agents: a loopback Model Studio simulator.

.. code-block:: python

    from langchain_kimi import ChatKimi
    from langchain_kimi.testing import KimiSimulator, Reply, ToolCallSpec

    with KimiSimulator() as sim:
        sim.queue(Reply(content="4", reasoning="2 + 2 = 4"))
        llm = ChatKimi(api_key=sim.api_key, base_url=sim.openai_base_url)
        assert llm.invoke("2 + 2?").content == "4"
        assert sim.last_request.messages[-1]["content"] == "2 + 2?"

With pytest, the ``kimi_simulator`` fixture (registered by this package's
pytest plugin) gives a running simulator, reset for each test, and
``kimi_llm`` a ``ChatKimi`` pointed at it.
"""

from langchain_kimi.testing.recording import RecordedRequest
from langchain_kimi.testing.replies import Fault, Reply, ToolCallSpec
from langchain_kimi.testing.server import ConnectionStats
from langchain_kimi.testing.simulator import DEFAULT_API_KEY, KimiSimulator

__all__ = [
    "DEFAULT_API_KEY",
    "ConnectionStats",
    "Fault",
    "KimiSimulator",
    "RecordedRequest",
    "Reply",
    "ToolCallSpec",
]
