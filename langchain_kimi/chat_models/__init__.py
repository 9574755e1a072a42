"""The LangChain face: ``ChatKimi`` and what only it needs (the lean stream,
structured output, the JSON-mode fallback)."""

from langchain_kimi.chat_models.base import ChatKimi

__all__ = ["ChatKimi"]
