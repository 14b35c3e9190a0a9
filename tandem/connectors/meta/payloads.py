"""Meta webhook payloads: split a delivery into single events, then parse one event.

Two steps, because the webhook view must store events durably *before* answering 200 and do
nothing slow: ``split_batch`` runs in the request (cheap, total, never loses anything) and
``parse_event`` runs in the worker on each stored ``RawEvent.body``.

Batches must be walked completely: Meta aggregates up to 1000 updates per POST and may batch
``entry[]``, ``messaging[]``, ``standby[]``, ``changes[]`` and WhatsApp ``messages[]`` /
``statuses[]``; reading index 0 silently loses messages.
https://developers.facebook.com/docs/graph-api/webhooks/getting-started/
https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/create-webhook-endpoint

Delivery is at-least-once (Graph retries for 36 h, WhatsApp for 7 days to every subscribed app)
and unordered, so every event gets a deterministic natural key that the database makes unique;
keys never depend on an event's position in a batch.
https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks

Idempotency keys, always ``<kind>:…`` (hashed as ``<kind>:sha256:<hex>`` past 255 characters
or when a part holds unusual characters):

==================  ==========================================================================
kind                natural key parts
==================  ==========================================================================
message / echo      ``mid``
message_deleted     ``mid`` (Instagram unsend)
message_edit        ``mid``, ``num_edit``
reaction            ``mid``, action, timestamp
delivery            account, sender, watermark, digest of the sorted ``mids``
read                account, sender, watermark (or ``mid`` for Instagram ``messaging_seen``)
postback            ``mid``; without one: account, sender, timestamp
referral            account, sender, timestamp, ``ref``
feed.comment.add    ``comment_id`` (also ``remove``)
feed.comment.edit   ``comment_id``, edited time (else entry time): a comment can be edited twice
feed.comment.hide   ``comment_id``, entry time (also ``unhide``): hide/unhide can repeat
feed.<item>.<verb>  digest of the body (posts, reactions…: stored, not modelled)
comments            Instagram comment ``id`` (or ``comment_id``)
wa.message          ``wamid``
wa.status           ``wamid``, status
wa.error            digest of the body
unknown             digest of the body (canonical JSON, envelope included)
==================  ==========================================================================
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from tandem.connectors.meta.events import (
    Attachment,
    Channel,
    CommentAdded,
    CommentEdited,
    CommentHidden,
    CommentRemoved,
    Delivery,
    Event,
    MessageEcho,
    MessageReceived,
    Platform,
    Postback,
    Read,
    Referral,
    Unknown,
    WhatsAppStatus,
    WhatsAppStatusValue,
)

__all__ = [
    "KINDS",
    "MAX_KEY_LENGTH",
    "OBJECT_INSTAGRAM",
    "OBJECT_PAGE",
    "OBJECT_WHATSAPP",
    "PayloadError",
    "RawEvent",
    "extract_prefilled_ref",
    "format_prefilled_ref",
    "load_payload",
    "normalise_timestamp",
    "parse_event",
    "split_batch",
]

OBJECT_PAGE: Final = "page"
OBJECT_INSTAGRAM: Final = "instagram"
OBJECT_WHATSAPP: Final = "whatsapp_business_account"
_PLATFORMS: Final = {
    OBJECT_PAGE: Platform.FACEBOOK,
    OBJECT_INSTAGRAM: Platform.INSTAGRAM,
    OBJECT_WHATSAPP: Platform.WHATSAPP,
}
_DIRECT: Final = {OBJECT_PAGE: Channel.MESSENGER, OBJECT_INSTAGRAM: Channel.INSTAGRAM_DM}
_COMMENTS: Final = {
    OBJECT_PAGE: Channel.FACEBOOK_COMMENT,
    OBJECT_INSTAGRAM: Channel.INSTAGRAM_COMMENT,
}

MAX_KEY_LENGTH: Final = 255
_MAX_ID_LENGTH: Final = 255
_MAX_MID_LENGTH: Final = 1024
_MAX_DEPTH: Final = 64  # Meta's payloads nest < 10 levels; deeper is hostile and truncated
_MAX_INT: Final = 10**4000  # Python refuses int→str past 4300 digits
_KEY_PART: Final = re.compile(r"[A-Za-z0-9._=+/-]*")

# Recognised-but-unmodelled kinds: stored with natural keys, parsed to ``Unknown``.
_UNMODELLED_KINDS: Final = frozenset({"message_deleted", "message_edit", "reaction", "wa.error"})
# Page feed vocabulary: https://developers.facebook.com/docs/graph-api/webhooks/reference/page/
_FEED_ITEMS: Final = frozenset(
    {"album", "comment", "event", "photo", "post", "reaction", "share", "status", "video"}
)
_FEED_VERBS: Final = frozenset(
    {"add", "block", "edit", "edited", "delete", "follow", "hide", "mute", "remove", "unblock"}
    | {"unhide", "update"}
)
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


class PayloadError(ValueError):
    """The payload (or one stored event body) cannot be understood; the view answers 400."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RawEvent:
    """One event cut out of a webhook delivery, ready to be stored before answering 200.

    ``body`` is JSON-serialisable (strict JSON: no NaN, no NUL, no lone surrogates, nesting
    capped) and self-contained: ``object``, ``entry_id``, ``entry_time`` and ``field`` from the
    envelope plus the event itself, so ``parse_event(body, kind)`` needs nothing else.
    ``occurred_at`` is None only for unrecognised parts without a usable time.
    """

    object: str
    account_external_id: str
    kind: str
    idempotency_key: str
    occurred_at: datetime | None
    body: dict[str, Any] = field(hash=False)


