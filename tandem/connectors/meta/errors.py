"""Typed Graph API errors: what failed, whether to retry, and what to tell a person.

Meta's error body is ``{"error": {message, type, code, error_subcode, error_user_title,
error_user_msg, fbtrace_id, is_transient?, error_data?}}``; decisions are built on ``code``
(then ``error_subcode``), never on the message text.
https://developers.facebook.com/docs/graph-api/guides/error-handling

Classification (the first rule that matches wins):

1. Throttled (retry after a delay): codes 4, 17, 32, 613, 80000-80014, WhatsApp 130429
   (throughput), 131048 (spam rate limit), 131056 (pair rate limit), 131057 (number being
   upgraded), or HTTP 429. https://developers.facebook.com/docs/graph-api/overview/rate-limiting
2. Policy block, 368: stop this account and alert a human (Meta says wait; automatic retries
   only prolong the block).
3. Auth, 190 (any subcode) and 102, or an empty 401: the account needs re-authorisation.
   Only these mark an account unhealthy — a timeout or a 500 must never silence a working
   account (the Chatwoot lesson in the research notes). Inbound webhooks keep flowing.
4. Window: Messenger 10/2018278, Instagram 2534022, 1545041 "messaging window closed",
   WhatsApp 131047 (re-engagement: outside 24 h, template needed).
   https://developers.facebook.com/documentation/business-messaging/messenger-platform/send-messages
5. Recipient unavailable: 551 (blocked the Page…), WhatsApp 131026 (undeliverable).
6. Permission: 10 and 200-299, or an empty 403.
7. Transient (retry): codes 1 and 2, ``is_transient: true``, HTTP 5xx.
8. Anything else (100 invalid parameter, retired tags…): invalid request, final.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Final

__all__ = [
    "AuthError",
    "GraphError",
    "InvalidRequestError",
    "PermissionError_",
    "PolicyBlockedError",
    "RecipientUnavailableError",
    "ThrottledError",
    "TransientError",
    "WindowError",
    "classify",
    "parse_usage_headers",
    "retry_after_hint",
]

_THROTTLE_CODES: Final = frozenset({4, 17, 32, 613, 130429, 131048, 131056, 131057})
_BUC_CODES: Final = range(80000, 80015)  # business use case limits (Pages, IG, Messenger, WA…)
_AUTH_CODES: Final = frozenset({102, 190})
_POLICY_BLOCK_CODE: Final = 368
_WINDOW_SUBCODES: Final = frozenset({2018278, 2534022, 1545041})
_WINDOW_CODES: Final = frozenset({131047})
_UNAVAILABLE_CODES: Final = frozenset({551, 131026})
_PERMISSION_CODES: Final = frozenset({10, *range(200, 300)})
_TRANSIENT_CODES: Final = frozenset({1, 2})
_MAX_HEADER_LENGTH: Final = 65_536


class GraphError(Exception):
    """A failed Graph API call.

    Attributes mirror Meta's body (``error_type`` is Meta's ``type``, e.g. ``OAuthException``):
    ``http_status``, ``code``, ``subcode``, ``error_type``, ``message``, ``fbtrace_id``,
    ``is_transient``, ``user_title``, ``user_message``, ``details`` (WhatsApp
    ``error_data.details``). ``reason`` is a French sentence for people; ``retry_after`` a hint
    in seconds (throttling only). ``retryable`` says whether the same request may be sent
    again; ``account_unhealthy`` whether the account needs an administrator.

    ``str()`` never includes Meta's message (it may quote request parameters): log ``code``,
    ``subcode`` and ``fbtrace_id`` instead.
    """

    retryable: ClassVar[bool] = False
    account_unhealthy: ClassVar[bool] = False
    default_reason: ClassVar[str] = "Meta a refusé la requête."

    def __init__(
        self,
        *,
        http_status: int,
        code: int | None = None,
        subcode: int | None = None,
        error_type: str | None = None,
        message: str = "",
        fbtrace_id: str | None = None,
        is_transient: bool = False,
        user_title: str | None = None,
        user_message: str | None = None,
        details: str | None = None,
        retry_after: float | None = None,
        reason: str | None = None,
    ) -> None:
        self.http_status = http_status
        self.code = code
        self.subcode = subcode
        self.error_type = error_type
        self.message = message
        self.fbtrace_id = fbtrace_id
        self.is_transient = is_transient
        self.user_title = user_title
        self.user_message = user_message
        self.details = details
        self.retry_after = retry_after
        self.reason = reason or self.default_reason
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return (
            f"{type(self).__name__}(http_status={self.http_status}, code={self.code}, "
            f"subcode={self.subcode}, fbtrace_id={self.fbtrace_id})"
        )


class ThrottledError(GraphError):
    """A rate limit: wait ``retry_after`` seconds (or back off) and send again."""

    retryable = True
    default_reason = (
        "Meta limite temporairement le nombre d'envois : le message partira automatiquement "
        "un peu plus tard."
    )


class TransientError(GraphError):
    """A temporary failure on Meta's side: retry with back-off."""

    retryable = True
    default_reason = (
        "Meta rencontre une erreur temporaire : le message sera renvoyé automatiquement."
    )


