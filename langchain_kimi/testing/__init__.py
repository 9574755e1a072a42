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

The simulator serves the Kimi page's lineup (kimi-k3, kimi-k2.7-code,
kimi-k2.6, kimi-k2.5, and the seed's retired two) on both endpoints, the
native one at multimodal-generation for the four, and enforces the published
rules (``tool_choice`` values, no forced choice on a thinking call, thinking
only where the model or ``enable_thinking`` says, the inputs each model
takes, one tool call per turn unless ``parallel_tool_calls`` is true).
Where the references disagree, ``Behaviour`` switches the rule:
``KimiSimulator(behaviour=Behaviour(...))``, or ``sim.behaviour = ...`` for
one test. ``KimiSimulator(profile=path_or_dict)``
takes them from a profile, e.g. one ``python -m langchain_kimi probe``
recorded from the real service (``pytest --kimi-profile PATH`` for the
fixture).
"""

from langchain_kimi.testing.behaviour import Behaviour
from langchain_kimi.testing.recording import RecordedRequest
from langchain_kimi.testing.replies import Fault, Reply, ToolCallSpec
from langchain_kimi.testing.server import ConnectionStats
from langchain_kimi.testing.simulator import DEFAULT_API_KEY, KimiSimulator

__all__ = [
    "DEFAULT_API_KEY",
    "Behaviour",
    "ConnectionStats",
    "Fault",
    "KimiSimulator",
    "RecordedRequest",
    "Reply",
    "ToolCallSpec",
]
