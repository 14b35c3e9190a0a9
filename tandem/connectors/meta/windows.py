"""Meta's messaging windows, as pure functions: may we write to this person now, and how?

The composer shows the decision (and when the window closes); the send task asks again right
before calling the Graph API, so a reply queued at 23:59 is not sent at 24:01.

Rules (research notes on the Meta platform, §3 "Sending"):

* Messenger and Instagram DMs: free replies (``messaging_type=RESPONSE``) for 24 hours after
  the customer's last message; from 24 hours to 7 days only a message written by a human, sent
  with ``messaging_type=MESSAGE_TAG`` and ``tag=HUMAN_AGENT`` (needs the Human Agent feature
  through App Review); after 7 days nothing. The other tags are gone (error 100 since
  27 April 2026).
  https://developers.facebook.com/documentation/business-messaging/messenger-platform/send-messages
  https://developers.facebook.com/docs/features-reference/human-agent/
* WhatsApp: any message for 24 hours after the customer's last message (the customer service
  window); outside it, or before the customer ever wrote, approved templates only.
  https://developers.facebook.com/documentation/business-messaging/whatsapp/messages/send-messages
* Public comments: a public reply under a comment is always possible.
* Private reply to a comment: one message per comment, within 7 days of the comment; the
  conversation continues only once the person answers. A comment does *not* open the 24 hour
  window (Meta's pages disagree; we follow the stricter private-replies page), so callers must
  never pass a comment time as ``last_customer_message_at``.
  https://developers.facebook.com/documentation/business-messaging/messenger-platform/discovery/private-replies

Boundaries: Meta says "within 24 hours" / "7 days" without saying whether the last instant is
included. Windows here are half-open, ``[start, start + duration)``: at exactly 24 h the
standard window is closed. It is the safe side — the actual send always happens a little after
the decision. A customer message dated in the future (clock skew) counts as just received.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from tandem.connectors.meta.events import Channel

__all__ = [
    "HUMAN_AGENT_WINDOW",
    "PRIVATE_REPLY_WINDOW",
    "STANDARD_WINDOW",
    "MessageTag",
    "MessagingType",
    "WindowDecision",
    "WindowReason",
    "WindowVerdict",
    "private_reply_decision",
    "window_decision",
]

STANDARD_WINDOW: Final = timedelta(hours=24)
HUMAN_AGENT_WINDOW: Final = timedelta(days=7)
PRIVATE_REPLY_WINDOW: Final = timedelta(days=7)


class WindowVerdict(enum.StrEnum):
    ALLOWED = "allowed"
    #: Messenger / Instagram DM between 24 h and 7 days, for a message a human writes.
    ALLOWED_HUMAN_AGENT = "allowed_human_agent"
    #: WhatsApp outside the 24 h window: approved templates only.
    TEMPLATE_ONLY = "template_only"
    REFUSED = "refused"


class MessagingType(enum.StrEnum):
    """Messenger Send API ``messaging_type`` (not used by WhatsApp)."""

    RESPONSE = "RESPONSE"
    MESSAGE_TAG = "MESSAGE_TAG"


class MessageTag(enum.StrEnum):
    HUMAN_AGENT = "HUMAN_AGENT"


class WindowReason(enum.StrEnum):
    """Stable machine codes; ``REASONS_FR`` holds the sentence shown in the composer."""

    STANDARD_WINDOW_OPEN = "standard_window_open"
    HUMAN_AGENT_WINDOW_OPEN = "human_agent_window_open"
    AUTOMATION_OUTSIDE_STANDARD_WINDOW = "automation_outside_standard_window"
    HUMAN_AGENT_UNAVAILABLE = "human_agent_unavailable"
    WINDOW_CLOSED = "window_closed"
    NO_CUSTOMER_MESSAGE = "no_customer_message"
    TEMPLATE_REQUIRED = "template_required"
    PUBLIC_REPLY = "public_reply"
    PRIVATE_REPLY_OPEN = "private_reply_open"
    PRIVATE_REPLY_ALREADY_SENT = "private_reply_already_sent"
    PRIVATE_REPLY_EXPIRED = "private_reply_expired"


REASONS_FR: Final[dict[WindowReason, str]] = {
    WindowReason.STANDARD_WINDOW_OPEN: (
        "Le client vous a écrit il y a moins de 24 heures : vous pouvez lui répondre librement."
    ),
    WindowReason.HUMAN_AGENT_WINDOW_OPEN: (
        "Plus de 24 heures sont passées : seule une réponse rédigée par un conseiller est "
        "possible, jusqu'à 7 jours après le dernier message du client."
    ),
    WindowReason.AUTOMATION_OUTSIDE_STANDARD_WINDOW: (
        "Plus de 24 heures sont passées : un message automatique n'est plus autorisé, "
        "seul un conseiller peut répondre."
    ),
    WindowReason.HUMAN_AGENT_UNAVAILABLE: (
        "Plus de 24 heures sont passées et la réponse par un conseiller (Human Agent) n'est "
        "pas activée pour ce compte : attendez que le client vous réécrive."
    ),
    WindowReason.WINDOW_CLOSED: (
        "Le dernier message du client date de plus de 7 jours : Meta n'autorise plus de "
        "réponse tant qu'il ne vous a pas réécrit."
    ),
    WindowReason.NO_CUSTOMER_MESSAGE: (
        "Le client ne vous a encore jamais écrit sur ce canal : vous ne pouvez pas engager "
        "la conversation."
    ),
    WindowReason.TEMPLATE_REQUIRED: (
        "Hors de la fenêtre de 24 heures de WhatsApp : seul un modèle de message approuvé "
        "peut être envoyé."
    ),
    WindowReason.PUBLIC_REPLY: "Vous pouvez répondre publiquement à ce commentaire.",
    WindowReason.PRIVATE_REPLY_OPEN: (
        "Vous pouvez envoyer une seule réponse privée à ce commentaire, dans les 7 jours "
        "suivant sa publication."
    ),
    WindowReason.PRIVATE_REPLY_ALREADY_SENT: (
        "Une réponse privée a déjà été envoyée pour ce commentaire : la conversation reprendra "
        "si la personne y répond."
    ),
    WindowReason.PRIVATE_REPLY_EXPIRED: (
        "Ce commentaire date de plus de 7 jours : une réponse privée n'est plus possible."
    ),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowDecision:
    """What may be sent now, and how.

    * ``verdict``: see ``WindowVerdict``.
    * ``code`` / ``reason``: stable machine code and the French sentence for the composer.
    * ``closes_at``: when the current allowance ends (the first instant no longer allowed, in
      UTC), or None when nothing is open or nothing closes (public replies, WA templates).
    * ``messaging_type`` / ``tag``: what to put in a Messenger/Instagram Send API request;
      None for WhatsApp and public comment replies.
    """

    verdict: WindowVerdict
    code: WindowReason
    closes_at: datetime | None = None
    messaging_type: MessagingType | None = None
    tag: MessageTag | None = None

    @property
    def reason(self) -> str:
        return REASONS_FR[self.code]

    @property
    def allows_free_form(self) -> bool:
        """True when a message written in the composer may be sent."""
        return self.verdict in (WindowVerdict.ALLOWED, WindowVerdict.ALLOWED_HUMAN_AGENT)


def _utc(name: str, value: datetime) -> datetime:
    """``value`` in UTC. Converting first matters: Python subtracts two datetimes sharing one
    ``tzinfo`` (say Europe/Paris) by wall-clock time, which is an hour off across a DST change.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value.astimezone(UTC)


