"""Service errors as the service reports them, the same class on both transports."""

import datetime
import logging
from collections.abc import Callable

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from langchain_kimi import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    ChatKimi,
    ContentModerationError,
    InvalidResponseError,
    KimiError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
)
from langchain_kimi.model_specs import INSTRUCT_MODEL
from langchain_kimi.testing import Fault, KimiSimulator, Reply
from langchain_kimi.testing.error_codes import PUBLISHED_ERRORS, spell
from tests.integration.calls import (
    MODES,
    STREAMS,
    WHOLE,
    call,
    stream_body,
    text_event,
)

#: The longest SSE line read, its LF included (README); longer ones are invalid.
MAX_LINE = 8 * 2**20
#: What each published error must raise (the specification, not errors.py).
EXPECTED: dict[str, type[KimiError]] = {
    "InvalidApiKey": AuthenticationError,
    "InvalidParameter": BadRequestError,
    "DataInspectionFailed": ContentModerationError,
    "InternalError.Algo.DataInspectionFailed": ContentModerationError,
    "ModelNotFound": NotFoundError,
    "Throttling.RateQuota": RateLimitError,
    "Throttling": RateLimitError,
    "InternalError": ServerError,
    "InternalError.Algo": ServerError,
    "insufficient_quota": QuotaExceededError,
    "Arrearage": QuotaExceededError,
    "CommodityNotPurchased": QuotaExceededError,
    "PrepaidBillOverdue": QuotaExceededError,
    "AllocationQuota.FreeTierOnly": QuotaExceededError,
    "ModelServingError": ServerError,
    "ModelUnavailable": ServerError,
    "ServiceUnavailable": ServerError,
    "RequestTimeOut": ServerError,
    "SystemError": ServerError,
}


@pytest.mark.parametrize(
    "published", PUBLISHED_ERRORS, ids=lambda e: e.native or e.compatible
)
def test_every_published_code_in_the_endpoints_spelling(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    transport: str,
    published: object,
) -> None:
    code = getattr(published, "native", None) or getattr(published, "compatible", "")
    status = getattr(published, "status", 500)
    kimi_simulator.queue(
        Fault(status=status, code=code, message="The words.", spelling="published")
    )
    with pytest.raises(KimiError) as info:
        make_llm().invoke("hi")
    error = info.value
    assert type(error) is EXPECTED[code]
    assert (error.status_code, error.code) == (status, spell(code, transport))
    assert error.request_id
    assert "The words." in str(error)
    assert len(kimi_simulator.requests) == 1


@pytest.mark.parametrize("mode", MODES)
def test_service_errors_carry_code_message_request_id_and_cause(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    mode: str,
) -> None:
    kimi_simulator.fail(400, "InvalidParameter", "The service's own words.")
    with pytest.raises(BadRequestError) as info:
        call(make_llm(), mode)
    error = info.value
    assert (error.status_code, error.code) == (400, "InvalidParameter")
    assert f"[{error.code}] The service's own words." in str(error)
    assert error.request_id == kimi_simulator.last_request.headers.get(
        "x-request-id", error.request_id
    )


def test_the_simulators_own_refusals_in_each_spelling(
    make_llm: Callable[..., ChatKimi], transport: str
) -> None:
    with pytest.raises(AuthenticationError) as key:
        make_llm(api_key="sk-wrong-secret-123").invoke("hi")
    assert "sk-wrong-secret-123" not in str(key.value)
    assert key.value.status_code == 401
    assert key.value.code == spell("InvalidApiKey", transport)
    with pytest.raises(NotFoundError) as model:
        make_llm(model="kimi-does-not-exist").invoke("hi")
    assert model.value.status_code == 404
    assert model.value.code == spell("ModelNotFound", transport)


def test_model_not_exist_is_not_found(
    llm: ChatKimi, kimi_simulator: KimiSimulator
) -> None:
    kimi_simulator.fail(400, "InvalidParameter", "Model not exist.")
    with pytest.raises(NotFoundError, match="Model not exist"):
        llm.invoke("hi")


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (403, "InvalidApiKey", AuthenticationError),
        (403, "AccessDenied", PermissionDeniedError),
        (403, "AllocationQuota.FreeTierOnly", QuotaExceededError),
    ],
)
def test_a_403_names_the_key_only_when_its_code_does(
    llm: ChatKimi, kimi_simulator: KimiSimulator, status: int, code: str, cls: type
) -> None:
    kimi_simulator.fail(status, code, "No.")
    with pytest.raises(cls):
        llm.invoke("hi")


