"""Parsers for Messenger and Instagram Direct messaging events (``event`` in the body)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tandem.connectors.meta.events import (
    Attachment,
    Channel,
    Delivery,
    MessageEcho,
    MessageReceived,
    Platform,
    Postback,
    Read,
    Referral,
)
from tandem.connectors.meta.payloads.common import (
    _DIRECT,
    _MAX_MID_LENGTH,
    _PLATFORMS,
    PayloadError,
    _geo_uri,
    _get,
    _id,
    _object,
    _require_dict,
    _require_id,
    _sender,
    _text,
)
from tandem.connectors.meta.payloads.timestamps import _maybe_time, _require_time


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
