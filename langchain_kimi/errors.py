"""The exceptions ChatKimi raises for service failures, shared by both transports.

Each carries the HTTP status, DashScope's ``code``, the service's own message
and the request id, so a user can quote them to support. The SDK exception that
caused it is chained as ``__cause__``. Which class a failure becomes depends
only on its status and code (``error_for``), never on the transport.
"""

from __future__ import annotations


class KimiError(Exception):
    """Base class of every service-side failure ChatKimi raises."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = message
        self.retry_after = retry_after
        self.status_code = status_code
        self.code = code
        self.request_id = request_id
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"[{self.code}] " if self.code else ""
        facts = []
        if self.status_code is not None:
            facts.append(f"HTTP {self.status_code}")
        if self.request_id:
            facts.append(f"request_id={self.request_id}")
        tail = f" ({', '.join(facts)})" if facts else ""
        return f"{head}{self.message}{tail}"


class BadRequestError(KimiError):
    """The service refused the request as invalid (HTTP 400); not retried."""


class ContentModerationError(BadRequestError):
    """Input or output was blocked by content moderation (``DataInspectionFailed``)."""


class AuthenticationError(KimiError):
    """Wrong or missing key, or a key from outside China (Beijing) (HTTP 401/403)."""


class NotFoundError(KimiError):
    """Unknown model or endpoint (HTTP 404); check ``model`` and ``base_url``."""


class RateLimitError(KimiError):
    """Rate or quota limit (HTTP 429); retried with backoff."""

    retryable = True


class ServerError(KimiError):
    """Service fault (HTTP 5xx); retried with backoff."""

    retryable = True


class APIConnectionError(KimiError):
    """The connection failed or dropped before a complete answer; retried."""

    retryable = True


class APITimeoutError(APIConnectionError):
    """The request exceeded ``timeout``; retried like a dropped connection."""


class IncompleteStreamError(APIConnectionError):
    """A stream ended before its finish reason: the answer is cut, never complete.

    Retried only while nothing has reached the caller yet.
    """


_BY_CODE: dict[str, type[KimiError]] = {
    "DataInspectionFailed": ContentModerationError,
    "InvalidApiKey": AuthenticationError,
    "InvalidParameter": BadRequestError,
    "Arrearage": BadRequestError,
    "ModelNotFound": NotFoundError,
    "InternalError": ServerError,
}


def _class_for(status_code: int | None, code: str | None) -> type[KimiError]:
    if code in _BY_CODE:
        return _BY_CODE[code]
    if (code or "").startswith("Throttling") or status_code == 429:
        return RateLimitError
    if status_code in (401, 403):
        return AuthenticationError
    if status_code == 404:
        return NotFoundError
    if status_code is not None and status_code >= 500:
        return ServerError
    if status_code is not None and status_code >= 400:
        return BadRequestError
    return KimiError


def error_for(
    status_code: int | None,
    code: str | None,
    message: str,
    request_id: str | None = None,
    retry_after: float | None = None,
) -> KimiError:
    """Map a failed response (status and DashScope code) to the project's class."""
    cls = _class_for(status_code, code)
    return cls(
        message,
        status_code=status_code,
        code=code,
        request_id=request_id,
        retry_after=retry_after,
    )


class MissingAPIKeyError(AuthenticationError, ValueError):
    """No API key was configured; raised before any request is made."""