@pytest.mark.parametrize("mode", MODES)
def test_sse_framed_error_bodies_show_the_services_facts(
    llm: ChatKimi, kimi_simulator: KimiSimulator, mode: str
) -> None:
    kimi_simulator.queue(
        Fault(status=401, code="invalid_api_key", message="Bad key.", framing="sse")
    )
    with pytest.raises(AuthenticationError) as info:
        call(llm, mode)
    assert str(info.value).startswith("[invalid_api_key] Bad key. (HTTP 401")
    assert info.value.request_id


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("data_inspection_failed", ContentModerationError),
        ("DataInspectionFailed", ContentModerationError),
        ("Throttling.RateQuota", RateLimitError),
        ("limit_requests", RateLimitError),
        ("internal_error", ServerError),
        ("ModelServingError", ServerError),
        ("insufficient_quota", QuotaExceededError),
    ],
)
def test_in_band_errors_under_http_200_are_classified_by_code(
    llm: ChatKimi, kimi_simulator: KimiSimulator, mode: str, code: str, cls: type
) -> None:
    kimi_simulator.queue(Fault(kind="in_band", code=code, message="In band."))
    with pytest.raises(cls) as info:
        call(llm, mode)
    assert info.value.code == code
    assert "In band." in str(info.value)
    assert [r.status for r in kimi_simulator.requests] == [200]


