"""Meta webhook items as Meta sends them, each with the idempotency key Tandem must derive.

Pure functions: IDs, times and texts in, ``(item, key)`` out. Shapes follow Meta's references
(and ``shared/research/meta-platform.md`` §2):

* Messenger / Instagram messaging items go in ``entry[].messaging[]``; ``timestamp`` and
  watermarks are **milliseconds**.
  https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks
* Page ``feed`` comment changes go in ``entry[].changes[]``; ``created_time`` is **seconds**.
  https://developers.facebook.com/docs/graph-api/webhooks/reference/page/
* Instagram ``comments`` values; the entry ``time`` is seconds.
  https://developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/comment-moderation
* WhatsApp ``messages[]`` / ``statuses[]``; ``timestamp`` is **seconds as a string**.
  https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/text

Keys are computed here, independently of ``payloads.py``, from the table in that module's
docstring; the simulator's tests check that ``split_batch`` derives exactly these keys, so a
change on either side is caught. Key parts must stay in ``[A-Za-z0-9._=+/-]`` (else Tandem
hashes the key), which every generated ID respects.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any, Final

__all__ = [
    "attachment_message",
    "delivery",
    "feed_comment",
    "instagram_comment",
    "instagram_seen",
    "postback",
    "read",
    "referral",
    "text_message",
    "whatsapp_message",
    "whatsapp_status",
]

Item = dict[str, Any]
_SAFE_PART: Final = re.compile(r"[A-Za-z0-9._=+/-]*")


def _key(kind: str, *parts: object) -> str:
    text = [str(part) for part in parts]
    unsafe = [part for part in text if not _SAFE_PART.fullmatch(part)]
    if unsafe:
        raise ValueError(f"key part {unsafe[0]!r} would be hashed by Tandem; fix the generator")
    return ":".join((kind, *text))


def _direct(account: str, sender: str, timestamp: int | None) -> Item:
    item: Item = {"sender": {"id": sender}, "recipient": {"id": account}}
    if timestamp is not None:
        item["timestamp"] = timestamp
    return item


def text_message(
    *,
    account: str,
    sender: str,
    timestamp: int,
    mid: str,
    text: str,
    quick_reply: str | None = None,
) -> tuple[Item, str]:
    """A customer's text (Messenger or Instagram), optionally a quick-reply tap."""
    message: Item = {"mid": mid, "text": text}
    if quick_reply is not None:
        message["quick_reply"] = {"payload": quick_reply}
    return {**_direct(account, sender, timestamp), "message": message}, _key("message", mid)


def attachment_message(
    *, account: str, sender: str, timestamp: int, mid: str, kind: str, url: str
) -> tuple[Item, str]:
    """A message carrying one attachment (image, file, audio, video, share, story_mention…)."""
    message = {"mid": mid, "attachments": [{"type": kind, "payload": {"url": url}}]}
    return {**_direct(account, sender, timestamp), "message": message}, _key("message", mid)


def postback(
    *,
    account: str,
    sender: str,
    timestamp: int,
    mid: str,
    title: str,
    payload: str,
    ref: str | None = None,
) -> tuple[Item, str]:
    """A button press; with ``ref``, the Get Started of a thread opened from ``m.me/…?ref=``."""
    body: Item = {"mid": mid, "title": title, "payload": payload}
    if ref is not None:
        body["referral"] = {"ref": ref, "source": "SHORTLINK", "type": "OPEN_THREAD"}
    return {**_direct(account, sender, timestamp), "postback": body}, _key("postback", mid)


def referral(*, account: str, sender: str, timestamp: int, ref: str) -> tuple[Item, str]:
    """An ``m.me/<page>?ref=<code>`` link opened on an existing thread."""
    item = {
        **_direct(account, sender, timestamp),
        "referral": {"ref": ref, "source": "SHORTLINK", "type": "OPEN_THREAD"},
    }
    return item, _key("referral", account, sender, timestamp, ref)


def delivery(*, account: str, sender: str, mids: list[str], watermark: int) -> tuple[Item, str]:
    """Messenger ``message_deliveries`` (no ``timestamp``, as Meta sends it)."""
    item = {**_direct(account, sender, None), "delivery": {"mids": mids, "watermark": watermark}}
    # The key holds a digest of the sorted mids (a delivery is identified by what it covers).
    listed = "\n".join(sorted(set(mids))).encode("utf-8")
    digest = hashlib.sha256(listed).hexdigest()[:32]
    return item, _key("delivery", account, sender, watermark, digest)


