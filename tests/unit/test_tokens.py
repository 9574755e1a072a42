"""Offline token estimates: CJK characters count about a token each."""

from langchain_core.messages import AIMessage, HumanMessage

from langchain_kimi import ChatKimi

#: 180 Chinese characters: about 180 tokens, not the 45 of "4 characters a token".
CHINESE_180 = "今天北京天气晴朗适合出门散步吧" * 12


def test_chinese_is_counted_about_a_token_a_character() -> None:
    assert len(CHINESE_180) == 180
    llm = ChatKimi(api_key="k")
    assert llm.get_num_tokens(CHINESE_180) == 180
    count = llm.get_num_tokens_from_messages([HumanMessage(CHINESE_180)])
    assert 180 <= count <= 190


def test_mixed_text_and_conversations() -> None:
    llm = ChatKimi(api_key="k")
    assert llm.get_num_tokens("Kimi 说你好") == 2 + 3  # 5 other chars, 3 CJK
    one = llm.get_num_tokens_from_messages([HumanMessage(CHINESE_180)])
    two = llm.get_num_tokens_from_messages(
        [HumanMessage(CHINESE_180), AIMessage(CHINESE_180)]
    )
    assert two == 2 * one