class AuthError(GraphError):
    """The token is expired, revoked or invalid: re-connect the account."""

    account_unhealthy = True
    default_reason = (
        "L'accès de Tandem à ce compte n'est plus valide : un administrateur doit reconnecter "
        "le compte."
    )


class PolicyBlockedError(GraphError):
    """Code 368: Meta blocked the account for a while for policy reasons."""

    account_unhealthy = True
    default_reason = (
        "Meta a temporairement bloqué ce compte pour non-respect de ses règles : un "
        "administrateur doit intervenir avant tout nouvel envoi."
    )


class PermissionError_(GraphError):
    """A permission is missing or was removed for this action.

    Named with a trailing underscore so it does not shadow the builtin ``PermissionError``.
    """

    default_reason = "Tandem n'a pas l'autorisation nécessaire pour cette action sur ce compte."


class WindowError(GraphError):
    """Meta refused the message because the messaging window is closed."""

    default_reason = (
        "La fenêtre de réponse est fermée : Meta refuse ce message tant que le client ne vous "
        "a pas réécrit."
    )


class InvalidRequestError(GraphError):
    """Meta refused the request itself (invalid parameter, retired tag…): do not resend."""

    default_reason = "Meta a refusé la requête comme invalide ; elle ne sera pas renvoyée."


class RecipientUnavailableError(InvalidRequestError):
    """The person cannot receive messages from us right now."""

    default_reason = (
        "Ce destinataire ne peut pas recevoir de message pour le moment (il a peut-être bloqué "
        "le compte ou n'utilise plus l'application)."
    )


_AUTH_REASONS: Final[dict[int, str]] = {
    458: "L'application Tandem a été retirée de ce compte : un administrateur doit la réinstaller.",
    460: "Le mot de passe du compte Meta a changé : un administrateur doit reconnecter le compte.",
    463: "Le jeton d'accès a expiré : un administrateur doit reconnecter le compte.",
    467: "Le jeton d'accès est invalide : un administrateur doit reconnecter le compte.",
    492: (
        "La personne qui a connecté la Page n'y a plus de rôle : un administrateur doit "
        "reconnecter le compte."
    ),
}
_WINDOW_REASONS: Final[dict[int, str]] = {
    131047: (
        "Plus de 24 heures se sont écoulées depuis le dernier message du client sur WhatsApp : "
        "seul un modèle de message approuvé peut être envoyé."
    ),
}
_UNAVAILABLE_REASONS: Final[dict[int, str]] = {
    131026: (
        "WhatsApp n'a pas pu remettre le message : le numéro n'utilise peut-être pas WhatsApp "
        "ou son application est trop ancienne."
    ),
}


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value) < 20:
        return int(value)
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _error_class(
    status: int, code: int | None, subcode: int | None, is_transient: bool
) -> type[GraphError]:
    rules: tuple[tuple[bool, type[GraphError]], ...] = (
        (code in _THROTTLE_CODES or code in _BUC_CODES or status == 429, ThrottledError),
        (code == _POLICY_BLOCK_CODE, PolicyBlockedError),
        (code in _AUTH_CODES or (code is None and status == 401), AuthError),
        (subcode in _WINDOW_SUBCODES or code in _WINDOW_CODES, WindowError),
        (code in _UNAVAILABLE_CODES, RecipientUnavailableError),
        (code in _PERMISSION_CODES or (code is None and status == 403), PermissionError_),
        (code in _TRANSIENT_CODES or is_transient or status >= 500, TransientError),
    )
    return next((cls for matched, cls in rules if matched), InvalidRequestError)


def _reason(cls: type[GraphError], code: int | None, subcode: int | None) -> str | None:
    """A more precise French sentence than the class default, when one exists."""
    specific: dict[type[GraphError], tuple[Mapping[int, str], int | None]] = {
        AuthError: (_AUTH_REASONS, subcode),
        WindowError: (_WINDOW_REASONS, code),
        RecipientUnavailableError: (_UNAVAILABLE_REASONS, code),
    }
    reasons, number = specific.get(cls, ({}, None))
    return reasons.get(number) if number is not None else None