def read(*, account: str, sender: str, timestamp: int, watermark: int) -> tuple[Item, str]:
    """Messenger ``message_reads``: everything up to ``watermark`` was read."""
    item = {**_direct(account, sender, timestamp), "read": {"watermark": watermark}}
    return item, _key("read", account, sender, watermark)


def instagram_seen(*, account: str, sender: str, timestamp: int, mid: str) -> tuple[Item, str]:
    """Instagram ``messaging_seen``: ``read.mid`` instead of a watermark."""
    item = {**_direct(account, sender, timestamp), "read": {"mid": mid}}
    return item, _key("read", account, sender, "mid", mid)


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def feed_comment(
    *,
    verb: str,
    author: dict[str, str],
    post_id: str,
    comment_id: str,
    parent_id: str,
    created_time: int,
    entry_time: int,
    text: str | None = None,
    edited_time: int | None = None,
) -> tuple[Item, str]:
    """A Page ``feed`` change for a comment: ``add``, ``edited``, ``remove`` or ``hide``.

    ``entry_time`` is the entry's ``time`` (seconds); a hide is keyed by it, so the caller must
    put a hide in an entry of that time.
    """
    value: Item = {"from": author, "item": "comment", "verb": verb}
    if verb == "add":
        value["post"] = {
            "status_type": "added_photos",
            "is_published": True,
            "updated_time": _iso(created_time),
            "promotion_status": "inactive",
            "id": post_id,
        }
    if text is not None:
        value["message"] = text
    value.update(
        post_id=post_id, comment_id=comment_id, parent_id=parent_id, created_time=created_time
    )
    if verb == "edited":
        value["edited_time"] = edited_time
        key = _key("feed.comment.edit", comment_id, edited_time)
    elif verb == "hide":
        value["is_hidden"] = True
        key = _key("feed.comment.hide", comment_id, entry_time)
    elif verb in ("add", "remove"):
        key = _key(f"feed.comment.{verb}", comment_id)
    else:
        raise ValueError(f"unsupported comment verb {verb!r}")
    return {"field": "feed", "value": value}, key


def instagram_comment(
    *,
    author_id: str,
    username: str,
    media_id: str,
    comment_id: str,
    text: str,
    parent_id: str | None = None,
    reel: bool = False,
) -> tuple[Item, str]:
    """An Instagram ``comments`` change (``{"field", "value"}``; the caller wraps it)."""
    value: Item = {
        "from": {"id": author_id, "username": username},
        "media": {"id": media_id, "media_product_type": "REELS" if reel else "FEED"},
        "id": comment_id,
        "text": text,
    }
    if parent_id is not None:
        value["parent_id"] = parent_id
    return {"field": "comments", "value": value}, _key("comments", comment_id)


def whatsapp_message(
    *, sender: str, wamid: str, timestamp: int, kind: str, content: Item, context: Item | None
) -> tuple[Item, str]:
    """A WhatsApp inbound message of ``kind`` (``text``, ``image``, ``interactive``…)."""
    message: Item = {"from": sender, "id": wamid, "timestamp": str(timestamp), "type": kind}
    if context is not None:
        message["context"] = context
    message[kind] = content
    return message, _key("wa.message", wamid)


def whatsapp_status(*, wamid: str, status: str, timestamp: int, recipient: str) -> tuple[Item, str]:
    """A status of a message the bank sent; ``failed`` carries error 131047 (window closed)."""
    item: Item = {
        "id": wamid,
        "status": status,
        "timestamp": str(timestamp),
        "recipient_id": recipient,
    }
    if status == "delivered":
        item["pricing"] = {
            "billable": False,
            "pricing_model": "PMP",
            "type": "free_customer_service",
            "category": "service",
        }
    if status == "failed":
        item["errors"] = [
            {
                "code": 131047,
                "title": "Re-engagement message",
                "message": "Re-engagement message",
                "error_data": {
                    "details": "Message failed to send because more than 24 hours have passed "
                    "since the customer last replied to this number."
                },
            }
        ]
    return item, _key("wa.status", wamid, status)
