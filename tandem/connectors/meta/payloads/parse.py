"""Parsing one stored body: ``parse_event`` dispatches on the kind ``split_batch`` gave it.

Runs in the worker. The per-kind parsers live in ``messaging``, ``comments`` and ``whatsapp``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from tandem.connectors.meta.events import Event, Unknown
from tandem.connectors.meta.payloads.comments import (
    _parse_comment_add,
    _parse_comment_edit,
    _parse_comment_hide,
    _parse_comment_remove,
    _parse_instagram_comment,
)
from tandem.connectors.meta.payloads.common import (
    _FEED_ITEMS,
    _FEED_VERBS,
    _UNMODELLED_KINDS,
    PayloadError,
    _get,
    _id,
)
from tandem.connectors.meta.payloads.messaging import (
    _parse_delivery,
    _parse_message,
    _parse_postback,
    _parse_read,
    _parse_referral,
)
from tandem.connectors.meta.payloads.timestamps import _maybe_time
from tandem.connectors.meta.payloads.whatsapp import _parse_whatsapp_message, _parse_whatsapp_status


def parse_event(raw_body: dict[str, Any], kind: str) -> Event:
    """Turn one stored ``RawEvent.body`` of ``kind`` into an event from ``events.py``.

    Raises ``PayloadError`` (and nothing else) when a required field is missing or has the
    wrong type, or when ``kind`` is not one this module produces. Optional fields of the wrong
    type are treated as absent: a message must not be lost over a malformed caption.
    """
    if not isinstance(raw_body, dict) or not isinstance(kind, str):
        raise PayloadError("event body must be an object and kind a string")
    parser = _PARSERS.get(kind)
    if parser is not None:
        return parser(raw_body)
    if kind in _UNMODELLED_KINDS or kind == "unknown" or _is_feed_kind(kind):
        return _parse_unknown(raw_body, kind)
    raise PayloadError("unsupported event kind")


def _is_feed_kind(kind: str) -> bool:
    parts = kind.split(".")
    return (
        len(parts) == 3
        and parts[0] == "feed"
        and parts[1] in _FEED_ITEMS
        and parts[2] in _FEED_VERBS
    )


def _parse_unknown(body: dict[str, Any], kind: str) -> Unknown:
    object_name = body.get("object")
    account = _id(_get(body, "metadata", "phone_number_id")) or _id(body.get("entry_id")) or ""
    return Unknown(
        raw_kind=kind,
        object=object_name if isinstance(object_name, str) else "",
        account_external_id=account,
        occurred_at=_maybe_time(_get(body, "event", "timestamp"), body.get("entry_time")),
        body=body,
    )


_PARSERS: Final[dict[str, Callable[[dict[str, Any]], Event]]] = {
    "message": lambda body: _parse_message(body, echo=False),
    "echo": lambda body: _parse_message(body, echo=True),
    "delivery": _parse_delivery,
    "read": _parse_read,
    "postback": _parse_postback,
    "referral": _parse_referral,
    "feed.comment.add": _parse_comment_add,
    "feed.comment.edit": _parse_comment_edit,
    "feed.comment.remove": _parse_comment_remove,
    "feed.comment.hide": lambda body: _parse_comment_hide(body, unhidden=False),
    "feed.comment.unhide": lambda body: _parse_comment_hide(body, unhidden=True),
    "comments": _parse_instagram_comment,
    "wa.message": _parse_whatsapp_message,
    "wa.status": _parse_whatsapp_status,
}

#: Every kind ``split_batch`` can produce, besides ``feed.<item>.<verb>`` for other feed items.
KINDS: Final = frozenset(_PARSERS) | _UNMODELLED_KINDS | {"unknown"}
