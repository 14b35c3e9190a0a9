"""Graph API error classification and usage headers."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tandem.connectors.meta.errors import (
    AuthError,
    GraphError,
    InvalidRequestError,
    PermissionError_,
    PolicyBlockedError,
    RecipientUnavailableError,
    ThrottledError,
    TransientError,
    WindowError,
    classify,
    parse_usage_headers,
    retry_after_hint,
)
from tandem.connectors.meta.tests.fixture_files import load_fixture


def body(code: int | None, subcode: int | None = None, **extra: Any) -> dict[str, Any]:
    error: dict[str, Any] = {"message": "(#x) something", "type": "OAuthException"}
    if code is not None:
        error["code"] = code
    if subcode is not None:
        error["error_subcode"] = subcode
    error.update(extra)
    return {"error": error}


@pytest.mark.parametrize(
    ("status", "code", "subcode", "expected"),
    [
        # Throttling: app, user, Pages-with-user-token, custom, BUC, WhatsApp throughput/pair.
        (400, 4, None, ThrottledError),
        (400, 17, None, ThrottledError),
        (400, 17, 2446079, ThrottledError),
        (400, 32, None, ThrottledError),
        (400, 613, None, ThrottledError),
        (400, 613, 1996, ThrottledError),
        (400, 80000, None, ThrottledError),
        (400, 80001, None, ThrottledError),
        (400, 80002, None, ThrottledError),
        (400, 80006, None, ThrottledError),
        (400, 80007, None, ThrottledError),
        (400, 80008, None, ThrottledError),
        (400, 80014, None, ThrottledError),
        (400, 130429, None, ThrottledError),
        (400, 131048, None, ThrottledError),
        (400, 131056, None, ThrottledError),
        (400, 131057, None, ThrottledError),
        (429, None, None, ThrottledError),
        (429, 100, None, ThrottledError),
        # Policy block.
        (400, 368, None, PolicyBlockedError),
        # Auth: token expired/revoked/invalid, session.
        (400, 190, None, AuthError),
        (400, 190, 458, AuthError),
        (400, 190, 460, AuthError),
        (400, 190, 463, AuthError),
        (400, 190, 467, AuthError),
        (400, 190, 492, AuthError),
        (401, 190, 463, AuthError),
        (400, 102, None, AuthError),
        (401, None, None, AuthError),
        (500, 190, None, AuthError),  # the code wins over the status
        # Window closed.
        (400, 10, 2018278, WindowError),
        (400, 10, 2534022, WindowError),
        (400, 100, 1545041, WindowError),
        (400, 131047, None, WindowError),
        # Recipient unavailable.
        (400, 551, None, RecipientUnavailableError),
        (400, 131026, None, RecipientUnavailableError),
        # Permissions.
        (400, 10, None, PermissionError_),
        (403, 10, None, PermissionError_),
        (400, 200, None, PermissionError_),
        (400, 230, None, PermissionError_),
        (400, 299, None, PermissionError_),
        (403, None, None, PermissionError_),
        # Transient.
        (500, 1, None, TransientError),
        (400, 1, None, TransientError),
        (503, 2, None, TransientError),
        (500, None, None, TransientError),
        (502, None, None, TransientError),
        # Final.
        (400, 12345, None, InvalidRequestError),
        (400, 100, None, InvalidRequestError),
        (400, 100, 2018001, InvalidRequestError),
        (400, 300, None, InvalidRequestError),
        (400, 506, None, InvalidRequestError),
        (404, None, None, InvalidRequestError),
        (400, None, None, InvalidRequestError),
    ],
)
def test_classify_code_families(
    status: int, code: int | None, subcode: int | None, expected: type[GraphError]
) -> None:
    error = classify(status, body(code, subcode), {})
    assert type(error) is expected
    assert error.http_status == status
    assert error.code == code
    assert error.subcode == subcode


def test_is_transient_flag_makes_an_unknown_code_retryable() -> None:
    error = classify(400, body(12345, is_transient=True), {})
    assert isinstance(error, TransientError)
    assert error.retryable
    assert error.is_transient


@pytest.mark.parametrize(
    ("cls", "retryable", "unhealthy"),
    [
        (ThrottledError, True, False),
        (TransientError, True, False),
        (AuthError, False, True),
        (PolicyBlockedError, False, True),
        (PermissionError_, False, False),
        (WindowError, False, False),
        (InvalidRequestError, False, False),
        (RecipientUnavailableError, False, False),
    ],
)
def test_retry_and_health_flags(cls: type[GraphError], retryable: bool, unhealthy: bool) -> None:
    assert cls.retryable is retryable
    assert cls.account_unhealthy is unhealthy
    assert issubclass(cls, GraphError)
    assert cls.default_reason.endswith(".")


def test_recipient_unavailable_is_an_invalid_request() -> None:
    assert issubclass(RecipientUnavailableError, InvalidRequestError)


def test_the_graph_error_fixture() -> None:
    fixture = load_fixture("error__graph.json")
    usage = {"123": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7}]}
    headers = {"X-Business-Use-Case-Usage": json.dumps(usage)}
    error = classify(400, fixture, headers)
    assert isinstance(error, ThrottledError)
    assert error.code == 80001
    assert error.subcode == 2446079
    assert error.error_type == "OAuthException"
    assert error.fbtrace_id == "AmFGcW_3hwDB7qFbl_QdebZ"
    assert error.is_transient is True
    assert error.user_title == "Too many calls"
    assert error.user_message == "Please try again later."
    assert error.message.startswith("(#80001)")
    assert error.retry_after == 7 * 60
    assert error.retryable


def test_whatsapp_details_and_specific_reason() -> None:
    error_data = {"messaging_product": "whatsapp", "details": "More than 24 hours have passed."}
    error = classify(400, body(131047, error_data=error_data), {})
    assert isinstance(error, WindowError)
    assert error.details == "More than 24 hours have passed."
    assert "modèle de message approuvé" in error.reason


@pytest.mark.parametrize(
    ("subcode", "fragment"),
    [(463, "expiré"), (460, "mot de passe"), (458, "retirée"), (467, "invalide"), (None, "")],
)
def test_auth_reasons_are_specific(subcode: int | None, fragment: str) -> None:
    error = classify(400, body(190, subcode), {})
    assert fragment in error.reason
    assert error.reason.endswith(".")


def test_messages_are_kept_out_of_str() -> None:
    error = classify(400, body(100, message="Invalid recipient +33612345678"), {})
    assert "+33612345678" not in str(error)
    assert "+33612345678" not in repr(error.args)
    assert error.message == "Invalid recipient +33612345678"
    assert "code=100" in str(error)


@pytest.mark.parametrize(
    "payload",
    [
        None,
        {},
        {"error": None},
        {"error": "boom"},
        {"error": []},
        {"error": {"code": "abc"}},
        {"error": {"code": True, "error_subcode": 1.5}},
        {"error": {"code": None, "message": 12, "type": [], "fbtrace_id": {}}},
        {"error": {"error_data": "not an object"}},
        {"something": "else"},
    ],
)
def test_unexpected_bodies_fall_back_on_status(payload: Any) -> None:
    assert isinstance(classify(400, payload, {}), InvalidRequestError)
    assert isinstance(classify(503, payload, None), TransientError)
    assert isinstance(classify(429, payload, object()), ThrottledError)


def test_numeric_strings_are_accepted_as_codes() -> None:
    error = classify(400, {"error": {"code": "190", "error_subcode": "463"}}, {})
    assert isinstance(error, AuthError)
    assert error.subcode == 463


def test_is_an_exception() -> None:
    with pytest.raises(GraphError):
        raise classify(500, None, {})


# -- usage headers --------------------------------------------------------------------------


def test_app_usage() -> None:
    headers = {"X-App-Usage": '{"call_count":28,"total_time":25,"total_cputime":25}'}
    assert parse_usage_headers(headers) == 28


def test_business_use_case_usage_takes_the_maximum_of_every_object() -> None:
    usage = {
        "111": [{"type": "pages", "call_count": 12, "total_cputime": 3, "total_time": 40}],
        "222": [
            {"type": "messenger", "call_count": 91.5, "total_cputime": 2, "total_time": 10},
            {"type": "instagram", "call_count": 5, "total_cputime": 1, "total_time": 1},
        ],
    }
    assert parse_usage_headers({"X-Business-Use-Case-Usage": json.dumps(usage)}) == 91.5


def test_all_headers_are_combined_case_insensitively() -> None:
    headers = {
        "x-app-usage": '{"call_count": 10}',
        "X-BUSINESS-USE-CASE-USAGE": '{"1": [{"total_time": 65}]}',
        "X-Ad-Account-Usage": '{"acc_id_util_pct": 70.5}',
    }
    assert parse_usage_headers(headers) == 70.5


def test_httpx_headers_are_supported() -> None:
    headers = httpx.Headers({"X-App-Usage": '{"call_count": 99}', "Retry-After": "30"})
    assert parse_usage_headers(headers) == 99
    assert retry_after_hint(headers) == 30


@pytest.mark.parametrize(
    "headers",
    [
        None,
        {},
        object(),
        {"X-App-Usage": ""},
        {"X-App-Usage": "not json"},
        {"X-App-Usage": "[1, 2]"},
        {"X-App-Usage": '{"call_count": "high"}'},
        {"X-App-Usage": '{"call_count": -5, "total_time": true}'},
        {"X-App-Usage": "[" * 100_000 + "]" * 100_000},
        {"X-App-Usage": '{"call_count": 1e999}'},
        {"X-Business-Use-Case-Usage": '{"1": "nope", "2": [1, "a", null]}'},
        {"X-App-Usage": '{"call_count": ' + "9" * 70_000 + "}"},
        {1: 2},
    ],
)
def test_malformed_usage_headers_are_ignored(headers: Any) -> None:
    assert parse_usage_headers(headers) is None
    assert retry_after_hint(headers) is None


def test_retry_after_hint_takes_the_longest_estimate() -> None:
    usage = {
        "1": [{"type": "pages", "estimated_time_to_regain_access": 0}],
        "2": [{"type": "messenger", "estimated_time_to_regain_access": 12}],
    }
    headers = {"X-Business-Use-Case-Usage": json.dumps(usage), "Retry-After": "60"}
    assert retry_after_hint(headers) == 12 * 60


def test_zero_estimate_means_no_hint() -> None:
    usage = {"1": [{"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 0}]}
    assert retry_after_hint({"X-Business-Use-Case-Usage": json.dumps(usage)}) is None


@pytest.mark.parametrize("value", ["soon", "-3", "Wed, 21 Oct 2015 07:28:00 GMT", ""])
def test_non_numeric_retry_after_is_ignored(value: str) -> None:
    assert retry_after_hint({"Retry-After": value}) is None


def test_retry_after_is_only_set_on_throttling() -> None:
    headers = {"Retry-After": "5"}
    assert classify(429, None, headers).retry_after == 5
    assert classify(503, None, headers).retry_after is None
    assert classify(400, body(4), {}).retry_after is None