def classify(status: int, body: Mapping[str, Any] | None, headers: object = None) -> GraphError:
    """Turn a failed Graph API response into the matching ``GraphError`` subclass.

    ``status`` is the HTTP status, ``body`` the decoded JSON (None when the body was empty or
    not JSON), ``headers`` the response headers (any mapping, matched case-insensitively).
    Never raises: unexpected shapes fall back on the HTTP status.
    """
    error = body.get("error") if isinstance(body, Mapping) else None
    fields: Mapping[str, Any] = error if isinstance(error, Mapping) else {}
    code, subcode = _int(fields.get("code")), _int(fields.get("error_subcode"))
    is_transient = fields.get("is_transient") is True
    cls = _error_class(status, code, subcode, is_transient)
    error_data = fields.get("error_data")
    details = error_data.get("details") if isinstance(error_data, Mapping) else None
    return cls(
        http_status=status,
        code=code,
        subcode=subcode,
        error_type=_text(fields.get("type")),
        message=_text(fields.get("message")) or "",
        fbtrace_id=_text(fields.get("fbtrace_id")),
        is_transient=is_transient,
        user_title=_text(fields.get("error_user_title")),
        user_message=_text(fields.get("error_user_msg")),
        details=_text(details),
        retry_after=retry_after_hint(headers) if cls is ThrottledError else None,
        reason=_reason(cls, code, subcode),
    )


# ---------------------------------------------------------------------------------------------
# Usage headers: https://developers.facebook.com/docs/graph-api/overview/rate-limiting
#   X-App-Usage: {"call_count": 28, "total_time": 25, "total_cputime": 25}  (percentages)
#   X-Business-Use-Case-Usage: {"<object id>": [{"type": "pages", "call_count": 2, …,
#       "estimated_time_to_regain_access": 0}]}  (the last value in minutes)
#   X-Ad-Account-Usage: {"acc_id_util_pct": 9.67, …}

_PERCENT_KEYS: Final = ("call_count", "total_cputime", "total_time", "acc_id_util_pct")
_USAGE_HEADERS: Final = ("x-app-usage", "x-business-use-case-usage", "x-ad-account-usage")


def _header(headers: object, name: str) -> str | None:
    items = getattr(headers, "items", None)
    if not callable(items):
        return None
    try:
        for key, value in items():
            if isinstance(key, str) and key.lower() == name and isinstance(value, str):
                return value if len(value) <= _MAX_HEADER_LENGTH else None
    except (TypeError, ValueError):
        return None
    return None


def _usage_records(headers: object) -> Iterable[Mapping[str, Any]]:
    """Every ``{metric: value}`` record found in the usage headers."""
    for name in _USAGE_HEADERS:
        raw = _header(headers, name)
        if raw is None:
            continue
        try:
            decoded = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        if not isinstance(decoded, dict):
            continue
        if name != "x-business-use-case-usage":
            yield decoded
            continue
        for records in decoded.values():
            if isinstance(records, list):
                yield from (record for record in records if isinstance(record, dict))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number >= 0 else None


def parse_usage_headers(headers: object) -> float | None:
    """The highest usage percentage in ``X-App-Usage``, ``X-Business-Use-Case-Usage`` and
    ``X-Ad-Account-Usage`` (0-100, 100 meaning throttled), or None when none is readable.

    Meta advises slowing down before any of these reaches 100. Malformed headers are ignored.
    """
    values = [
        number
        for record in _usage_records(headers)
        for key in _PERCENT_KEYS
        if (number := _number(record.get(key))) is not None
    ]
    return max(values) if values else None


def retry_after_hint(headers: object) -> float | None:
    """Seconds to wait before calling again, or None when the headers do not say.

    Uses ``estimated_time_to_regain_access`` (minutes) from the usage headers and a numeric
    ``Retry-After`` (seconds); the longest wins. Zero means "no estimate", not "now".
    """
    minutes = [
        number * 60
        for record in _usage_records(headers)
        if (number := _number(record.get("estimated_time_to_regain_access"))) is not None
    ]
    retry_after = _header(headers, "retry-after")
    seconds = _number(_int(retry_after.strip()) if retry_after else None)
    candidates = [value for value in (*minutes, seconds) if value]
    return max(candidates) if candidates else None
