"""Two small tools the tool-calling tests bind (a question names one or both)."""

from langchain_core.tools import tool


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"Sunny in {city}"


@tool
def get_population(city: str) -> int:
    """Get the population of a city."""
    return 21_000_000


#: ``get_weather`` as an OpenAI tool definition, for tests that bind the dict form.
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
