"""Misuse mypy --strict must report. scripts/typecheck_user_code.sh expects
exit status 1 and an error on each marked line, and on no other line."""

from langchain_kimi import ChatKimi

ChatKimi(temperature="hot")  # error: str for a float
ChatKimi(max_tokens=1.5)  # error: float for an int
ChatKimi(api_key=123)  # error: int for a key
ChatKimi(transport="http")  # error: not a transport
ChatKimi(stop=[1, 2])  # error: stop sequences are strings
ChatKimi(temprature=0.5)  # error: a typo is no parameter
ChatKimi(dashscope_api_key="sk-...")  # error: older spellings are runtime-only
tokens: str = ChatKimi().max_tokens  # error: max_tokens is int | None
