"""LangChain integration for Moonshot AI's Kimi models on Alibaba Cloud Model Studio."""

from langchain_kimi._version import __version__
from langchain_kimi.chat_models import ChatKimi
from langchain_kimi.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ContentModerationError,
    IncompleteReplyError,
    IncompleteResponseError,
    IncompleteStreamError,
    InvalidResponseError,
    KimiError,
    MissingAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
)
from langchain_kimi.models import MODELS, KimiModelSpec, get_model_spec
from langchain_kimi.rate_limits import KimiRateLimiter

__all__ = [
    "MODELS",
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChatKimi",
    "ContentModerationError",
    "IncompleteReplyError",
    "IncompleteResponseError",
    "IncompleteStreamError",
    "InvalidResponseError",
    "KimiError",
    "KimiModelSpec",
    "KimiRateLimiter",
    "MissingAPIKeyError",
    "NotFoundError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitError",
    "ServerError",
    "__version__",
    "get_model_spec",
]
