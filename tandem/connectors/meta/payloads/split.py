"""Loading and splitting: one webhook delivery into independent, keyed ``RawEvent`` objects.

Runs in the request, before the 200: total on hostile input, never loses anything.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, Final

from tandem.connectors.meta.payloads.common import (
    _FEED_ITEMS,
    _FEED_VERBS,
    _MAX_MID_LENGTH,
    _PLATFORMS,
    OBJECT_INSTAGRAM,
    OBJECT_PAGE,
    OBJECT_WHATSAPP,
    PayloadError,
    RawEvent,
    _dict,
    _digest,
    _get,
    _id,
    _jsonable,
    _key,
    _scalar,
    _sender,
    _text,
)
from tandem.connectors.meta.payloads.parse import parse_event
from tandem.connectors.meta.payloads.timestamps import _maybe_time

_COMMENT_VERBS: Final = {
    "add": "add",
    "edit": "edit",
    "edited": "edit",
    "remove": "remove",
    "delete": "remove",
    "hide": "hide",
    "unhide": "unhide",
}
# Fields a dashboard "Test" delivery wraps as ``changes[]{field, value}`` around a messaging item.
_MESSAGING_FIELDS: Final = frozenset(
    {"messages", "message_echoes", "message_deliveries", "message_reads", "messaging_seen"}
    | {"messaging_postbacks", "messaging_referrals", "message_edits", "message_reactions"}
)
# Instagram comment fields: https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/comment-moderation
_IG_COMMENT_FIELDS: Final = frozenset({"comments", "live_comments"})


def load_payload(raw: bytes) -> dict[str, Any]:
    """Decode a webhook body (after its signature was checked); ``PayloadError`` if not a JSON
    object. NaN/Infinity are refused, as is nesting deep enough to exhaust the parser."""

    def refuse_constant(name: str) -> None:
        raise ValueError(name)

    try:
        decoded = json.loads(raw, parse_constant=refuse_constant)
    except (ValueError, RecursionError):
        raise PayloadError("body is not valid JSON") from None
    if not isinstance(decoded, dict):
        raise PayloadError("body is not a JSON object")
    return decoded


def split_batch(payload: dict[str, Any]) -> list[RawEvent]:
    """Cut one webhook delivery into independent, deduplicated ``RawEvent``\\ s.

    Total on hostile input: wrong types, missing keys, deep nesting and huge strings produce
    ``unknown`` events (key: digest of the part) instead of exceptions, and every event of a
    modelled kind is guaranteed to parse with ``parse_event``. Only a non-dict payload raises
    ``PayloadError``. Redelivery gives identical keys; reordering gives the same set. Within one
    batch, the first event with a given key wins.
    """
    if not isinstance(payload, dict):
        raise PayloadError("webhook payload must be a JSON object")
    raw_object = payload.get("object")
    object_name = raw_object if isinstance(raw_object, str) and len(raw_object) <= 64 else ""
    entries = payload.get("entry")
    if object_name not in _PLATFORMS or not isinstance(entries, list):
        envelope = {"object": object_name, "entry_id": "", "entry_time": None, "field": None}
        return [_unknown(envelope, payload, "unrecognised_payload")]
    events: dict[str, RawEvent] = {}
    for entry in entries:
        for event in _split_entry_safely(object_name, entry):
            events.setdefault(event.idempotency_key, event)
    return list(events.values())


def _envelope(object_name: str, entry: object, field_name: object = None) -> dict[str, Any]:
    entry_time = _get(entry, "time")
    if not isinstance(entry_time, int | float | str) or isinstance(entry_time, bool):
        entry_time = None
    return {
        "object": object_name,
        "entry_id": _id(_get(entry, "id")) or "",
        "entry_time": _jsonable(entry_time) if _scalar(entry_time) else None,
        "field": field_name if isinstance(field_name, str) and len(field_name) <= 64 else None,
    }


def _unknown(envelope: dict[str, Any], raw: object, reason: str) -> RawEvent:
    """An unrecognised part. Its key digests the envelope and the part but not ``reason``, so
    that rewording a reason in a new release does not duplicate events Meta redelivers."""
    content = _jsonable({**envelope, "raw": raw})
    body = {**content, "reason": reason}
    return RawEvent(
        object=envelope["object"],
        account_external_id=envelope["entry_id"],
        kind="unknown",
        idempotency_key=f"unknown:sha256:{_digest(content)}",
        occurred_at=_maybe_time(envelope["entry_time"]),
        body=body,
    )


def _event(kind: str, body: dict[str, Any], parts: tuple[str, ...] | None) -> RawEvent:
    """A RawEvent of a recognised kind, downgraded to ``unknown`` when it does not parse."""
    clean = _jsonable(body)
    envelope = {name: clean.get(name) for name in ("object", "entry_id", "entry_time", "field")}
    try:
        parsed = parse_event(clean, kind)
    except PayloadError as error:
        return _unknown(envelope, body, f"unparseable {kind}: {error}")
    account = parsed.account_external_id
    return RawEvent(
        object=clean["object"],
        account_external_id=account,
        kind=kind,
        idempotency_key=_key(kind, *parts)
        if parts is not None
        else f"{kind}:sha256:{_digest(clean)}",
        occurred_at=parsed.occurred_at,
        body=clean,
    )


def _split_entry_safely(object_name: str, entry: object) -> list[RawEvent]:
    try:
        return _split_entry(object_name, entry)
    except Exception:  # a bug here must never cost Meta's 200 or a customer's message
        return [_unknown(_envelope(object_name, entry), entry, "internal_error")]


def _split_entry(object_name: str, entry: object) -> list[RawEvent]:
    if not isinstance(entry, dict):
        return [_unknown(_envelope(object_name, None), entry, "unrecognised_entry")]
    if object_name == OBJECT_WHATSAPP:
        return _split_whatsapp_entry(entry)
    sections = [name for name in ("messaging", "standby", "changes") if name in entry]
    events = [event for name in sections for event in _split_section(object_name, entry, name)]
    if "field" in entry and "value" in entry:
        # Business Login for Instagram puts field/value on the entry itself, without changes[].
        flat = {"field": entry["field"], "value": entry["value"]}
        events.append(_change_event(object_name, entry, flat))
    elif not sections:
        events.append(_unknown(_envelope(object_name, entry), entry, "unrecognised_entry"))
    return events


def _split_section(object_name: str, entry: dict[str, Any], name: str) -> list[RawEvent]:
    items = entry[name]
    if not isinstance(items, list):
        return [_unknown(_envelope(object_name, entry, name), items, "not_a_list")]
    if name == "changes":
        return [_change_event(object_name, entry, change) for change in items]
    envelope = _envelope(object_name, entry, name)
    return [_messaging_event(envelope, item) for item in items]


def _change_event(object_name: str, entry: dict[str, Any], change: object) -> RawEvent:
    envelope = _envelope(object_name, entry, _get(change, "field"))
    field_name = envelope["field"]  # a short string or None: safe for set membership
    value = _get(change, "value")
    if not isinstance(value, dict):
        return _unknown(envelope, change, "unrecognised_change")
    if field_name in _MESSAGING_FIELDS:
        return _messaging_event(envelope, value)
    if object_name == OBJECT_PAGE and field_name == "feed":
        return _feed_event(envelope, value)
    if object_name == OBJECT_INSTAGRAM and field_name in _IG_COMMENT_FIELDS:
        comment_id = _id(value.get("id")) or _id(value.get("comment_id"))
        parts = (comment_id,) if comment_id else None
        return _event("comments", {**envelope, "value": value}, parts)
    return _unknown(envelope, change, "unrecognised_change")


def _feed_event(envelope: dict[str, Any], value: dict[str, Any]) -> RawEvent:
    # _text() first: an unhashable value (a list) must not reach a set membership test.
    item, verb = _text(value.get("item")), _text(value.get("verb"))
    body = {**envelope, "value": value}
    comment_id = _id(value.get("comment_id"))
    action = _COMMENT_VERBS.get(verb) if verb else None
    if item == "comment" and action and comment_id:
        if action == "edit":
            when = _scalar(value.get("edited_time")) or _scalar(envelope["entry_time"])
            return _event("feed.comment.edit", body, (comment_id, when))
        if action in ("hide", "unhide"):
            return _event(
                f"feed.comment.{action}", body, (comment_id, _scalar(envelope["entry_time"]))
            )
        return _event(f"feed.comment.{action}", body, (comment_id,))
    if item in _FEED_ITEMS and item != "comment" and verb in _FEED_VERBS:
        return _event(f"feed.{item}.{verb}", body, None)
    return _unknown(envelope, value, "unrecognised_feed_change")


def _messaging_event(envelope: dict[str, Any], item: object) -> RawEvent:
    if not isinstance(item, dict):
        return _unknown(envelope, item, "unrecognised_messaging")
    account = envelope["entry_id"]
    sender = _sender(item) or ""
    timestamp = _scalar(item.get("timestamp"))
    for name, classify in _MESSAGING_CLASSIFIERS:
        sub = item.get(name)
        if isinstance(sub, dict):
            kind, parts = classify(sub, account, sender, timestamp)
            return _event(kind, {**envelope, "event": item}, parts)
    return _unknown(envelope, item, "unrecognised_messaging")


_Classified = tuple[str, tuple[str, ...] | None]


def _classify_message(sub: dict[str, Any], account: str, sender: str, ts: str) -> _Classified:
    mid = _id(sub.get("mid"), _MAX_MID_LENGTH)
    parts = (mid,) if mid else None
    if sub.get("is_echo") is True:
        return "echo", parts
    if sub.get("is_deleted") is True:
        return "message_deleted", parts
    return "message", parts


def _classify_delivery(sub: dict[str, Any], account: str, sender: str, ts: str) -> _Classified:
    mids = sub.get("mids")
    listed = sorted({m for m in mids if isinstance(m, str)}) if isinstance(mids, list) else []
    mids_part = hashlib.sha256("\n".join(listed).encode("utf-8", "replace")).hexdigest()[:32]
    return "delivery", (account, sender, _scalar(sub.get("watermark")), mids_part)


def _classify_read(sub: dict[str, Any], account: str, sender: str, ts: str) -> _Classified:
    watermark = _scalar(sub.get("watermark"))
    if watermark:
        return "read", (account, sender, watermark)
    return "read", (account, sender, "mid", _id(sub.get("mid"), _MAX_MID_LENGTH) or "")


def _classify_postback(sub: dict[str, Any], account: str, sender: str, ts: str) -> _Classified:
    mid = _id(sub.get("mid"), _MAX_MID_LENGTH)
    return "postback", (mid,) if mid else (account, sender, ts)


def _classify_referral(sub: dict[str, Any], account: str, sender: str, ts: str) -> _Classified:
    return "referral", (account, sender, ts, _text(sub.get("ref")) or "")


def _classify_edit(sub: dict[str, Any], account: str, sender: str, ts: str) -> _Classified:
    mid = _id(sub.get("mid"), _MAX_MID_LENGTH)
    return "message_edit", (mid, _scalar(sub.get("num_edit")) or ts) if mid else None


def _classify_reaction(sub: dict[str, Any], account: str, sender: str, ts: str) -> _Classified:
    mid = _id(sub.get("mid"), _MAX_MID_LENGTH) or ""
    return "reaction", (mid, _text(sub.get("action")) or "", ts)


# Order matters: a message wins over anything else in the same item.
_MESSAGING_CLASSIFIERS: Final[
    tuple[tuple[str, Callable[[dict[str, Any], str, str, str], _Classified]], ...]
] = (
    ("message", _classify_message),
    ("delivery", _classify_delivery),
    ("read", _classify_read),
    ("postback", _classify_postback),
    ("referral", _classify_referral),
    ("message_edit", _classify_edit),
    ("reaction", _classify_reaction),
)


def _split_whatsapp_entry(entry: dict[str, Any]) -> list[RawEvent]:
    changes = entry.get("changes")
    if not isinstance(changes, list):
        return [_unknown(_envelope(OBJECT_WHATSAPP, entry), entry, "unrecognised_entry")]
    events: list[RawEvent] = []
    for change in changes:
        envelope = _envelope(OBJECT_WHATSAPP, entry, _get(change, "field"))
        value = _get(change, "value")
        lists = [name for name in ("messages", "statuses", "errors") if name in _dict(value)]
        if envelope["field"] != "messages" or not isinstance(value, dict) or not lists:
            events.append(_unknown(envelope, change, "unrecognised_change"))
            continue
        base = {**envelope, "metadata": value.get("metadata")}
        for name in lists:
            items = value[name]
            if not isinstance(items, list):
                events.append(_unknown(envelope, items, "not_a_list"))
                continue
            events.extend(
                _whatsapp_event(base, name, item, value.get("contacts")) for item in items
            )
    return events


def _whatsapp_event(base: dict[str, Any], name: str, item: object, contacts: object) -> RawEvent:
    wamid = _id(_get(item, "id"), _MAX_MID_LENGTH)
    if name == "messages":
        sender = _get(item, "from")
        known = [c for c in contacts if isinstance(c, dict)] if isinstance(contacts, list) else []
        matching = [c for c in known if c.get("wa_id") == sender] or known[:1]
        body = {**base, "contacts": matching, "message": item}
        return _event("wa.message", body, (wamid,) if wamid else None)
    if name == "statuses":
        status = _text(_get(item, "status")) or ""
        return _event("wa.status", {**base, "status": item}, (wamid, status) if wamid else None)
    return _event("wa.error", {**base, "error": item}, None)
