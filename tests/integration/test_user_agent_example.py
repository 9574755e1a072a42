"""How a user tests their own agent offline: the example from README.

The ``kimi_simulator`` fixture is provided by langchain-kimi's pytest plugin;
nothing here needs a key or a network.
"""

from langchain.agents import create_agent
from langchain_core.tools import tool

from langchain_kimi import ChatKimi
from langchain_kimi.testing import KimiSimulator, Reply, ToolCallSpec


@tool
def lookup_order(order_id: str) -> str:
    """Look up the status of an order by its id."""
    return f"Order {order_id} shipped on Monday."


def test_my_support_agent_answers_from_the_tool(kimi_simulator: KimiSimulator) -> None:
    kimi_simulator.queue(
        Reply(
            reasoning="I should look the order up.",
            tool_calls=[ToolCallSpec("lookup_order", {"order_id": "A-17"})],
        ),
        Reply(content="Your order A-17 shipped on Monday.", reasoning="Answer."),
    )
    llm = ChatKimi(
        api_key=kimi_simulator.api_key, base_url=kimi_simulator.openai_base_url
    )
    agent = create_agent(llm, [lookup_order])

    state = agent.invoke({"messages": [("user", "Where is order A-17?")]})

    assert state["messages"][-1].content == "Your order A-17 shipped on Monday."
    tool_turn = kimi_simulator.last_request.messages[1]
    assert tool_turn["tool_calls"][0]["function"]["name"] == "lookup_order"
    assert tool_turn["reasoning_content"] == "I should look the order up."
