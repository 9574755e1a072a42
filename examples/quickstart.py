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
    section = ""  # label each part once: the reasoning, then the answer
    for chunk in llm.stream("Is 1001 a prime number?"):
        thinking = chunk.additional_kwargs.get("reasoning_content")
        if thinking:
            if section != "thinking":
                print("[thinking] ", end="")
                section = "thinking"
            print(thinking, end="", flush=True)
        if chunk.content:
            if section != "answer":
                print("\n[answer] " if section else "[answer] ", end="")
                section = "answer"
            print(chunk.content, end="", flush=True)
    print()


if __name__ == "__main__":
    main()