# ---------------------------------------------------------------------------------------------
# Small total helpers: they never raise on hostile values.


def _get(value: object, *path: str) -> object:
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def _id(value: object, max_length: int = _MAX_ID_LENGTH) -> str | None:
    """An ID as a string: Meta IDs are strings or (in some samples) integers."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if 0 <= value < 10**30 else None
    if isinstance(value, str) and 0 < len(value) <= max_length:
        return value
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _clean_str(value: str) -> str:
    # PostgreSQL's jsonb refuses NUL and lone surrogates; strip them before storage.
    if value.isascii() and "\x00" not in value:
        return value
    return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


def _jsonable(value: object, depth: int = 0) -> Any:
    """A strict-JSON copy of ``value``: bounded depth, string keys, finite numbers."""
    if isinstance(value, str):
        return _clean_str(value)
    if value is None or isinstance(value, bool | int | float):
        return _json_scalar(value)
    if depth >= _MAX_DEPTH:
        return "<truncated>"
    if isinstance(value, Mapping):
        return {_json_key(key): _jsonable(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item, depth + 1) for item in value]
    return f"<{type(value).__name__}>"


def _json_scalar(value: bool | float | None) -> bool | float | str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and not -_MAX_INT < value < _MAX_INT:
        return "<int>"
    return value


def _json_key(key: object) -> str:
    if isinstance(key, str):
        return _clean_str(key)
    if key is None or isinstance(key, bool | int | float):
        return str(_json_scalar(key))
    return f"<{type(key).__name__}>"


def _digest(value: object) -> str:
    canonical = json.dumps(_jsonable(value), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _key(kind: str, *parts: str) -> str:
    natural = ":".join((kind, *parts))
    if len(natural) <= MAX_KEY_LENGTH and all(_KEY_PART.fullmatch(part) for part in parts):
        return natural
    return f"{kind}:sha256:{_digest([kind, *parts])}"


def _scalar(value: object) -> str:
    """A timestamp or watermark as a key part ('' when absent or unusable)."""
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return _id(value, 64) or ""


# ---------------------------------------------------------------------------------------------
# Timestamps

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# 1e11 seconds is the year 5138 and 1e11 milliseconds is March 1973: below 1e11 a value can
# only be seconds, above it milliseconds (then microseconds past 1e14).
_SECONDS_BELOW: Final = 10**11
_MILLISECONDS_BELOW: Final = 10**14
_MICROSECONDS_BELOW: Final = 10**17
_NUMBER: Final = re.compile(r"\d{1,17}(\.\d{1,9})?")


def normalise_timestamp(value: object) -> datetime:
    """Aware UTC datetime from any timestamp Meta sends; ``PayloadError`` otherwise.

    Messenger/Instagram ``timestamp`` and watermarks are milliseconds (int), WhatsApp
    ``timestamp`` is seconds as a string, Page feed ``created_time`` and Instagram comment
    ``entry.time`` are seconds; ISO 8601 strings also appear (``2026-01-01T00:06:40+0000``).
    Numbers are told apart by magnitude; naive datetimes and ISO strings without an offset are
    taken as UTC. Negative, non-finite and out-of-range values are refused.
    """
    if isinstance(value, datetime):
        aware = value if value.utcoffset() is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC)
    if isinstance(value, str):
        return _timestamp_from_string(value.strip())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _timestamp_from_number(value)
    raise PayloadError("timestamp has an unsupported type")


def _timestamp_from_string(value: str) -> datetime:
    if _NUMBER.fullmatch(value):
        return _timestamp_from_number(float(value) if "." in value else int(value))
    if not 0 < len(value) <= 64:
        raise PayloadError("timestamp string has an unsupported length")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise PayloadError("timestamp string is not ISO 8601") from None
    return normalise_timestamp(parsed)


def _timestamp_from_number(value: float) -> datetime:
    # Compare before any float conversion: a huge int would overflow math.isfinite().
    if not 0 <= value < _MICROSECONDS_BELOW:  # NaN fails every comparison, infinity this one
        raise PayloadError("timestamp is out of range")
    if value < _SECONDS_BELOW:
        per_unit = 1_000_000
    elif value < _MILLISECONDS_BELOW:
        per_unit = 1_000
    else:
        per_unit = 1
    micro = value * per_unit if isinstance(value, int) else round(value * per_unit)
    return _EPOCH + timedelta(microseconds=micro)


def _maybe_time(*values: object) -> datetime | None:
    for value in values:
        if value is not None:
            try:
                return normalise_timestamp(value)
            except PayloadError:
                continue
    return None


def _require_time(*values: object) -> datetime:
    found = _maybe_time(*values)
    if found is None:
        raise PayloadError("event has no usable timestamp")
    return found


# ---------------------------------------------------------------------------------------------
# WhatsApp click-to-chat: the one-time linking code travels in the prefilled text.

_PREFILLED_REF: Final = re.compile(
    r"(?<![A-Za-z0-9])ref:([A-Za-z0-9_-]{4,64})(?![A-Za-z0-9_-])", re.IGNORECASE
)


def format_prefilled_ref(code: str) -> str:
    """The token to put in a ``wa.me/<number>?text=…`` link so ``extract_prefilled_ref`` finds it.

    A click-to-chat link has no ``ref`` parameter (unlike ``m.me/…?ref=``): the customer sends
    the prefilled text themselves, so the code is written into it as ``ref:<code>``.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]{4,64}", code):
        raise ValueError("a linking code is 4-64 characters from [A-Za-z0-9_-]")
    return f"ref:{code}"


