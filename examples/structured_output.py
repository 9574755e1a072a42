"""Structured output: JSON mode on kimi-k3, function calling on kimi-k2.6.

Uses DASHSCOPE_API_KEY and, when set, DASHSCOPE_BASE_URL.
"""

from pydantic import BaseModel, Field

from langchain_kimi import ChatKimi


class City(BaseModel):
    """A city and its country."""

    name: str = Field(description="The city's name")
    country: str = Field(description="The country it is in")


def main() -> None:
    for model in ("kimi-k3", "kimi-k2.6"):
        structured = ChatKimi(model=model).with_structured_output(City)
        city = structured.invoke("Tell me about Hangzhou in China.")
        print(f"{model}: {city!r}")


if __name__ == "__main__":
    main()