def window_decision(
    *,
    channel: Channel | str,
    last_customer_message_at: datetime | None,
    now: datetime,
    human_agent: bool,
    human_agent_enabled: bool = True,
) -> WindowDecision:
    """Decide whether a reply may be sent on ``channel`` at ``now``.

    ``last_customer_message_at`` is the time of the customer's last *message* on this direct
    channel (never a comment, a delivery or a read). ``human_agent`` is True when a person
    wrote the reply in the composer, False for anything automated. ``human_agent_enabled`` is
    False when the Meta app has not been granted the Human Agent feature. For comment channels
    the decision is about a *public* reply; use ``private_reply_decision`` for private ones.
    Raises ``ValueError`` for naive datetimes or an unknown channel.
    """
    channel = Channel(channel)
    now = _utc("now", now)
    if channel.is_comment:
        return WindowDecision(verdict=WindowVerdict.ALLOWED, code=WindowReason.PUBLIC_REPLY)
    last = None
    if last_customer_message_at is not None:
        last = _utc("last_customer_message_at", last_customer_message_at)
    if channel is Channel.WHATSAPP:
        return _whatsapp(last, now)
    return _messenger(last, now, human_agent, human_agent_enabled)


def _whatsapp(last: datetime | None, now: datetime) -> WindowDecision:
    if last is not None and now - last < STANDARD_WINDOW:
        return WindowDecision(
            verdict=WindowVerdict.ALLOWED,
            code=WindowReason.STANDARD_WINDOW_OPEN,
            closes_at=last + STANDARD_WINDOW,
        )
    return WindowDecision(verdict=WindowVerdict.TEMPLATE_ONLY, code=WindowReason.TEMPLATE_REQUIRED)