@pytest.mark.parametrize("mode", MODES)
def test_in_band_errors_are_retried_before_the_first_chunk(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    kimi_simulator.queue(
        Fault(kind="in_band", code="Throttling.RateQuota", after_events=0),
        Fault(kind="in_band", code="internal_error", after_events=0),
        Reply(content="Third time."),
    )
    assert call(make_llm(max_retries=2), mode).content == "Third time."
    assert len(kimi_simulator.requests) == 3


@pytest.mark.parametrize("mode", STREAMS)
def test_in_band_errors_after_a_chunk_are_raised_not_retried(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator, mode: str
) -> None:
    kimi_simulator.queue(
        Fault(
            kind="in_band",
            code="Throttling.RateQuota",
            after_events=3,
            reply=Reply(content="a b c d e f"),
        )
    )
    with pytest.raises(RateLimitError):
        call(make_llm(max_retries=2), mode)
    assert len(kimi_simulator.requests) == 1


UNREADABLE = {
    "html-200": (200, "text/html", b"<html>Welcome to the proxy</html>"),
    "truncated-200": (200, "application/json", b'{"choices": [{"message": {"con'),
    "list-200": (200, "application/json", b"[1, 2, 3]"),
    "invalid-utf8-200": (200, "application/json", b'{"a": "\xff\xfe"}'),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_a_200_that_cannot_be_read_is_invalid_not_a_connection_error(
    llm: ChatKimi, kimi_simulator: KimiSimulator, mode: str, case: str
) -> None:
    status, content_type, body = UNREADABLE[case]
    kimi_simulator.queue(
        Fault(kind="raw", status=status, content_type=content_type, body=body)
    )
    with pytest.raises(InvalidResponseError) as info:
        call(llm, mode)
    assert not isinstance(info.value, APIConnectionError)
    assert info.value.status_code == 200


BAD_STREAMS = {
    "invalid-utf8": b'data: {"choices": [{"delta": {"content": "\xff"}}]}\n\n',
    "json-not-object": b"data: [1, 2]\n\n",
    "not-json": b"data: {cut\n\n",
}


@pytest.mark.parametrize("mode", STREAMS)
@pytest.mark.parametrize("case", sorted(BAD_STREAMS))
def test_unreadable_stream_events_are_invalid_on_both_transports(
    llm: ChatKimi,
    kimi_simulator: KimiSimulator,
    transport: str,
    mode: str,
    case: str,
) -> None:
    body = BAD_STREAMS[case]
    if transport == "dashscope":
        body = b"id:1\nevent:result\n:HTTP_STATUS/200\n" + body.replace(
            b"data: ", b"data:"
        )
    kimi_simulator.queue(
        Fault(kind="raw", status=200, content_type="text/event-stream", body=body)
    )
    with pytest.raises(InvalidResponseError):
        call(llm, mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("status", "content_type", "body", "cls"),
    [
        (502, "text/html", b"<html>Bad gateway</html>", ServerError),
        (502, "application/json", b"<html>Bad gateway</html>", ServerError),
        (500, "text/plain", b"\xff\xfe broken", ServerError),
        (400, "application/json", b'"just a string"', BadRequestError),
        (400, "application/json", b"null", BadRequestError),
        (429, "text/event-stream", b": no data line\n\n", RateLimitError),
    ],
)
def test_odd_error_bodies_still_give_the_statuss_class(
    llm: ChatKimi,
    kimi_simulator: KimiSimulator,
    mode: str,
    status: int,
    content_type: str,
    body: bytes,
    cls: type,
) -> None:
    kimi_simulator.queue(
        Fault(kind="raw", status=status, content_type=content_type, body=body)
    )
    with pytest.raises(cls) as info:
        call(llm, mode)
    assert info.value.status_code == status


@pytest.mark.parametrize("mode", MODES)
def test_sse_lines_longer_than_aiohttps_default_limit_are_read(
    llm: ChatKimi, kimi_simulator: KimiSimulator, mode: str
) -> None:
    text = "x" * 700_000  # one event; aiohttp's default line limit is 512 KiB
    kimi_simulator.queue(Reply(content=[text]))
    assert call(llm, mode).content == text


def test_key_never_logged(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    kimi_simulator.fail(500, "InternalError", "oops", retry_after=0)
    make_llm(max_retries=1).invoke("hi")
    with pytest.raises(KimiError):
        make_llm(api_key="sk-never-log-me").invoke("hi")
    assert kimi_simulator.api_key not in caplog.text
    assert "sk-never-log-me" not in caplog.text


def test_capability_refusals_send_nothing(
    make_llm: Callable[..., ChatKimi], kimi_simulator: KimiSimulator
) -> None:
    thinking = make_llm()
    instruct = make_llm(model=INSTRUCT_MODEL)
    cases = [
        (lambda: thinking.invoke("hi", top_p=0.9), "top_p"),
        (lambda: thinking.invoke("hi", presence_penalty=0.5), "presence_penalty"),
        (lambda: thinking.invoke("hi", enable_search=True), "enable_search"),
        (lambda: instruct.invoke("hi", max_tokens=9000), "max_tokens"),
        (
            lambda: instruct.invoke(
                [
                    HumanMessage("go"),
                    AIMessage("Once", additional_kwargs={"partial": True}),
                ]
            ),
            "partial",
        ),
    ]
    for run, parameter in cases:
        with pytest.raises(ValueError, match=parameter):
            run()
    assert kimi_simulator.requests == []


@pytest.mark.parametrize("mode", WHOLE)
def test_async_and_sync_whole_replies_raise_alike(
    llm: ChatKimi, kimi_simulator: KimiSimulator, mode: str
) -> None:
    kimi_simulator.fail(429, "Throttling", "slow down")
    with pytest.raises(RateLimitError):
        call(llm, mode)


def _stream_with_a_line_of(transport: str, length: int) -> tuple[str, str]:
    """A whole stream whose one event has a ``data:`` line of ``length``
    bytes (without its LF), and the text that event carries."""

    def stream(text: str) -> str:
        return stream_body(transport, [text_event(transport, text, "stop")], done=True)

    bare = next(
        line
        for line in stream("").split("\n")
        if line.startswith("data:{") or line.startswith("data: {")
    )
    text = "x" * (length - len(bare))
    return stream(text), text


@pytest.mark.parametrize("mode", STREAMS)
def test_an_sse_line_of_8_mib_with_its_lf_is_read(
    llm: ChatKimi, kimi_simulator: KimiSimulator, transport: str, mode: str
) -> None:
    body, text = _stream_with_a_line_of(transport, MAX_LINE - 1)
    kimi_simulator.queue(
        Fault(kind="raw", status=200, content_type="text/event-stream", body=body)
    )
    assert call(llm, mode).content == text


@pytest.mark.parametrize("mode", STREAMS)
def test_an_sse_line_past_8_mib_is_invalid_on_every_path(
    llm: ChatKimi, kimi_simulator: KimiSimulator, transport: str, mode: str
) -> None:
    body, _ = _stream_with_a_line_of(transport, MAX_LINE)
    kimi_simulator.queue(
        Fault(kind="raw", status=200, content_type="text/event-stream", body=body)
    )
    with pytest.raises(InvalidResponseError):
        call(llm, mode)


@pytest.mark.parametrize("mode", MODES)
def test_a_parameter_json_cannot_encode_raises_alike_at_once_on_both_transports(
    make_llm: Callable[..., ChatKimi],
    kimi_simulator: KimiSimulator,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    """A mistake of the caller's, met before any request, is raised as it is
    (the JSON encoder's ``TypeError``), not as an unreadable reply, and is
    not retried."""
    caplog.set_level(logging.INFO, logger="langchain_kimi")
    llm = make_llm(max_retries=2, model_kwargs={"when": datetime.date(2025, 1, 1)})
    with pytest.raises(TypeError, match="not JSON serializable"):
        call(llm, mode)
    assert kimi_simulator.requests == []
    assert not [r for r in caplog.records if r.name == "langchain_kimi"]  # no retry


def test_a_base_url_no_client_can_use_is_refused_at_construction(
    make_llm: Callable[..., ChatKimi],
) -> None:
    with pytest.raises(ValueError, match="base_url must start with https://"):
        make_llm(base_url="127.0.0.1:1/v1")  # no scheme
