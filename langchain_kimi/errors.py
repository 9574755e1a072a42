"""The exceptions ChatKimi raises for service failures, shared by both transports.

Each carries the HTTP status, DashScope's ``code``, the service's own message
and the request id, so a user can quote them to support. The SDK exception that
caused it is chained as ``__cause__``. Which class a failure becomes depends
only on its status, code and message (``error_for``), never on the transport:
the classification is the data below, one table for both spellings of every
code (CamelCase on the native endpoint, snake_case on the compatible one).
"""

from __future__ import annotations

import contextlib
import re
import threading

#: Anything that looks like a Model Studio key (``sk-`` and a run of its characters).
_KEY_LIKE = re.compile(r"sk-[A-Za-z0-9][A-Za-z0-9_\-]{3,}")
#: The keys in use in this process (registered by each transport), so a key
#: that does not look like one is redacted too.
_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()
REDACTED = "***"


def register_secret(value: str) -> None:
    """Redact ``value`` from every error message from now on (keys of 8+ characters)."""
    if len(value) >= 8:
        with _SECRETS_LOCK:
            _SECRETS.add(value)


def redact(text: str) -> str:
    """``text`` without the keys in use or anything that looks like a key.

    Gateways echo the key in their error messages (``Incorrect API key
    provided: sk-...``); every message built from a service body passes here.
    """
    with _SECRETS_LOCK:
        secrets = tuple(_SECRETS)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return _KEY_LIKE.sub("sk-" + REDACTED, text)


def _redacted(value: object) -> object:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


def scrub(exc: BaseException) -> None:
    """Redact an SDK exception's text (and parsed ``body``) in place before it
    is chained as a cause: it may quote the service's body, and so the key.
    (The raw HTTP response it may hold is left as received.)"""
    exc.args = tuple(redact(a) if isinstance(a, str) else a for a in exc.args)
    for name in ("message", "body"):
        value = getattr(exc, name, None)
        if isinstance(value, (str, dict, list)):
            with contextlib.suppress(AttributeError):  # a read-only property
                setattr(exc, name, _redacted(value))


def key_advice(where: str | None = None) -> str:
    """What a rejected key means: keys belong to one region's endpoint
    (``where``: the region or URL the key was used against, if known)."""
    used = f"The key was used against {where}. " if where else ""
    return (
        f"{used}Model Studio API keys are per region: they work only in the "
        "region they were made in. Use a key from that region, or point "
        "region= (DASHSCOPE_REGION) or base_url at the key's region."
    )


class KimiError(Exception):
    """Base class of every service-side failure ChatKimi raises.

    ``message`` is the service's own; ``note`` is ChatKimi's advice (a retired
    model's successors, the region a refused key was used against).
    """

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        advice: str | None = None,
    ) -> None:
        self.message = redact(message)
        #: What to do about it, shown after the service's own words and the facts.
        self.advice = advice
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
        if self.retry_after is not None:
            facts.append(f"retry_after={self.retry_after:g}s")
        tail = f" ({', '.join(facts)})" if facts else ""
        advice = f" {self.advice}" if self.advice else ""
        return f"{head}{self.message}{tail}{advice}"


class BadRequestError(KimiError):
    """The service refused the request as invalid (HTTP 400); not retried."""


class ContentModerationError(BadRequestError):
    """Input or output was blocked by content moderation (``DataInspectionFailed``)."""


class AuthenticationError(KimiError):
    """Wrong or missing key, or a key from another region (HTTP 401/403)."""


class PermissionDeniedError(KimiError):
    """The key is valid but may not use this model or feature (HTTP 403)."""


class NotFoundError(KimiError):
    """Unknown model or endpoint (HTTP 404); check ``model`` and ``base_url``."""


class QuotaExceededError(KimiError):
    """A quota or billing refusal that waiting cannot clear; never retried."""


class RateLimitError(KimiError):
    """Rate limit (HTTP 429, ``Throttling*``); retried with backoff.

    ``retry_after`` holds the wait the service asked for, in seconds, when it
    said; a wait longer than ``max_retry_wait`` is raised at once.
    """

    retryable = True


class ServerError(KimiError):
    """Service fault (HTTP 5xx, ``InternalError*``); retried with backoff."""

    retryable = True


class InvalidResponseError(ServerError):
    """The reply could not be read: not JSON, not an object, not UTF-8, too long.

    A fault on the service's side (or a proxy's), not a connection failure;
    retried like a server error while nothing has reached the caller.
    """


