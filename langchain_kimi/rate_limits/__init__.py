"""Rate limits for one Model Studio account, per process or shared through Redis."""

from langchain_kimi.rate_limits.limiter import KimiRateLimiter

__all__ = ["KimiRateLimiter"]
