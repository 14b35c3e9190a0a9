"""Anonymising rows in place: the one set of helpers behind erasure (``privacy.py``) and the
retention purge (``retention.py``), so that both leave exactly the same kind of trace.

What stays is what statistics and the audit facts need: row ids, directions, dates, statuses,
kinds, assignees, Meta's message ids (they index deduplication), and the short factual keys of a
message's ``meta``. What goes is every text, name, attachment, network identity of a person
(PSID, Instagram id, WhatsApp number) and every string of the payloads sent to Meta.

The helpers run inside the caller's transaction, never write the audit trail (the caller
records one entry with the counts), and are idempotent: a row already anonymised is skipped.

Dependency note: compliance sits below ``connectors`` and ``inbox`` in the house layering, yet
retention and the data subject's rights are about their rows; this module and its two callers
are the only places where compliance reads and writes them (see ``docs/apps/compliance.md``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.compliance.models import ReviewRequest, ReviewStatus
from tandem.connectors.models import OutboundCall, OutboundStatus, WebhookEvent
from tandem.inbox.models import (
    ChannelChoice,
    Contact,
    Conversation,
    CustomerLink,
    Message,
    Notification,
)

ERASED_TEXT = "[effacé à la demande du client]"
PURGED_TEXT = "[effacé : durée de conservation écoulée]"
ANONYMISED_TEXTS = (ERASED_TEXT, PURGED_TEXT)
ERASED_NAME = "Client effacé"
PSEUDONYM_PREFIX = "erased:"
# Markers added to JSON documents that were anonymised (webhook bodies, outbound payloads).
ERASED_MARKER = "erased"
PURGED_MARKER = "purged"
BATCH_SIZE = 500

DIRECT_CHANNELS = (ChannelChoice.MESSENGER, ChannelChoice.INSTAGRAM_DM, ChannelChoice.WHATSAPP)
# Facts a message's ``meta`` keeps: no text, no identity, no payload ("outbound", "author_id",
# "postback", "review_note", "reply_to" and the rest go).
KEPT_META_KEYS = frozenset(
    {"action", "automatic", "kinds", "masked", "public", "review", "satisfaction", "score"}
    | {"sent_outside_tandem", "template", "human_agent"}
)
# Technical values of a payload to Meta that are never personal (the rest is blanked).
KEPT_PAYLOAD_KEYS = frozenset(
    {"messaging_type", "messaging_product", "recipient_type", "tag", "type", "policy"}
)
# Calls that may still be sent: their payload is left alone.
CALLS_IN_FLIGHT = (OutboundStatus.QUEUED, OutboundStatus.SENDING, OutboundStatus.RETRYING)


def pseudonym() -> str:
    """A unique stand-in for a network identity (fits ``Contact.external_id``)."""
    return f"{PSEUDONYM_PREFIX}{uuid.uuid4().hex}"


def _chunks(values: Sequence[Any], size: int = BATCH_SIZE) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def messages_anonymise(message_ids: Sequence[uuid.UUID], *, text: str) -> int:
    """Replace the text of these messages with ``text``, drop attachments and every non-factual
    key of ``meta``; the texts held for review on them go too. Returns how many changed."""
    changed = 0
    for chunk in _chunks(list(message_ids)):
        rows = list(
            Message.objects.filter(pk__in=chunk)
            .exclude(text__in=ANONYMISED_TEXTS)
            .only("pk", "meta")
        )
        for message in rows:
            meta = message.meta if isinstance(message.meta, dict) else {}
            message.text = text
            message.attachments = []
            message.meta = {key: value for key, value in meta.items() if key in KEPT_META_KEYS}
        Message.objects.bulk_update(rows, ["text", "attachments", "meta"])
        changed += len(rows)
        reviews_anonymise([str(pk) for pk in chunk], text=text)
    return changed


def reviews_anonymise(message_ids: Sequence[str], *, text: str) -> int:
    """The texts held for compliance review on these messages. A review still pending is closed
    as rejected (its reply must never go out now); decided ones keep their decision."""
    reviews = ReviewRequest.objects.filter(subject_type="inbox.message", subject_id__in=message_ids)
    now = timezone.now()
    reviews.filter(status=ReviewStatus.PENDING).update(
        status=ReviewStatus.REJECTED, decided_at=now, decision_note=text, updated_at=now
    )
    return int(reviews.exclude(text=text).update(text=text, updated_at=now))


def notifications_anonymise(conversation_ids: Sequence[uuid.UUID], *, text: str) -> int:
    """Notifications about these conversations name the contact ("X wrote again …")."""
    changed = 0
    for chunk in _chunks(list(conversation_ids)):
        changed += (
            Notification.objects.filter(conversation_id__in=chunk)
            .exclude(text__in=ANONYMISED_TEXTS)
            .update(text=text[:300])
        )
    return changed


def contacts_anonymise(contacts: Sequence[Contact]) -> int:
    """Replace each contact's identity with a pseudonym, unlink it from the bank's customer, and
    take its network id out of the direct conversations' thread keys and of the message ids
    derived from it. A new message from the same person then starts a new contact."""
    changed = 0
    for contact in contacts:
        if contact.external_id.startswith(PSEUDONYM_PREFIX):
            continue
        original = contact.external_id
        replacement = pseudonym()
        Contact.objects.filter(pk=contact.pk).update(
            external_id=replacement,
            display_name=ERASED_NAME,
            locale="",
            customer=None,
            linked_at=None,
            updated_at=timezone.now(),
        )
        CustomerLink.objects.filter(contact_id=contact.pk).update(contact=None)
        Conversation.objects.filter(contact_id=contact.pk, channel__in=DIRECT_CHANNELS).update(
            thread_key=replacement
        )
        # A postback without a mid is stored under an id built from the sender's id.
        derived = Message.objects.filter(
            conversation__contact_id=contact.pk, external_id__contains=original
        ).only("pk")
        for message in derived:
            Message.objects.filter(pk=message.pk).update(
                external_id=f"{PSEUDONYM_PREFIX}{message.pk.hex}"
            )
        contact.external_id, contact.display_name = replacement, ERASED_NAME
        changed += 1
    return changed


def webhook_events_erase(
    queryset: QuerySet[WebhookEvent], *, identities: Sequence[str], marker: str = ERASED_MARKER
) -> int:
    """Bodies become ``{marker: true}``; kind, key, status and dates stay. A key that embeds
    one of ``identities`` (read, delivery, referral keys carry the sender) is replaced, which
    costs nothing: only a redelivery within Meta's window would have matched it."""
    changed = 0
    rows = list(
        queryset.exclude(Q(body__has_key=ERASED_MARKER) | Q(body__has_key=PURGED_MARKER)).only(
            "pk", "idempotency_key"
        )
    )
    for event in rows:
        event.body = {marker: True}
        event.last_error = ""
        if any(identity and identity in event.idempotency_key for identity in identities):
            event.idempotency_key = f"{marker}:{event.pk}"
    for chunk in _chunks(rows):
        WebhookEvent.objects.bulk_update(chunk, ["body", "last_error", "idempotency_key"])
        changed += len(chunk)
    return changed


def blank_strings(value: Any, key: str = "") -> Any:
    """The same JSON shape with every string and number blanked, except technical keys."""
    if isinstance(value, dict):
        return {name: blank_strings(item, str(name)) for name, item in value.items()}
    if isinstance(value, list):
        return [blank_strings(item, key) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if key in KEPT_PAYLOAD_KEYS and isinstance(value, str):
        return value
    return ""


def outbound_calls_anonymise(queryset: QuerySet[OutboundCall], *, marker: str) -> int:
    """Blank the payload and Meta's answer of calls that are settled (never one in flight),
    and the recipient; kind, status, dates, Meta's message id and error codes stay."""
    rows = list(
        queryset.exclude(status__in=CALLS_IN_FLIGHT)
        .exclude(Q(payload__has_key=ERASED_MARKER) | Q(payload__has_key=PURGED_MARKER))
        .only("pk", "payload", "result")
    )
    for call in rows:
        call.payload = {**blank_strings(call.payload or {}), marker: True}
        call.result = blank_strings(call.result or {})
        call.recipient_id = ""
        call.error_message = ""
    for chunk in _chunks(rows):
        OutboundCall.objects.bulk_update(
            chunk, ["payload", "result", "recipient_id", "error_message"]
        )
    return len(rows)