class APIConnectionError(KimiError):
    """The connection failed or dropped before a complete answer; retried."""

    retryable = True


class APITimeoutError(APIConnectionError):
    """The request exceeded ``timeout``; retried like a dropped connection."""


class IncompleteReplyError(KimiError):
    """The reply ended before the model finished its answer: never passed off as
    complete. Retried only while nothing has reached the caller."""

    retryable = True


class IncompleteStreamError(IncompleteReplyError, APIConnectionError):
    """A stream ended before its finish reason: chunks may have reached you, and
    the answer is cut. Also an ``APIConnectionError``: the connection broke."""


#: The older name of ``IncompleteReplyError`` (a whole reply without choices or
#: a finish reason raises ``IncompleteReplyError`` itself).
IncompleteResponseError = IncompleteReplyError


class MissingAPIKeyError(AuthenticationError, ValueError):
    """No API key was configured; raised before any request is made."""


QUOTA_ADVICE = "Check the account's quota or billing in the Model Studio console."

#: Codes in both spellings (native CamelCase, compatible snake_case).
_BY_CODE: dict[str, type[KimiError]] = {
    "InvalidApiKey": AuthenticationError,
    "invalid_api_key": AuthenticationError,
    "DataInspectionFailed": ContentModerationError,
    "data_inspection_failed": ContentModerationError,
    "InternalError.Algo.DataInspectionFailed": ContentModerationError,
    "ModelNotFound": NotFoundError,
    "model_not_found": NotFoundError,
    "InvalidParameter": BadRequestError,
    "invalid_parameter_error": BadRequestError,
    "invalid_request_error": BadRequestError,
    "AccessDenied": PermissionDeniedError,
    "access_denied": PermissionDeniedError,
    "insufficient_quota": QuotaExceededError,
    "CommodityNotPurchased": QuotaExceededError,
    "PrepaidBillOverdue": QuotaExceededError,
    "PostpaidBillOverdue": QuotaExceededError,
    "Arrearage": QuotaExceededError,
    "arrearage": QuotaExceededError,
    "AccessDenied.Unpurchased": QuotaExceededError,
    "internal_error": ServerError,
    "ModelServingError": ServerError,
    "model_serving_error": ServerError,
    "ModelUnavailable": ServerError,
    "model_unavailable": ServerError,
    "ServiceUnavailable": ServerError,
    "service_unavailable": ServerError,
    "RequestTimeOut": ServerError,
    "request_timeout": ServerError,
    "SystemError": ServerError,
    "system_error": ServerError,
}

#: Code families, checked after the exact codes.
_BY_PREFIX: tuple[tuple[str, type[KimiError]], ...] = (
    ("AllocationQuota.", QuotaExceededError),
    ("Throttling", RateLimitError),
    ("limit_", RateLimitError),
    ("InternalError", ServerError),
)

#: The service's words that decide the class whatever the code says.
_BY_MESSAGE: tuple[tuple[str, type[KimiError]], ...] = (
    ("Model not exist.", NotFoundError),
    ("Free allocated quota exceeded", QuotaExceededError),
)

#: Classes by HTTP status, when neither message nor code decides.
_BY_STATUS: dict[int, type[KimiError]] = {
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitError,
}


def classify(
    status_code: int | None, code: str | None, message: str
) -> type[KimiError]:
    """The class of a failure: the message rules, the code, then the status.

    ``status_code`` is ``None`` for errors reported in-band (under HTTP 200, in
    a stream or a whole body), which are classified by their code alone.
    """
    for words, cls in _BY_MESSAGE:
        if words in message:
            return cls
    if code:
        if code in _BY_CODE:
            return _BY_CODE[code]
        for prefix, cls in _BY_PREFIX:
            if code.startswith(prefix):
                return cls
    if status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
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
    advice: str | None = None,
) -> KimiError:
    """Map a failure (status, DashScope code, message) to the project's class;
    a rejected key gets ``key_advice`` unless ``advice`` is given."""
    cls = classify(status_code, code, message)
    if cls is QuotaExceededError and QUOTA_ADVICE not in message:
        message = f"{message.rstrip()} {QUOTA_ADVICE}".lstrip()
    if cls is AuthenticationError and advice is None:
        advice = key_advice()
    return cls(
        message,
        status_code=status_code,
        code=code,
        request_id=request_id,
        retry_after=retry_after,
        advice=advice,
    )
