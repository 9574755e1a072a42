"""LangChain integration for Moonshot AI's Kimi models on Alibaba Cloud Model Studio.

The exceptions live in ``langchain_kimi.errors``; their older root names
(``from langchain_kimi import RateLimitError``) keep working.
"""

from langchain_kimi._version import __version__
from langchain_kimi.chat_models.base import ChatKimi
from langchain_kimi.errors import APIConnectionError as APIConnectionError
from langchain_kimi.errors import APITimeoutError as APITimeoutError
from langchain_kimi.errors import AuthenticationError as AuthenticationError
from langchain_kimi.errors import BadRequestError as BadRequestError
from langchain_kimi.errors import ContentModerationError as ContentModerationError
from langchain_kimi.errors import IncompleteReplyError as IncompleteReplyError
from langchain_kimi.errors import IncompleteResponseError as IncompleteResponseError
from langchain_kimi.errors import IncompleteStreamError as IncompleteStreamError
from langchain_kimi.errors import InvalidResponseError as InvalidResponseError
from langchain_kimi.errors import KimiError
from langchain_kimi.errors import MissingAPIKeyError as MissingAPIKeyError
from langchain_kimi.errors import NotFoundError as NotFoundError
from langchain_kimi.errors import PermissionDeniedError as PermissionDeniedError
from langchain_kimi.errors import QuotaExceededError as QuotaExceededError
from langchain_kimi.errors import RateLimitError as RateLimitError
from langchain_kimi.errors import ServerError as ServerError
from langchain_kimi.model_specs import MODELS, KimiModelSpec, get_model_spec
from langchain_kimi.rate_limits import KimiRateLimiter
from langchain_kimi.request.tools import tools_message

__all__ = [
    "MODELS",
    "ChatKimi",
    "KimiError",
    "KimiModelSpec",
    "KimiRateLimiter",
    "__version__",
    "get_model_spec",
    "tools_message",
]
