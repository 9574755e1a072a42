"""A user's script: mypy --strict (no pydantic plugin) must accept it as is.

Type-checked by scripts/test.sh, not run.
"""

import copy
import pickle

from langchain_core.messages import AIMessage
from pydantic import BaseModel, SecretStr

from langchain_kimi import ChatKimi, KimiModelSpec


class Person(BaseModel):
    name: str
    age: int


def build() -> ChatKimi:
    return ChatKimi(
        model="kimi-k3",
        api_key="sk-...",
        base_url="https://dashscope.aliyuncs.com/compatible-mode/v1",
        max_tokens=4096,
        timeout=60.0,
        max_retries=3,
        stop=["\n\nUser:"],
        temperature=0.6,
        enable_search=False,
    )


def other_forms() -> list[ChatKimi]:
    return [
        ChatKimi(),
        ChatKimi(api_key=SecretStr("sk-..."), transport="dashscope"),
        ChatKimi(model="Moonshot-Kimi-K2-Instruct", top_p=0.9, presence_penalty=0.5),
        ChatKimi(stop="END", seed=7, keep_reasoning="all", model_kwargs={"top_k": 5}),
        ChatKimi(extra_body={"enable_thinking": True}, default_headers={"X-A": "b"}),
        ChatKimi(model="kimi-k2.6", enable_thinking=True, preserve_thinking=True),
        ChatKimi(model="kimi-k2.5", thinking_budget=2048, keep_reasoning=None),
        ChatKimi(region="eu-central-1", workspace_id="ws-1"),
        ChatKimi(streaming=True, stream_usage=False, search_options={"a": 1}),
        ChatKimi(tags=["docs"], metadata={"team": "a"}, output_version="v1"),
    ]


def use(llm: ChatKimi) -> None:
    reply: AIMessage = llm.invoke("Who are you?")
    reasoning = reply.additional_kwargs.get("reasoning_content", "")
    print(reasoning, reply.content, reply.usage_metadata)
    for chunk in llm.stream("Is 1001 prime?"):
        print(chunk.content, end="")
    spec: KimiModelSpec = llm.kimi_spec
    print(spec.max_output_tokens, llm.model_name, llm.profile)
    faster: ChatKimi = llm.model_copy(update={"timeout": 5.0})
    shipped: ChatKimi = pickle.loads(pickle.dumps(faster))
    twin: ChatKimi = copy.deepcopy(shipped)
    print(twin.get_num_tokens("你好"))
    person = llm.with_structured_output(Person).invoke("Alice is 30.")
    print(person)


if __name__ == "__main__":
    use(build())
