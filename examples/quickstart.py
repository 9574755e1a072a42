"""Invoke and stream kimi-k3: the answer, the reasoning, tokens and cost.

Uses DASHSCOPE_API_KEY and, when set, DASHSCOPE_BASE_URL (the tests point it at
the local simulator).
"""

from langchain_kimi import ChatKimi


def main() -> None:
    llm = ChatKimi(model="kimi-k3", max_tokens=4096)

    message = llm.invoke("Who are you?")
    print("reasoning:", message.additional_kwargs.get("reasoning_content"))
    print("answer:", message.content)
    print("usage:", message.usage_metadata)
    # cost_usd is there for models with a published price (kimi-k2.5)
    print("cost (USD):", message.response_metadata.get("cost_usd"))

    print("streaming:")
    for chunk in llm.stream("Is 1001 a prime number?"):
        thinking = chunk.additional_kwargs.get("reasoning_content")
        if thinking:
            print(f"[thinking] {thinking}", end="")
        print(chunk.content, end="", flush=True)
    print()


if __name__ == "__main__":
    main()
