"""``create_agent(model, tools, response_format=Schema)`` runs offline: on the
thinking model (JSON mode) the simulator answers after the tool results with an
object that satisfies the schema; on the Instruct model (a structured-output
tool the agent asks for) it calls that tool once the other has answered. Either
way the agent's structured response validates."""

import json
from typing import Literal

import pytest
import requests
from langchain.agents import create_agent
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from langchain_kimi.chat_models.base import ChatKimi
from langchain_kimi.model_specs import INSTRUCT_MODEL, THINKING_MODEL
from langchain_kimi.testing import KimiSimulator

TRANSPORTS = ["openai", "dashscope"]
MODELS = [THINKING_MODEL, INSTRUCT_MODEL]


class Place(BaseModel):
    city: str
    country: str = Field(min_length=2)


class WeatherReport(BaseModel):
    """A weather report for one city."""

    place: Place
    temperature_c: float = Field(ge=-90, le=60)
    sky: Literal["sunny", "cloudy", "rain"]
    warnings: list[str] = Field(min_length=1)


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"Sunny, 24 C in {city}."


def _agent(sim: KimiSimulator, transport: str, model: str = THINKING_MODEL) -> object:
    llm = ChatKimi(
        model=model,
        api_key=sim.api_key,
        base_url=sim.base_url_for(transport),
        transport=transport,  # type: ignore[arg-type]
        max_retries=0,
    )
    return create_agent(llm, [get_weather], response_format=WeatherReport)


QUESTION = {"messages": [("user", "What is the weather in Paris?")]}


@pytest.mark.filterwarnings("ignore:.*cannot be forced:UserWarning")
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_invoke_returns_a_structured_response_after_the_tool_ran(
    kimi_simulator: KimiSimulator, transport: str, model: str
) -> None:
    agent = _agent(kimi_simulator, transport, model)
    result = agent.invoke(QUESTION)  # type: ignore[attr-defined]
    report = result["structured_response"]
    assert isinstance(report, WeatherReport)
    assert any(m.type == "tool" for m in result["messages"])  # the tool did run


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_ainvoke_returns_a_structured_response_after_the_tool_ran(
    kimi_simulator: KimiSimulator, transport: str
) -> None:
    agent = _agent(kimi_simulator, transport)
    result = await agent.ainvoke(QUESTION)  # type: ignore[attr-defined]
    assert isinstance(result["structured_response"], WeatherReport)
    assert any(m.type == "tool" for m in result["messages"])


def test_json_mode_after_tool_results_satisfies_a_schema_in_the_prompt(
    kimi_simulator: KimiSimulator,
) -> None:
    schema = json.dumps(WeatherReport.model_json_schema())
    body = {
        "model": THINKING_MODEL,
        "messages": [
            {"role": "system", "content": f"Answer as JSON matching {schema}"},
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": "",
                "reasoning_content": "Call the tool.",
                "tool_calls": [
                    {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "Sunny, 24 C."},
        ],
        "response_format": {"type": "json_object"},
    }
    answer = requests.post(
        kimi_simulator.openai_base_url + "/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {kimi_simulator.api_key}"},
        timeout=10,
    )
    content = answer.json()["choices"][0]["message"]["content"]
    WeatherReport.model_validate_json(content)
