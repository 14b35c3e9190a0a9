"""Webhook bodies the emulator sends to Tandem, built like Meta's (pure functions).

Every body here must go through ``payloads.split_batch`` + ``parse_event`` to the dataclass it
stands for; the emulator's tests check each one. Shapes and units (research notes §2):

* Messenger / Instagram messaging: ``entry[].messaging[]``, times in **milliseconds**.
  https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks
* Page feed and Instagram comments: ``entry[].changes[]``, times in **seconds**.
  https://developers.facebook.com/docs/graph-api/webhooks/reference/page/
  https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/comment-moderation
* WhatsApp: ``entry[].changes[].value`` with ``metadata``; timestamps are **seconds as strings**.
  https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from tandem.connectors.meta.emulator.state import Account, CommentRecord
from tandem.connectors.meta.events import Platform

__all__ = [
    "encode",
    "feed_comment",
    "instagram_comment",
    "messaging",
    "messaging_object",
    "milliseconds",
    "seconds",
    "whatsapp_message",
    "whatsapp_status",
]


def milliseconds(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def seconds(at: datetime) -> int:
    return int(at.timestamp())


def encode(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes to POST (and sign): compact JSON with non-ASCII escaped as ``\\uXXXX``,
    like Meta's "escaped unicode" bodies."""
    return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def messaging_object(platform: Platform) -> str:
    return "instagram" if platform is Platform.INSTAGRAM else "page"


def messaging(platform: Platform, account_id: str, at: datetime, item: dict[str, Any]) -> dict:
    """One messaging item in its envelope (Messenger ``page`` or ``instagram``)."""
    return {
        "object": messaging_object(platform),
        "entry": [{"id": account_id, "time": milliseconds(at), "messaging": [item]}],
    }


def _parties(sender: str, recipient: str) -> dict[str, Any]:
    return {"sender": {"id": sender}, "recipient": {"id": recipient}}


