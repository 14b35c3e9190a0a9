"""Provider-neutral events: the documented seam between ``connectors`` and the rest of Tandem.

``payloads.parse_event`` turns one stored webhook event into exactly one of the frozen
dataclasses below; ``connectors`` then emits it (after commit) and ``inbox`` consumes it. Nothing
here knows about Django, the database or HTTP, and nothing downstream should need Meta's JSON.

Conventions shared by every event:

* ``platform`` is the network (Facebook, Instagram, WhatsApp); ``channel`` is the conversation
  kind inside it. Messenger direct messages are platform ``facebook``, channel ``messenger``.
* ``account_external_id`` is *our* account on the network: the Page ID, the Instagram
  professional account ID, or the WhatsApp ``phone_number_id``. It is what routes an event to
  a tenant.
* Every ``*_at`` value is an aware UTC ``datetime`` (enforced at construction).
* IDs are strings, exactly as Meta sends them (numeric IDs are converted with ``str``).
* Free text (message text, comment text, names) is customer data: never log it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeAlias

__all__ = [
    "Attachment",
    "Channel",
    "CommentAdded",
    "CommentEdited",
    "CommentHidden",
    "CommentRemoved",
    "Delivery",
    "Event",
    "MessageEcho",
    "MessageReceived",
    "Platform",
    "Postback",
    "Read",
    "Referral",
    "Unknown",
    "WhatsAppStatus",
    "WhatsAppStatusValue",
]


class Platform(enum.StrEnum):
    """The Meta network an event comes from."""

    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    WHATSAPP = "whatsapp"


class Channel(enum.StrEnum):
    """The kind of conversation: one Tandem conversation lives on exactly one channel.

    Direct channels (``messenger``, ``instagram_dm``, ``whatsapp``) are private threads subject to
    Meta's messaging windows (see ``windows.py``). Comment channels are public threads under a
    post or media; a private reply to a comment is sent on the matching direct channel.
    """

    MESSENGER = "messenger"
    INSTAGRAM_DM = "instagram_dm"
    WHATSAPP = "whatsapp"
    FACEBOOK_COMMENT = "facebook_comment"
    INSTAGRAM_COMMENT = "instagram_comment"

    @property
    def platform(self) -> Platform:
        return _CHANNEL_PLATFORM[self]

    @property
    def is_comment(self) -> bool:
        return self in (Channel.FACEBOOK_COMMENT, Channel.INSTAGRAM_COMMENT)


_CHANNEL_PLATFORM: dict[Channel, Platform] = {
    Channel.MESSENGER: Platform.FACEBOOK,
    Channel.INSTAGRAM_DM: Platform.INSTAGRAM,
    Channel.WHATSAPP: Platform.WHATSAPP,
    Channel.FACEBOOK_COMMENT: Platform.FACEBOOK,
    Channel.INSTAGRAM_COMMENT: Platform.INSTAGRAM,
}


class WhatsAppStatusValue(enum.StrEnum):
    """Outbound WhatsApp message states reported by status webhooks.

    https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/status
    Notifications can arrive out of order (``read`` with no ``delivered``); consumers must only
    move a message forward, and never out of ``failed``.
    """

    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    PLAYED = "played"
    FAILED = "failed"


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{name} must be an aware datetime")


@dataclass(frozen=True, slots=True, kw_only=True)
class _EventBase:
    platform: Platform
    channel: Channel
    account_external_id: str
    occurred_at: datetime

    def __post_init__(self) -> None:
        _require_aware("occurred_at", self.occurred_at)
        if self.channel.platform is not self.platform:
            raise ValueError("channel does not belong to platform")


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    """A file or rich item attached to a message or comment.

    ``type`` is Meta's own word (``image``, ``video``, ``audio``, ``file``, ``document``,
    ``sticker``, ``share``, ``story_mention``, ``location``, …). Messenger and Instagram give a
    CDN ``url``; WhatsApp gives a ``media_id`` to resolve with ``GET /{media-id}`` instead. A
    location becomes a ``geo:lat,long`` URI (RFC 5870).
    """

    type: str
    url: str | None = None
    media_id: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Referral(_EventBase):
    """How a person arrived in a conversation.

    Standalone (a Messenger/Instagram ``referral`` event: an ``m.me/…?ref=`` link opened on an
    existing thread) or embedded in ``MessageReceived``/``Postback`` (ad clicks, the "Get
    Started" of a new thread opened from a link, a WhatsApp click-to-chat prefilled text).

    * ``ref``: the value we put in the link (the one-time linking code), or None for ads.
    * ``source``: Meta's source (``SHORTLINK``, ``ADS``, ``MESSENGER_CODE``, …) or, for WhatsApp,
      ``ADS``/``POST`` for click-to-WhatsApp ads and ``CLICK_TO_CHAT`` for a prefilled text.
    * ``type``: Meta's referral type (``OPEN_THREAD``), ``CLICK_TO_WHATSAPP`` or
      ``PREFILLED_TEXT``.
    """

    ref: str | None
    source: str
    type: str
    sender_id: str
    ad_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageReceived(_EventBase):
    """A customer wrote to us in a direct channel (Messenger, Instagram DM, WhatsApp).

    * ``sender_id``: the customer (PSID, IGSID or WhatsApp ``wa_id``); ``recipient_id``: us.
    * ``message_id``: Meta's ``mid`` / ``wamid``, unique per message.
    * ``text``: the text, or a media caption / button title; None when there is none.
    * ``message_type``: ``text`` for Messenger/Instagram text, otherwise the attachment or
      WhatsApp type (``image``, ``button``, ``interactive``, ``reaction``, ``location``, …).
    * ``reply_to``: the message ID this one answers (or reacts to), if any.
    * ``quick_reply_payload``: payload of a quick reply / WhatsApp button, if any.
    * ``referral``: set when the message carries a referral (see ``Referral``).
    * ``sender_name``: the WhatsApp profile name when Meta sends it.
    * ``standby``: delivered through the handover protocol's ``standby`` list, i.e. another app
      owns the thread right now.
    """

    sender_id: str
    recipient_id: str
    message_id: str
    text: str | None
    attachments: tuple[Attachment, ...] = ()
    message_type: str = "text"
    reply_to: str | None = None
    quick_reply_payload: str | None = None
    referral: Referral | None = None
    sender_name: str | None = None
    standby: bool = False
    is_echo: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageEcho(_EventBase):
    """A message *we* sent (through Tandem, Page Inbox or the Instagram app), echoed back.

    ``sender_id`` is our account, ``recipient_id`` the customer. ``app_id`` tells who sent it
    (Page Inbox replies carry Meta's own app ID), ``metadata`` is what we passed on send. Use
    ``message_id`` to recognise messages Tandem already stored when sending.
    """

    sender_id: str
    recipient_id: str
    message_id: str
    text: str | None
    attachments: tuple[Attachment, ...] = ()
    app_id: str | None = None
    metadata: str | None = None
    is_echo: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class _CommentBase(_EventBase):
    """Shared fields of public comment events (Page feed and Instagram comments).

    ``post_id`` is the Facebook post ID or the Instagram media ID. ``parent_id`` is the post ID
    for a top-level Facebook comment, the parent comment for a reply, and None for a top-level
    Instagram comment. ``from_account`` is True when the author is our own account — our own
    replies come back as comment events and must not be answered again.
    """

    post_id: str | None
    comment_id: str
    parent_id: str | None = None
    author_id: str | None = None
    author_name: str | None = None
    from_account: bool = False

    @property
    def is_reply(self) -> bool:
        """True when the comment answers another comment rather than the post."""
        return self.parent_id is not None and self.parent_id != self.post_id


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentAdded(_CommentBase):
    """A new public comment. ``text`` may be None (a photo or sticker only)."""

    text: str | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentEdited(_CommentBase):
    """A comment's text changed: compliance must scan the new ``text`` again."""

    text: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentRemoved(_CommentBase):
    """A comment was deleted (by its author or a moderator)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentHidden(_CommentBase):
    """A comment was hidden, or shown again when ``unhidden`` is True."""

    unhidden: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery(_EventBase):
    """Messenger: our messages up to ``watermark`` reached the customer's device.

    ``sender_id`` is the customer, ``recipient_id`` our account. ``mids`` lists some delivered
    messages (Meta may omit it); everything sent before the watermark counts as delivered.
    https://developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks
    """

    sender_id: str
    recipient_id: str
    watermark: datetime
    mids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _EventBase.__post_init__(self)
        _require_aware("watermark", self.watermark)


@dataclass(frozen=True, slots=True, kw_only=True)
class Read(_EventBase):
    """The customer (``sender_id``) read our messages: up to ``watermark`` (Messenger) or
    ``mid`` (Instagram ``messaging_seen``). At least one of the two is set."""

    sender_id: str
    recipient_id: str
    watermark: datetime | None = None
    mid: str | None = None

    def __post_init__(self) -> None:
        _EventBase.__post_init__(self)
        _require_aware("watermark", self.watermark)
        if self.watermark is None and self.mid is None:
            raise ValueError("a read needs a watermark or a mid")


@dataclass(frozen=True, slots=True, kw_only=True)
class Postback(_EventBase):
    """The customer pressed a button (Get Started, persistent menu, template button).

    ``payload`` is None for postbacks received on ``standby`` (Meta strips it there). A new
    thread opened from an ``m.me/…?ref=`` link arrives as a Get Started postback carrying the
    ``referral``.
    """

    sender_id: str
    recipient_id: str
    payload: str | None
    title: str | None = None
    mid: str | None = None
    referral: Referral | None = None
    standby: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatsAppStatus(_EventBase):
    """State change of a message we sent on WhatsApp (``wamid``).

    ``recipient_id`` is the customer's ``wa_id``. For ``failed``, ``error_code`` /
    ``error_title`` / ``error_details`` say why (131047: outside the 24 h window).
    ``callback_data`` echoes the ``biz_opaque_callback_data`` we sent, if any.
    """

    wamid: str
    status: WhatsAppStatusValue
    recipient_id: str | None = None
    error_code: int | None = None
    error_title: str | None = None
    error_details: str | None = None
    callback_data: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Unknown:
    """Anything Tandem stores but does not model (yet): kept, never silently dropped.

    ``raw_kind`` is the ``RawEvent.kind`` it was stored under (``unknown`` when the shape was
    not recognised at all; otherwise a recognised-but-unmodelled kind such as ``message_edit``,
    ``reaction``, ``message_deleted``, ``wa.error`` or ``feed.post.add``). ``body`` is the
    stored JSON body.
    """

    raw_kind: str
    object: str
    account_external_id: str
    occurred_at: datetime | None
    body: dict[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        _require_aware("occurred_at", self.occurred_at)


Event: TypeAlias = (
    MessageReceived
    | MessageEcho
    | CommentAdded
    | CommentEdited
    | CommentRemoved
    | CommentHidden
    | Delivery
    | Read
    | Postback
    | Referral
    | WhatsAppStatus
    | Unknown
)
