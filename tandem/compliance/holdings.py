"""What Tandem holds about one person: their identities and, through them, conversations,
messages, customer links, webhook events, calls to the networks and audit entries.

A ``Holding`` is ids and querysets (nothing loaded until asked); ``privacy.py`` exports or
erases it. The person is a contact plus the identities merged with it (the same person on
several networks), always within one regional bank. Webhook events are found by the person's
ids quoted as JSON strings in their body (PSID, Instagram id, WhatsApp number, comment ids).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from tandem.compliance.anonymisation import PSEUDONYM_PREFIX
from tandem.connectors.models import OutboundCall, WebhookEvent
from tandem.core.models import AuditEntry
from tandem.inbox.models import Contact, Conversation, CustomerLink, Message

_NEEDLES_PER_QUERY = 50
_IDS_PER_QUERY = 500


@dataclass(frozen=True)
class Holding:
    """Everything Tandem holds about one person, as ids and querysets (nothing loaded yet)."""

    regional_bank_id: int
    contacts: list[Contact]
    conversation_ids: list[uuid.UUID]
    message_ids: list[uuid.UUID]
    needles: list[str]

    @property
    def contact_ids(self) -> list[uuid.UUID]:
        return [contact.pk for contact in self.contacts]

    @property
    def identity_ids(self) -> list[str]:
        """The person's ids on the networks (PSID, Instagram id, WhatsApp number)."""
        return [
            contact.external_id
            for contact in self.contacts
            if not contact.external_id.startswith(("anonymous:", PSEUDONYM_PREFIX))
        ]

    def conversations(self) -> QuerySet[Conversation]:
        return Conversation.objects.filter(
            regional_bank_id=self.regional_bank_id, pk__in=self.conversation_ids
        )

    def customer_links(self) -> QuerySet[CustomerLink]:
        """The one-time codes that linked these identities to the bank's customer."""
        return CustomerLink.objects.filter(
            regional_bank_id=self.regional_bank_id, contact_id__in=self.contact_ids
        )

    def outbound_calls(self) -> QuerySet[OutboundCall]:
        called = Message.objects.filter(
            conversation_id__in=self.conversation_ids, outbound_call__isnull=False
        ).values("outbound_call_id")
        identities = self.identity_ids
        return OutboundCall.objects.filter(
            Q(regional_bank_id=self.regional_bank_id)
            | Q(regional_bank__isnull=True, account__regional_bank_id=self.regional_bank_id)
        ).filter(Q(recipient_id__in=identities) | Q(pk__in=called))

    def webhook_event_ids(self) -> list[int]:
        """Events of the bank whose body names one of the person's ids, as a JSON string."""
        events = WebhookEvent.objects.filter(regional_bank_id=self.regional_bank_id).annotate(
            body_text=Cast("body", output_field=TextField())
        )
        found: set[int] = set()
        for start in range(0, len(self.needles), _NEEDLES_PER_QUERY):
            condition = Q()
            for needle in self.needles[start : start + _NEEDLES_PER_QUERY]:
                condition |= Q(body_text__contains=f'"{needle}"')
            found.update(events.filter(condition).values_list("pk", flat=True))
        return sorted(found)

    def audit_entries(self) -> list[AuditEntry]:
        """Entries about the contacts, their conversations and messages (and their customer's
        links). Read only: the trail is never rewritten."""
        objects = [
            ("contact", [str(pk) for pk in self.contact_ids]),
            ("conversation", [str(pk) for pk in self.conversation_ids]),
            ("message", [str(pk) for pk in self.message_ids]),
        ]
        found: dict[int, AuditEntry] = {}
        base = AuditEntry.objects.filter(regional_bank_id=self.regional_bank_id)
        for object_type, ids in objects:
            for start in range(0, len(ids), _IDS_PER_QUERY):
                chunk = ids[start : start + _IDS_PER_QUERY]
                for entry in base.filter(object_type=object_type, object_id__in=chunk):
                    found[entry.pk] = entry
        return sorted(found.values(), key=lambda entry: (entry.occurred_at, entry.pk))


def contact_holding(contact: Contact) -> Holding:
    """The person behind ``contact``: it, the identity it was merged into and those merged into
    that one (the same person on several networks), in the same regional bank."""
    root_id = contact.merged_into_id or contact.pk
    contacts = list(
        Contact.objects.filter(regional_bank_id=contact.regional_bank_id)
        .filter(Q(pk=root_id) | Q(merged_into_id=root_id) | Q(pk=contact.pk))
        .select_related("customer__branch", "customer__advisor__user")
        .order_by("created_at", "pk")
    )
    conversation_ids = list(
        Conversation.objects.filter(
            regional_bank_id=contact.regional_bank_id, contact_id__in=[c.pk for c in contacts]
        ).values_list("pk", flat=True)
    )
    messages = Message.objects.filter(
        regional_bank_id=contact.regional_bank_id, conversation_id__in=conversation_ids
    )
    message_ids = list(messages.values_list("pk", flat=True))
    needles: list[str] = []
    for each in contacts:
        if each.external_id.startswith("anonymous:"):  # a comment without a known author
            needles.append(each.external_id.removeprefix("anonymous:"))
        elif not each.external_id.startswith(PSEUDONYM_PREFIX):
            needles.append(each.external_id)
    # Comment ids: a comment's later events (edited, hidden) may not name its author.
    needles += list(
        messages.filter(direction="in", conversation__channel__endswith="_comment")
        .exclude(external_id="")
        .values_list("external_id", flat=True)
    )
    return Holding(
        regional_bank_id=contact.regional_bank_id,
        contacts=contacts,
        conversation_ids=conversation_ids,
        message_ids=message_ids,
        needles=sorted({needle for needle in needles if needle}),
    )


def contact_holding_counts(holding: Holding) -> dict[str, int]:
    return {
        "contacts": len(holding.contacts),
        "conversations": len(holding.conversation_ids),
        "messages": len(holding.message_ids),
        "customer_links": holding.customer_links().count(),
        "webhook_events": len(holding.webhook_event_ids()),
        "outbound_calls": holding.outbound_calls().count(),
        "audit_entries": len(holding.audit_entries()),
    }
