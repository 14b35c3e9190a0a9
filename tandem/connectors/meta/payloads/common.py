"""Shared by every step: ``RawEvent``, ``PayloadError``, the vocabulary, and total helpers.

The helpers never raise on hostile values (``_require_*`` and ``_object`` raise
``PayloadError`` only); idempotency keys and digests are built here.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from tandem.connectors.meta.events import Channel, Platform

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


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _geo_uri(latitude: object, longitude: object) -> str | None:
    numbers = [
        v for v in (latitude, longitude) if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    if len(numbers) != 2 or not all(math.isfinite(v) for v in numbers):
        return None
    return f"geo:{numbers[0]},{numbers[1]}"


# ---------------------------------------------------------------------------------------------
# Required fields: ``PayloadError`` when absent or of the wrong type.


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
