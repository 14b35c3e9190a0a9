"""WhatsApp Cloud API: click-to-chat linking codes, and parsers for messages and statuses."""

from __future__ import annotations

import re
from typing import Any, Final

from tandem.connectors.meta.events import (
    Attachment,
    Channel,
    MessageReceived,
    Platform,
    Referral,
    WhatsAppStatus,
    WhatsAppStatusValue,
)
from tandem.connectors.meta.payloads.common import (
    _MAX_MID_LENGTH,
    OBJECT_WHATSAPP,
    PayloadError,
    _dict,
    _geo_uri,
    _get,
    _id,
    _require_dict,
    _require_id,
    _text,
)
from tandem.connectors.meta.payloads.timestamps import _require_time

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
# Parsing messages and statuses


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
