"""What a Graph handler receives (the call, the runtime) and returns (the outcome).

Handlers run with the emulator's lock held: they read and change ``Runtime.state`` freely, raise
``GraphFailure`` *before* changing anything, and queue webhooks with ``Runtime.emit``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tandem.connectors.meta.emulator.config import EmulatorConfig
from tandem.connectors.meta.emulator.responses import GraphFailure, graph_error, invalid_parameter
from tandem.connectors.meta.emulator.state import Account, EmulatorState
from tandem.connectors.meta.events import Platform

__all__ = [
    "GraphCall",
    "Outcome",
    "Runtime",
    "flag",
    "mapping_param",
    "permission_denied",
    "text_param",
    "window_closed",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphCall:
    """One Graph request, decoded.

    ``segments`` are the path parts after the version (``("1234", "messages")``); ``params``
    merges the query string, a form body and a JSON body (JSON wins), as Graph accepts
    parameters in any of them; ``query`` and ``body`` keep what came where, without the token.
    """

    method: str
    path: str
    segments: tuple[str, ...]
    version: str | None
    token: str | None
    params: dict[str, Any] = field(hash=False)
    query: dict[str, str] = field(hash=False)
    body: dict[str, Any] = field(hash=False)


@dataclass(slots=True, kw_only=True)
class Outcome:
    """A successful answer: its JSON, and what the call record should say about it."""

    body: dict[str, Any]
    account_id: str | None = None
    platform: Platform | None = None
    created_ids: tuple[str, ...] = ()


@dataclass(slots=True, kw_only=True)
class Runtime:
    """The emulator as a handler sees it: state, settings, the time, and the webhook queue.

    ``emit(kind, payload, delay)`` queues a webhook ``delay`` seconds from now; ``now`` is the
    emulator clock's time for this call (aware, UTC).
    """

    state: EmulatorState
    config: EmulatorConfig
    now: datetime
    emit: Callable[[str, dict[str, Any], float], None]


def window_closed(platform: Platform) -> GraphFailure:
    """The error Meta returns for a message outside the allowed window.

    Widely observed as code 10 / subcode 2018278 on Messenger and subcode 2534022 with type
    ``IGApiException`` on Instagram (research §3.2, botpress/botpress#4890,
    ComposioHQ/composio#3604); Meta's send page also lists 1545041, which the emulator never
    uses. https://developers.facebook.com/documentation/business-messaging/messenger-platform/send-messages
    """
    if platform is Platform.INSTAGRAM:
        return graph_error(
            10,
            "(#10) This message is sent outside of allowed window.",
            subcode=2534022,
            error_type="IGApiException",
            transient=False,
        )
    return graph_error(
        10,
        "(#10) This message is sent outside of allowed window. Learn more about the new policy "
        "here: https://developers.facebook.com/docs/messenger-platform/policy-overview",
        subcode=2018278,
        transient=False,
    )


def permission_denied(message: str) -> GraphFailure:
    """Error 200 (permissions): the token cannot act on this object."""
    return graph_error(200, f"(#200) {message}", status=403)


def decode_param(value: Any) -> Any:
    """Form-encoded Graph parameters carry objects as JSON strings (``recipient={"id":…}``)."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def mapping_param(call: GraphCall, name: str, *, required: bool = True) -> dict[str, Any] | None:
    value = decode_param(call.params.get(name))
    if isinstance(value, dict):
        return value
    if value is None and not required:
        return None
    raise invalid_parameter(f"The parameter {name} is required and must be an object")


def text_param(call: GraphCall, name: str, *, required: bool = True) -> str | None:
    value = call.params.get(name)
    if isinstance(value, str) and value:
        return value
    if value is None and not required:
        return None
    raise invalid_parameter(f"The parameter {name} is required")


def flag(value: Any, name: str) -> bool:
    """A Graph boolean: JSON true/false or the strings ``true``/``false`` (query, form)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise invalid_parameter(f"Param {name} must be a boolean")


def account_label(account: Account) -> str:
    return account.name or account.external_id
