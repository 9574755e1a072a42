"""How the service spells its error codes, as the simulator's own data.

The two endpoints spell one error two ways: CamelCase on the native endpoint
(``InvalidApiKey``), snake_case on the OpenAI-compatible one
(``invalid_api_key``), per Model Studio's published error-code page. Some
codes exist on one endpoint only. The simulator writes its own refusals in
the spelling of the endpoint asked, and a ``Fault`` with
``spelling="published"`` too. Nothing here comes from the client package:
this table is what the client is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_kimi.testing.behaviour import Spelling


@dataclass(frozen=True)
class PublishedError:
    """One error as published: its code on each endpoint (``None``: not sent
    there), its HTTP status and a typical message."""

    native: str | None
    compatible: str | None
    status: int
    message: str


PUBLISHED_ERRORS: tuple[PublishedError, ...] = (
    PublishedError(
        "InvalidApiKey", "invalid_api_key", 401, "Invalid API-key provided."
    ),
    PublishedError(
        "InvalidParameter",
        "invalid_parameter_error",
        400,
        "The parameter is invalid.",
    ),
    PublishedError(
        "DataInspectionFailed",
        "data_inspection_failed",
        400,
        "Input data may contain inappropriate content.",
    ),
    PublishedError(
        "InternalError.Algo.DataInspectionFailed",
        "data_inspection_failed",
        400,
        "Output data may contain inappropriate content.",
    ),
    PublishedError(
        "ModelNotFound", "model_not_found", 404, "The model does not exist."
    ),
    PublishedError(
        "Throttling.RateQuota",
        "limit_requests",
        429,
        "Requests rate limit exceeded, please try again later.",
    ),
    PublishedError(
        "Throttling", "limit_requests", 429, "Requests throttling triggered."
    ),
    PublishedError(
        "InternalError",
        "internal_error",
        500,
        "An internal error has occurred, please try again later.",
    ),
    PublishedError(
        "InternalError.Algo", "internal_error", 500, "An internal algorithm error."
    ),
    PublishedError(
        None,
        "insufficient_quota",
        429,
        "You exceeded your current quota, please check your plan and billing.",
    ),
    PublishedError(
        "Arrearage",
        None,
        400,
        "Access denied, please make sure your account is in good standing.",
    ),
    PublishedError(
        "CommodityNotPurchased", None, 429, "The commodity has not been purchased."
    ),
    PublishedError("PrepaidBillOverdue", None, 429, "The prepaid bill is overdue."),
    PublishedError(
        "AllocationQuota.FreeTierOnly",
        None,
        403,
        "The free tier of the model has been exhausted.",
    ),
    PublishedError(
        "ModelServingError", None, 503, "The model is overloaded, try again later."
    ),
    PublishedError("ModelUnavailable", None, 503, "The model is unavailable."),
    PublishedError("ServiceUnavailable", None, 503, "The service is unavailable."),
    PublishedError("RequestTimeOut", None, 500, "The request timed out."),
    PublishedError("SystemError", None, 500, "A system error occurred."),
)

_BY_NATIVE = {e.native: e for e in PUBLISHED_ERRORS if e.native}
_BY_COMPATIBLE: dict[str, PublishedError] = {}
for _entry in PUBLISHED_ERRORS:
    if _entry.compatible and _entry.native:
        _BY_COMPATIBLE.setdefault(_entry.compatible, _entry)


def in_spelling(code: str, spelling: Spelling) -> str:
    """``code`` written ``snake_case`` (the compatible endpoint's published
    spelling) or ``CamelCase`` (the native one's); a code with no other
    spelling is kept as it is."""
    if spelling == "snake_case":
        entry = _BY_NATIVE.get(code)
        return entry.compatible if entry is not None and entry.compatible else code
    entry = _BY_COMPATIBLE.get(code)
    return entry.native if entry is not None and entry.native else code


def spell(code: str, protocol: str) -> str:
    """``code`` (written the native way) as ``protocol`` publishes it.

    ``protocol`` is ``"openai"`` (the compatible endpoint: snake_case) or
    ``"dashscope"`` (CamelCase).
    """
    return in_spelling(code, "snake_case" if protocol == "openai" else "CamelCase")