def _messenger(
    last: datetime | None, now: datetime, human_agent: bool, human_agent_enabled: bool
) -> WindowDecision:
    """Messenger and Instagram DMs share the same rules."""
    if last is None:
        return WindowDecision(verdict=WindowVerdict.REFUSED, code=WindowReason.NO_CUSTOMER_MESSAGE)
    elapsed = now - last
    if elapsed < STANDARD_WINDOW:
        # Inside 24 h even a human reply goes out as RESPONSE: tagging everything HUMAN_AGENT
        # is a policy problem (seen in chatwoot/chatwoot#15887).
        return WindowDecision(
            verdict=WindowVerdict.ALLOWED,
            code=WindowReason.STANDARD_WINDOW_OPEN,
            closes_at=last + STANDARD_WINDOW,
            messaging_type=MessagingType.RESPONSE,
        )
    if elapsed >= HUMAN_AGENT_WINDOW:
        return WindowDecision(verdict=WindowVerdict.REFUSED, code=WindowReason.WINDOW_CLOSED)
    if not human_agent:
        code = WindowReason.AUTOMATION_OUTSIDE_STANDARD_WINDOW
        return WindowDecision(verdict=WindowVerdict.REFUSED, code=code)
    if not human_agent_enabled:
        return WindowDecision(
            verdict=WindowVerdict.REFUSED, code=WindowReason.HUMAN_AGENT_UNAVAILABLE
        )
    return WindowDecision(
        verdict=WindowVerdict.ALLOWED_HUMAN_AGENT,
        code=WindowReason.HUMAN_AGENT_WINDOW_OPEN,
        closes_at=last + HUMAN_AGENT_WINDOW,
        messaging_type=MessagingType.MESSAGE_TAG,
        tag=MessageTag.HUMAN_AGENT,
    )


def private_reply_decision(
    *,
    channel: Channel | str,
    comment_created_at: datetime,
    now: datetime,
    private_reply_sent: bool,
) -> WindowDecision:
    """Decide whether the one private reply to a comment may be sent.

    Sent through the Send API with ``recipient.comment_id`` on the matching direct channel
    (Messenger for a Page comment, Instagram DM for an Instagram comment), as
    ``messaging_type=RESPONSE`` without a tag (Instagram no longer needs HUMAN_AGENT for
    private replies since v8.0). Once the person answers, their message opens the normal
    window and ``window_decision`` applies. Instagram Live comments (private reply only while
    the broadcast lasts) are not modelled. Raises ``ValueError`` for a direct channel or a
    naive datetime.
    """
    channel = Channel(channel)
    if not channel.is_comment:
        raise ValueError("private replies answer comments only")
    now = _utc("now", now)
    comment_created_at = _utc("comment_created_at", comment_created_at)
    if private_reply_sent:
        code = WindowReason.PRIVATE_REPLY_ALREADY_SENT
        return WindowDecision(verdict=WindowVerdict.REFUSED, code=code)
    if now - comment_created_at >= PRIVATE_REPLY_WINDOW:
        return WindowDecision(
            verdict=WindowVerdict.REFUSED, code=WindowReason.PRIVATE_REPLY_EXPIRED
        )
    return WindowDecision(
        verdict=WindowVerdict.ALLOWED,
        code=WindowReason.PRIVATE_REPLY_OPEN,
        closes_at=comment_created_at + PRIVATE_REPLY_WINDOW,
        messaging_type=MessagingType.RESPONSE,
    )