def customer_message_item(
    *,
    account_id: str,
    user_id: str,
    mid: str,
    at: datetime,
    text: str | None,
    attachments: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """A customer's message: ``sender`` is the customer, ``recipient`` our account."""
    message: dict[str, Any] = {"mid": mid}
    if text is not None:
        message["text"] = text
    if attachments:
        message["attachments"] = [
            {"type": kind, "payload": {"url": url}} for kind, url in attachments
        ]
    return {**_parties(user_id, account_id), "timestamp": milliseconds(at), "message": message}


def echo_item(
    *,
    account_id: str,
    user_id: str,
    mid: str,
    at: datetime,
    message: Mapping[str, Any],
    app_id: str,
) -> dict[str, Any]:
    """The echo of a message we sent: ``sender`` is our account, ``is_echo`` true, ``app_id``
    the sending app and ``metadata`` what was passed on send (message_echoes reference)."""
    echoed: dict[str, Any] = {
        "is_echo": True,
        "app_id": int(app_id) if app_id.isdigit() else app_id,
    }
    echoed["mid"] = mid
    if isinstance(message.get("text"), str):
        echoed["text"] = message["text"]
    attachments = _sent_attachments(message)
    if attachments:
        echoed["attachments"] = attachments
    if isinstance(message.get("metadata"), str):
        echoed["metadata"] = message["metadata"]
    return {**_parties(account_id, user_id), "timestamp": milliseconds(at), "message": echoed}


def _sent_attachments(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    sent = message.get("attachments")
    items = sent if isinstance(sent, list) else [message.get("attachment")]
    found = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("type"), str):
            payload = item.get("payload")
            found.append(
                {"type": item["type"], "payload": payload if isinstance(payload, dict) else {}}
            )
    return found


def delivery_item(
    *, account_id: str, user_id: str, mids: Sequence[str], watermark: datetime
) -> dict[str, Any]:
    """Messenger ``message_deliveries``: sent by the customer's device, no ``timestamp``."""
    return {
        **_parties(user_id, account_id),
        "delivery": {"mids": list(mids), "watermark": milliseconds(watermark)},
    }


def read_item(
    *, account_id: str, user_id: str, at: datetime, watermark: datetime | None, mid: str | None
) -> dict[str, Any]:
    """Messenger ``message_reads`` (``watermark``) or Instagram ``messaging_seen`` (``mid``)."""
    read: dict[str, Any] = {}
    if watermark is not None:
        read["watermark"] = milliseconds(watermark)
    if mid is not None:
        read["mid"] = mid
    return {**_parties(user_id, account_id), "timestamp": milliseconds(at), "read": read}


def referral_item(*, account_id: str, user_id: str, at: datetime, ref: str) -> dict[str, Any]:
    """``messaging_referrals``: an ``m.me/…?ref=`` link opened on an existing thread."""
    return {
        **_parties(user_id, account_id),
        "timestamp": milliseconds(at),
        "referral": {"ref": ref, "source": "SHORTLINK", "type": "OPEN_THREAD"},
    }


def feed_comment(
    comment: CommentRecord,
    verb: str,
    *,
    at: datetime,
    text: str | None = None,
    include_post: bool = False,
) -> dict[str, Any]:
    """A Page ``feed`` change about a comment (``add``, ``edited``, ``hide``, ``unhide``,
    ``remove``). ``comment_id`` is ``{post}_{comment}``, ``post_id`` ``{page}_{post}``, and
    ``parent_id`` the post for a top-level comment."""
    value: dict[str, Any] = {
        "from": {"id": comment.author_id, "name": comment.author_name},
        "item": "comment",
        "verb": verb,
        "comment_id": comment.comment_id,
        "post_id": comment.post_id,
        "parent_id": comment.parent_id or comment.post_id,
        "created_time": seconds(comment.created_at),
    }
    if include_post:
        value["post"] = {
            "status_type": "added_photos",
            "is_published": True,
            "updated_time": comment.created_at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
            "promotion_status": "inactive",
            "id": comment.post_id,
        }
    if text is not None:
        value["message"] = text
    if verb == "edited":
        value["edited_time"] = seconds(at)
    if verb in ("hide", "unhide"):
        value["is_hidden"] = verb == "hide"
    return {
        "object": "page",
        "entry": [
            {
                "id": comment.account_id,
                "time": seconds(at),
                "changes": [{"field": "feed", "value": value}],
            }
        ],
    }


def instagram_comment(comment: CommentRecord, *, at: datetime) -> dict[str, Any]:
    """An Instagram ``comments`` change (Facebook Login envelope: ``changes[]``). The comment
    key is ``id``; ``parent_id`` only on replies."""
    value: dict[str, Any] = {
        "from": {"id": comment.author_id, "username": comment.author_name},
        "media": {"id": comment.post_id, "media_product_type": "FEED"},
        "id": comment.comment_id,
        "text": comment.text,
    }
    if comment.parent_id:
        value["parent_id"] = comment.parent_id
    return {
        "object": "instagram",
        "entry": [
            {
                "id": comment.account_id,
                "time": seconds(at),
                "changes": [{"field": "comments", "value": value}],
            }
        ],
    }


def _whatsapp(account: Account, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": account.business_account_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": account.display_phone_number,
                                "phone_number_id": account.external_id,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def whatsapp_message(
    account: Account, *, wa_id: str, name: str, wamid: str, at: datetime, text: str
) -> dict[str, Any]:
    """A customer's WhatsApp text message (``contacts[]`` + ``messages[]``)."""
    return _whatsapp(
        account,
        {
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [
                {
                    "from": wa_id,
                    "id": wamid,
                    "timestamp": str(seconds(at)),
                    "type": "text",
                    "text": {"body": text},
                }
            ],
        },
    )


def whatsapp_status(
    account: Account,
    *,
    wamid: str,
    status: str,
    at: datetime,
    recipient_id: str,
    callback_data: str | None = None,
    conversation: Mapping[str, Any] | None = None,
    pricing: Mapping[str, Any] | None = None,
    errors: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """One ``statuses[]`` item: ``sent``, ``delivered``, ``read`` or ``failed``."""
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(seconds(at)),
        "recipient_id": recipient_id,
    }
    if callback_data is not None:
        item["biz_opaque_callback_data"] = callback_data
    if conversation is not None:
        item["conversation"] = dict(conversation)
    if pricing is not None:
        item["pricing"] = dict(pricing)
    if errors:
        item["errors"] = [dict(error) for error in errors]
    return _whatsapp(account, {"statuses": [item]})
