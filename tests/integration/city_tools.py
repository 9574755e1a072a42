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
