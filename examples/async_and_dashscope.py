"""Native async calls, on the openai transport and on the dashscope transport.

Uses DASHSCOPE_API_KEY and, when set, DASHSCOPE_BASE_URL (a compatible-mode URL
is switched to the native /api/v1 path for the dashscope transport).
"""

import asyncio

from langchain_kimi import ChatKimi


async def main() -> None:
    for transport in ("openai", "dashscope"):
        llm = ChatKimi(model="kimi-k2.6", transport=transport)
        answers = await llm.abatch(["Say hello.", "Say goodbye."])
        print(transport, [answer.content for answer in answers])
        async for chunk in llm.astream("Count to three."):
            print(chunk.content, end="", flush=True)
        print()


if __name__ == "__main__":
    asyncio.run(main())
