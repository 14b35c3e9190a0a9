"""Meta's answers: the error body, the throttling and outage errors, the usage headers.

Error body (https://developers.facebook.com/docs/graph-api/guides/error-handling):
``{"error": {message, type, code, error_subcode?, error_user_title?, error_user_msg?,
is_transient?, error_data?, fbtrace_id}}``. WhatsApp adds ``error_data{messaging_product,
details}`` and no longer sends ``error_subcode`` (Cloud API error codes page, research §4.1).

Throttling codes and headers: https://developers.facebook.com/docs/graph-api/overview/rate-limiting
and https://developers.facebook.com/docs/whatsapp/throughput (research §4.2-4.3).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import httpx

from tandem.connectors.meta.events import Platform

__all__ = [
    "GRAPH_THROTTLE_CODES",
    "WHATSAPP_THROTTLE_CODES",
    "GraphFailure",
    "invalid_parameter",
    "json_response",
    "nonexisting_field",
    "server_error",
    "throttled",
    "unsupported_request",
    "usage_headers",
]

#: Rotated through by injected throttling on Pages, Messenger and Instagram calls.
GRAPH_THROTTLE_CODES: Final = (4, 17, 32, 613, 80001, 80006)
#: WhatsApp Cloud API throughput (per phone number).
WHATSAPP_THROTTLE_CODES: Final = (130429,)

_RATE_DOC: Final = "https://developers.facebook.com/docs/graph-api/overview/rate-limiting"
# code -> (message, which usage header reports it: "app" or the BUC type, subcode)
_THROTTLES: Final[dict[int, tuple[str, str, int | None]]] = {
    4: ("(#4) Application request limit reached", "app", None),
    17: ("(#17) User request limit reached", "app", None),
    32: ("(#32) Page request limit reached", "pages", None),
    613: ("(#613) Calls to this api have exceeded the rate limit.", "messenger", None),
    80001: (
        (
            "(#80001) There have been too many calls to this Page account. Wait a bit and "
            f"try again. For more info, please refer to {_RATE_DOC}."
        ),
        "pages",
        2446079,
    ),
    80006: (
        (
            "(#80006) There have been too many messenger api calls to this Page account. Wait "
            f"a bit and try again. For more info, please refer to {_RATE_DOC}."
        ),
        "messenger",
        None,
    ),
}


class GraphFailure(Exception):
    """An error answer: raised by handlers, rendered by the emulator with a fresh fbtrace_id.

    ``error`` holds Meta's error fields except ``fbtrace_id``.
    """

    def __init__(
        self, status: int, error: dict[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(f"graph error {error.get('code')}")
        self.status = status
        self.error = error
        self.headers = dict(headers or {})

    @property
    def code(self) -> int | None:
        code = self.error.get("code")
        return code if isinstance(code, int) else None

    @property
    def subcode(self) -> int | None:
        subcode = self.error.get("error_subcode")
        return subcode if isinstance(subcode, int) else None

    def body(self, fbtrace_id: str) -> dict[str, Any]:
        return {"error": {**self.error, "fbtrace_id": fbtrace_id}}


def graph_error(
    code: int,
    message: str,
    *,
    status: int = 400,
    subcode: int | None = None,
    error_type: str = "OAuthException",
    transient: bool | None = None,
    user_title: str | None = None,
    user_message: str | None = None,
    details: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> GraphFailure:
    """Build a failure in Meta's shape; ``details`` makes it a WhatsApp-style error."""
    error: dict[str, Any] = {"message": message, "type": error_type, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient is not None:
        error["is_transient"] = transient
    if user_title is not None:
        error["error_user_title"] = user_title
    if user_message is not None:
        error["error_user_msg"] = user_message
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return GraphFailure(status, error, headers)


def invalid_parameter(message: str, *, subcode: int | None = None) -> GraphFailure:
    """Error 100, "Invalid parameter": Meta's answer to any malformed request."""
    return graph_error(100, f"(#100) {message}", subcode=subcode)


def unsupported_request(method: str, object_id: str) -> GraphFailure:
    """Error 100/33: the object does not exist, or the token cannot see it."""
    return graph_error(
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation. "
        "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
        subcode=33,
        error_type="GraphMethodException",
    )


def nonexisting_field(edge: str, node_type: str) -> GraphFailure:
    return invalid_parameter(
        f"Tried accessing nonexisting field ({edge}) on node type ({node_type})"
    )


def throttled(
    code: int, *, account_id: str, platform: Platform | None, regain_minutes: int
) -> GraphFailure:
    """An injected rate-limit error with the usage headers Meta sends alongside.

    Graph answers throttling with HTTP 400 (it is an ``OAuthException``); the WhatsApp Cloud
    API answers its throughput limit 130429 with HTTP 429.
    """
    if code == 130429:
        return graph_error(
            130429,
            "(#130429) Rate limit hit",
            status=429,
            transient=True,
            details="Cloud API message throughput has been reached.",
            headers=usage_headers(app_percent=100),
        )
    message, header, subcode = _THROTTLES[code]
    if header == "app":
        headers = usage_headers(app_percent=100)
    else:
        buc_type = "instagram" if platform is Platform.INSTAGRAM else header
        headers = usage_headers(
            app_percent=40,
            account_id=account_id,
            buc_type=buc_type,
            buc_percent=100,
            regain_minutes=regain_minutes,
        )
    return graph_error(
        code,
        message,
        subcode=subcode,
        transient=True,
        user_title="Too many calls",
        user_message="Please try again later.",
        headers=headers,
    )


def server_error(status: int) -> GraphFailure:
    """An injected outage: HTTP 500 or 503 with Meta's code 2."""
    return graph_error(2, "Service temporarily unavailable", status=status, transient=True)


def usage_headers(
    *,
    app_percent: int,
    account_id: str | None = None,
    buc_type: str | None = None,
    buc_percent: int = 0,
    regain_minutes: int = 0,
) -> dict[str, str]:
    """``X-App-Usage`` (percentages) and, for an account, ``X-Business-Use-Case-Usage`` keyed
    by the business object ID, ``estimated_time_to_regain_access`` in minutes."""
    headers = {
        "X-App-Usage": _compact(
            {"call_count": app_percent, "total_cputime": app_percent, "total_time": app_percent}
        )
    }
    if account_id and buc_type:
        record = {
            "type": buc_type,
            "call_count": buc_percent,
            "total_cputime": max(1, buc_percent // 3),
            "total_time": max(1, buc_percent // 2),
            "estimated_time_to_regain_access": regain_minutes,
        }
        headers["X-Business-Use-Case-Usage"] = _compact({account_id: [record]})
    return headers


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"))


def json_response(
    status: int, body: Mapping[str, Any], *, fbtrace_id: str, headers: Mapping[str, str]
) -> httpx.Response:
    """A Graph-like JSON answer (Meta sends ``x-fb-trace-id`` on every response)."""
    return httpx.Response(
        status,
        content=json.dumps(body, separators=(",", ":")).encode("utf-8"),
        headers={
            "Content-Type": "application/json; charset=UTF-8",
            "x-fb-trace-id": fbtrace_id,
            "x-fb-request-id": fbtrace_id[::-1],
            **headers,
        },
    )