def extract_prefilled_ref(text: str | None) -> str | None:
    """The linking code in a WhatsApp prefilled text (first ``ref:<code>`` token), or None."""
    if not text:
        return None
    match = _PREFILLED_REF.search(text)
    return match.group(1) if match else None


# ---------------------------------------------------------------------------------------------
# Loading and splitting


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


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


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


# ---------------------------------------------------------------------------------------------
# Parsing one stored body


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


def _require_id(value: object, what: str, max_length: int = _MAX_ID_LENGTH) -> str:
    found = _id(value, max_length)
    if found is None:
        raise PayloadError(f"{what} is missing or invalid")
    return found


def _require_dict(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PayloadError(f"{what} is missing or not an object")
    return value


def _object(body: dict[str, Any], allowed: Mapping[str, object]) -> str:
    name = body.get("object")
    if not isinstance(name, str) or name not in allowed:
        raise PayloadError("event body has an unsupported object")
    return name


def _sender(event: dict[str, Any]) -> str | None:
    # Checkbox-plugin senders are identified by ``user_ref`` instead of ``id``.
    return _id(_get(event, "sender", "id")) or _id(_get(event, "sender", "user_ref"))


@dataclass(frozen=True, slots=True)
class _Direct:
    """Common parts of a Messenger/Instagram messaging event."""

    platform: Platform
    channel: Channel
    account: str
    event: dict[str, Any]
    sender: str
    recipient: str
    occurred_at: datetime
    standby: bool

    def fields(self) -> dict[str, Any]:
        """Constructor arguments shared by every direct-message event."""
        return {
            "platform": self.platform,
            "channel": self.channel,
            "account_external_id": self.account,
            "occurred_at": self.occurred_at,
            "sender_id": self.sender,
            "recipient_id": self.recipient,
        }


def _direct(body: dict[str, Any], *, fallback_time: object = None) -> _Direct:
    object_name = _object(body, _DIRECT)
    event = _require_dict(body.get("event"), "event")
    sender = _sender(event)
    recipient = _id(_get(event, "recipient", "id"))
    if sender is None or recipient is None:
        raise PayloadError("messaging event needs a sender and a recipient")
    return _Direct(
        platform=_PLATFORMS[object_name],
        channel=_DIRECT[object_name],
        account=_id(body.get("entry_id")) or recipient,
        event=event,
        sender=sender,
        recipient=recipient,
        occurred_at=_require_time(event.get("timestamp"), fallback_time, body.get("entry_time")),
        standby=body.get("field") == "standby",
    )


def _attachments(value: object) -> tuple[Attachment, ...]:
    """Messenger/Instagram ``attachments[]``; items without a ``type`` are skipped."""
    if not isinstance(value, list):
        return ()
    found: list[Attachment] = []
    for item in value:
        kind = _text(_get(item, "type"))
        if kind is None:
            continue
        url = _text(_get(item, "payload", "url")) or _text(_get(item, "url"))
        coordinates = _get(item, "payload", "coordinates")
        if url is None and isinstance(coordinates, dict):
            url = _geo_uri(coordinates.get("lat"), coordinates.get("long"))
        found.append(Attachment(type=kind, url=url))
    return tuple(found)


def _geo_uri(latitude: object, longitude: object) -> str | None:
    numbers = [
        v for v in (latitude, longitude) if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    if len(numbers) != 2 or not all(math.isfinite(v) for v in numbers):
        return None
    return f"geo:{numbers[0]},{numbers[1]}"


def _build_referral(value: dict[str, Any], common: _Direct) -> Referral:
    fields = common.fields()
    del fields["recipient_id"]
    return Referral(
        **fields,
        ref=_text(value.get("ref")),
        source=_text(value.get("source")) or "UNKNOWN",
        type=_text(value.get("type")) or "OPEN_THREAD",
        ad_id=_id(value.get("ad_id")),
    )


def _referral(value: object, common: _Direct) -> Referral | None:
    return _build_referral(value, common) if isinstance(value, dict) else None


def _parse_message(body: dict[str, Any], *, echo: bool) -> MessageReceived | MessageEcho:
    common = _direct(body)
    message = _require_dict(common.event.get("message"), "message")
    if (message.get("is_echo") is True) is not echo:
        raise PayloadError("echo flag does not match the kind")
    mid = _require_id(message.get("mid"), "message.mid", _MAX_MID_LENGTH)
    text = _text(message.get("text"))
    attachments = _attachments(message.get("attachments"))
    shared = {
        **common.fields(),
        "message_id": mid,
        "text": text,
        "attachments": attachments,
    }
    if message.get("is_echo") is True:
        metadata = _text(message.get("metadata"))
        return MessageEcho(**shared, app_id=_id(message.get("app_id")), metadata=metadata)
    return MessageReceived(
        **shared,
        message_type="text" if text is not None or not attachments else attachments[0].type,
        reply_to=_id(_get(message, "reply_to", "mid"), _MAX_MID_LENGTH),
        quick_reply_payload=_text(_get(message, "quick_reply", "payload")),
        referral=_referral(message.get("referral"), common),
        standby=common.standby,
    )


def _parse_delivery(body: dict[str, Any]) -> Delivery:
    delivery = _require_dict(_get(body, "event", "delivery"), "delivery")
    watermark = _require_time(delivery.get("watermark"))
    common = _direct(body, fallback_time=delivery.get("watermark"))
    mids = delivery.get("mids")
    listed = (
        [m for m in (_id(v, _MAX_MID_LENGTH) for v in mids) if m] if isinstance(mids, list) else []
    )
    return Delivery(
        **common.fields(),
        watermark=watermark,
        mids=tuple(listed),
    )


def _parse_read(body: dict[str, Any]) -> Read:
    read = _require_dict(_get(body, "event", "read"), "read")
    watermark = _maybe_time(read.get("watermark"))
    mid = _id(read.get("mid"), _MAX_MID_LENGTH)
    if watermark is None and mid is None:
        raise PayloadError("read needs a watermark or a mid")
    common = _direct(body, fallback_time=read.get("watermark"))
    return Read(
        **common.fields(),
        watermark=watermark,
        mid=mid,
    )


def _parse_postback(body: dict[str, Any]) -> Postback:
    common = _direct(body)
    postback = _require_dict(common.event.get("postback"), "postback")
    return Postback(
        **common.fields(),
        payload=_text(postback.get("payload")),
        title=_text(postback.get("title")),
        mid=_id(postback.get("mid"), _MAX_MID_LENGTH),
        referral=_referral(postback.get("referral"), common),
        standby=common.standby,
    )


def _parse_referral(body: dict[str, Any]) -> Referral:
    common = _direct(body)
    return _build_referral(_require_dict(common.event.get("referral"), "referral"), common)


def _comment_common(body: dict[str, Any], time_order: tuple[str, ...]) -> dict[str, Any]:
    """Fields shared by feed and Instagram comment events; ``time_order`` lists where to look
    for ``occurred_at`` (value keys, or ``entry_time``)."""
    object_name = _object(body, _COMMENTS)
    value = _require_dict(body.get("value"), "value")
    account = _require_id(body.get("entry_id"), "entry id")
    author = _get(value, "from")
    # Older feed payloads use sender_id/sender_name instead of from{id,name}.
    author_id = _id(_get(author, "id")) or _id(value.get("sender_id"))
    author_name = _text(_get(author, "name")) or _text(_get(author, "username"))
    times = [
        body.get("entry_time") if name == "entry_time" else value.get(name) for name in time_order
    ]
    return {
        "platform": _PLATFORMS[object_name],
        "channel": _COMMENTS[object_name],
        "account_external_id": account,
        "occurred_at": _require_time(*times),
        "parent_id": _id(value.get("parent_id")),
        "author_id": author_id,
        "author_name": author_name or _text(value.get("sender_name")),
        "from_account": author_id is not None and author_id == account,
    }


def _feed_value(body: dict[str, Any]) -> tuple[dict[str, Any], str, str | None]:
    value = _require_dict(body.get("value"), "value")
    if body.get("object") != OBJECT_PAGE or value.get("item") != "comment":
        raise PayloadError("feed comment event expected")
    return value, _require_id(value.get("comment_id"), "comment_id"), _id(value.get("post_id"))


def _feed_attachments(value: dict[str, Any]) -> tuple[Attachment, ...]:
    media = (("photo", value.get("photo")), ("video", value.get("video")))
    return tuple(Attachment(type=kind, url=url) for kind, url in media if isinstance(url, str))


def _parse_comment_add(body: dict[str, Any]) -> CommentAdded:
    value, comment_id, post_id = _feed_value(body)
    common = _comment_common(body, ("created_time", "entry_time"))
    return CommentAdded(
        **common,
        post_id=post_id,
        comment_id=comment_id,
        text=_text(value.get("message")),
        attachments=_feed_attachments(value),
    )


def _parse_comment_edit(body: dict[str, Any]) -> CommentEdited:
    value, comment_id, post_id = _feed_value(body)
    common = _comment_common(body, ("edited_time", "entry_time", "created_time"))
    return CommentEdited(
        **common, post_id=post_id, comment_id=comment_id, text=_text(value.get("message"))
    )


def _parse_comment_remove(body: dict[str, Any]) -> CommentRemoved:
    _, comment_id, post_id = _feed_value(body)
    common = _comment_common(body, ("entry_time", "created_time"))
    return CommentRemoved(**common, post_id=post_id, comment_id=comment_id)


def _parse_comment_hide(body: dict[str, Any], *, unhidden: bool) -> CommentHidden:
    _, comment_id, post_id = _feed_value(body)
    common = _comment_common(body, ("entry_time", "created_time"))
    return CommentHidden(**common, post_id=post_id, comment_id=comment_id, unhidden=unhidden)


def _parse_instagram_comment(body: dict[str, Any]) -> CommentAdded:
    if body.get("object") != OBJECT_INSTAGRAM:
        raise PayloadError("Instagram comment event expected")
    value = _require_dict(body.get("value"), "value")
    comment_id = _id(value.get("id")) or _require_id(value.get("comment_id"), "comment id")
    common = _comment_common(body, ("timestamp", "entry_time"))
    return CommentAdded(
        **common,
        post_id=_id(_get(value, "media", "id")),
        comment_id=comment_id,
        text=_text(value.get("text")),
    )


def _whatsapp_account(body: dict[str, Any]) -> str:
    if body.get("object") != OBJECT_WHATSAPP:
        raise PayloadError("WhatsApp event expected")
    # Route by phone_number_id: one WABA (entry id) can hold several numbers.
    return _require_id(_get(body, "metadata", "phone_number_id"), "metadata.phone_number_id")


_WA_MEDIA: Final = frozenset({"image", "video", "audio", "document", "sticker"})
_WhatsAppContent = tuple[str | None, tuple[Attachment, ...], str | None, str | None]


def _whatsapp_content(message: dict[str, Any], kind: str) -> _WhatsAppContent:
    """(text, attachments, quick reply payload, reacted-to message) for one WhatsApp type.

    https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/text
    """
    content = _dict(message.get(kind))
    text = payload = reacted = None
    attachments: tuple[Attachment, ...] = ()
    if kind == "text":
        text = _text(content.get("body"))
    elif kind in _WA_MEDIA:
        text = _text(content.get("caption"))
        media_id, mime_type = _id(content.get("id")), _text(content.get("mime_type"))
        attachments = (Attachment(type=kind, media_id=media_id, mime_type=mime_type),)
    elif kind == "location":
        where = [t for t in (_text(content.get("name")), _text(content.get("address"))) if t]
        text = " — ".join(where) or None
        url = _geo_uri(content.get("latitude"), content.get("longitude"))
        attachments = (Attachment(type="location", url=url),)
    elif kind == "button":
        text, payload = _text(content.get("text")), _text(content.get("payload"))
    elif kind == "interactive":
        reply = _dict(content.get("button_reply")) or _dict(content.get("list_reply"))
        text, payload = _text(reply.get("title")), _text(reply.get("id"))
    elif kind == "reaction":
        text = _text(content.get("emoji"))
        reacted = _id(content.get("message_id"), _MAX_MID_LENGTH)
    return text, attachments, payload, reacted


def _whatsapp_referral(message: dict[str, Any], text: str | None, **common: Any) -> Referral | None:
    code = extract_prefilled_ref(text) if message.get("type") == "text" else None
    if code is not None:
        return Referral(**common, ref=code, source="CLICK_TO_CHAT", type="PREFILLED_TEXT")
    # Click-to-WhatsApp ads: referral{source_type: ad|post, source_id, source_url, ctwa_clid}.
    ad = message.get("referral")
    if not isinstance(ad, dict):
        return None
    source = (_text(ad.get("source_type")) or "ad").upper()
    return Referral(
        **common,
        ref=None,
        source="ADS" if source == "AD" else source,
        type="CLICK_TO_WHATSAPP",
        ad_id=_id(ad.get("source_id")),
    )


def _parse_whatsapp_message(body: dict[str, Any]) -> MessageReceived:
    account = _whatsapp_account(body)
    message = _require_dict(body.get("message"), "message")
    wamid = _require_id(message.get("id"), "message.id", _MAX_MID_LENGTH)
    sender = _require_id(message.get("from"), "message.from")
    kind = _text(message.get("type")) or "unknown"
    text, attachments, payload, reacted = _whatsapp_content(message, kind)
    contacts = body.get("contacts")
    contact = contacts[0] if isinstance(contacts, list) and contacts else None
    common: dict[str, Any] = {
        "platform": Platform.WHATSAPP,
        "channel": Channel.WHATSAPP,
        "account_external_id": account,
        "occurred_at": _require_time(message.get("timestamp")),
    }
    return MessageReceived(
        **common,
        sender_id=sender,
        recipient_id=account,
        message_id=wamid,
        text=text,
        attachments=attachments,
        message_type=kind,
        reply_to=_id(_get(message, "context", "id"), _MAX_MID_LENGTH) or reacted,
        quick_reply_payload=payload,
        referral=_whatsapp_referral(message, text, **common, sender_id=sender),
        sender_name=_text(_get(contact, "profile", "name")),
    )


def _parse_whatsapp_status(body: dict[str, Any]) -> WhatsAppStatus:
    account = _whatsapp_account(body)
    status = _require_dict(body.get("status"), "status")
    try:
        value = WhatsAppStatusValue(_text(status.get("status")) or "")
    except ValueError:
        raise PayloadError("unsupported WhatsApp status") from None
    errors = status.get("errors")
    error = _dict(errors[0]) if isinstance(errors, list) and errors else {}
    code = error.get("code")
    return WhatsAppStatus(
        platform=Platform.WHATSAPP,
        channel=Channel.WHATSAPP,
        account_external_id=account,
        occurred_at=_require_time(status.get("timestamp")),
        wamid=_require_id(status.get("id"), "status.id", _MAX_MID_LENGTH),
        status=value,
        recipient_id=_id(status.get("recipient_id")),
        error_code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        error_title=_text(error.get("title")),
        error_details=_text(_get(error, "error_data", "details")),
        callback_data=_text(status.get("biz_opaque_callback_data")),
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
