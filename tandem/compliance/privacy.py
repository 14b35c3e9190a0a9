"""A person's rights over what Tandem holds about them: see it, export it, erase it.

GDPR art. 15 and 20 (access, portability) and art. 17 (erasure), for one contact and the
identities merged into the same person (``Contact.merged_into``). Only a compliance officer or
an administrator whose grant covers the contact's regional bank may act; anyone else gets a 404,
exactly as for an id that exists nowhere. Both operations are audited in the regional bank's
chain (``privacy.contact.exported``, ``privacy.contact.erased``) with counts, never content.

Erasure anonymises in place (``anonymisation.py``): conversations stay with their facts (dates,
status, assignee, topic, satisfaction) so statistics stay true, messages keep their direction
and time, and the audit trail is never rewritten: it holds ids and facts, no personal text.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.compliance.anonymisation import (
    ERASED_MARKER,
    ERASED_TEXT,
    PSEUDONYM_PREFIX,
    contacts_anonymise,
    messages_anonymise,
    notifications_anonymise,
    outbound_calls_anonymise,
    webhook_events_erase,
)
from tandem.compliance.detection import detect
from tandem.compliance.holdings import Holding, contact_holding
from tandem.compliance.redaction import mask
from tandem.connectors.meta.webhooks import mask_body
from tandem.connectors.models import OutboundCall, OutboundStatus, WebhookEvent
from tandem.core.actors import Actor
from tandem.core.audit import audit_record
from tandem.core.errors import ValidationFailed
from tandem.inbox.models import Contact, Message
from tandem.organisation.models import Node, NodeKind, Role

logger = logging.getLogger(__name__)

PRIVACY_ROLES = (Role.COMPLIANCE_OFFICER, Role.ADMINISTRATOR)
SEARCH_LIMIT = 20
MAX_REASON = 500
EXPORT_FORMAT = "tandem.contact-export.v1"


# -- who may act ------------------------------------------------------------------------------


def privacy_regional_banks(actor: Actor) -> QuerySet[Node]:
    """The regional banks whose contacts the actor may export or erase."""
    if not actor.is_authenticated:
        return Node.objects.none()
    return Node.objects.filter(
        actor.scope_q("path", PRIVACY_ROLES), kind=NodeKind.REGIONAL_BANK
    ).order_by("name")


def privacy_regional_bank_ids(actor: Actor) -> frozenset[int]:
    return frozenset(privacy_regional_banks(actor).values_list("pk", flat=True))


def require_privacy_scope(actor: Actor) -> frozenset[int]:
    """The actor's regional banks for personal data; 404 for anyone who covers none."""
    regional_bank_ids = privacy_regional_bank_ids(actor)
    if not regional_bank_ids:
        raise Http404
    return regional_bank_ids


def access_privacy_contact(*, actor: Actor, contact_id: object) -> Contact:
    try:
        key = uuid.UUID(str(contact_id))
    except ValueError:
        raise Http404 from None
    contact = (
        Contact.objects.select_related("customer__advisor__user", "customer__branch")
        .filter(regional_bank_id__in=privacy_regional_bank_ids(actor), pk=key)
        .first()
    )
    if contact is None:
        raise Http404
    return contact


def contact_search(*, actor: Actor, query: str) -> list[Contact]:
    """Contacts in the actor's banks by name (part of it), network id or customer reference."""
    query = query.strip()
    if len(query) < 2:
        return []
    return list(
        Contact.objects.filter(regional_bank_id__in=privacy_regional_bank_ids(actor))
        .filter(
            Q(display_name__icontains=query) | Q(external_id=query) | Q(customer__reference=query)
        )
        .select_related("customer", "regional_bank")
        .order_by("display_name", "created_at")[:SEARCH_LIMIT]
    )


# -- export -----------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _document(contact: Contact, holding: Holding) -> dict[str, Any]:
    customer = next((c.customer for c in holding.contacts if c.customer is not None), None)
    messages: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for message in Message.objects.filter(pk__in=holding.message_ids).order_by("occurred_at"):
        messages.setdefault(message.conversation_id, []).append(
            {
                "id": str(message.pk),
                "direction": message.direction,
                "occurred_at": _iso(message.occurred_at),
                "text": message.text,
                "attachments": message.attachments,
                "meta": {k: v for k, v in message.meta.items() if k != "outbound"},
                "hidden": message.hidden,
                "removed": message.removed,
                "edited_at": _iso(message.edited_at),
            }
        )
    events = WebhookEvent.objects.filter(pk__in=holding.webhook_event_ids()).order_by("pk")
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "regional_bank": {"id": contact.regional_bank_id},
        "contacts": [
            {
                "id": str(each.pk),
                "network": each.platform,
                "external_id": each.external_id,
                "display_name": each.display_name,
                "locale": each.locale,
                "created_at": _iso(each.created_at),
                "linked_at": _iso(each.linked_at),
                "merged_into": str(each.merged_into_id) if each.merged_into_id else None,
            }
            for each in holding.contacts
        ],
        "customer": None
        if customer is None
        else {
            "reference": customer.reference,
            "display_name": customer.display_name,
            "branch": customer.branch.name,
            "advisor": str(customer.advisor) if customer.advisor else None,
        },
        "customer_links": [
            {
                "id": str(link.pk),
                "issued_at": _iso(link.created_at),
                "expires_at": _iso(link.expires_at),
                "used_at": _iso(link.used_at),
            }
            for link in holding.customer_links().order_by("created_at")
        ],
        "conversations": [
            {
                "id": str(conversation.pk),
                "channel": conversation.channel,
                "status": conversation.status,
                "topic": conversation.topic,
                "priority": conversation.priority,
                "branch": conversation.branch.name,
                "created_at": _iso(conversation.created_at),
                "last_message_at": _iso(conversation.last_message_at),
                "resolved_at": _iso(conversation.resolved_at),
                "satisfaction_score": conversation.satisfaction_score,
                "tags": conversation.tags,
                "messages": messages.get(conversation.pk, []),
            }
            for conversation in holding.conversations()
            .select_related("branch")
            .order_by("created_at")
        ],
        "webhook_events": [
            {
                "id": event.pk,
                "kind": event.kind,
                "received_at": _iso(event.received_at),
                "status": event.status,
                # Masked once processed; masked here too for one still waiting.
                "body": event.body if event.body_masked else mask_body(event.body)[0],
            }
            for event in events
        ],
        "outbound_calls": [
            {
                "id": str(call.pk),
                "kind": call.kind,
                "status": call.status,
                "created_at": _iso(call.created_at),
                "sent_at": _iso(call.sent_at),
                "delivered_at": _iso(call.delivered_at),
                "read_at": _iso(call.read_at),
                "payload": call.payload,
                "result": call.result,
            }
            for call in holding.outbound_calls().order_by("created_at")
        ],
        "audit_entries": [
            {
                "occurred_at": _iso(entry.occurred_at),
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "by": "system" if entry.actor_user_id is None else "employee",
                "data": entry.data,
            }
            for entry in holding.audit_entries()
        ],
    }


def contact_export(*, actor: Actor, contact: Contact) -> dict[str, Any]:
    """Everything Tandem holds about the person behind ``contact``, as one JSON-ready document:
    identities, linked customer, customer links, conversations with their messages (as stored:
    already masked), the webhook events naming them (masked), the calls made to them, and the
    audit entries about them. 404 outside the actor's scope. Audited after the document is
    built, so the export does not list itself."""
    contact = access_privacy_contact(actor=actor, contact_id=contact.pk)
    with transaction.atomic():
        holding = contact_holding(contact)
        document = _document(contact, holding)
        counts = {
            name: len(document[name])
            for name in ("contacts", "conversations", "webhook_events", "outbound_calls")
        } | {
            "messages": len(holding.message_ids),
            "audit_entries": len(document["audit_entries"]),
        }
        audit_record(
            actor=actor,
            action="privacy.contact.exported",
            regional_bank_id=contact.regional_bank_id,
            object_type="contact",
            object_id=contact.pk,
            data={"counts": counts},
        )
    logger.info("privacy.contact.exported", extra={"contact_id": str(contact.pk)})
    return document


# -- erasure ----------------------------------------------------------------------------------


def contact_erase(*, actor: Actor, contact: Contact, reason: str) -> dict[str, int]:
    """Anonymise everything Tandem holds about the person behind ``contact`` (GDPR art. 17).

    Messages: text replaced by « [effacé à la demande du client] », attachments and non-factual
    meta dropped (held replies are never sent). Identities: name and network id replaced by a
    pseudonym, customer link cleared. Webhook bodies naming them: ``{"erased": true}`` (kind,
    key, status kept). Calls to them: payload and answer blanked; calls not yet made are
    cancelled. Notifications about their conversations: text replaced. Conversations keep
    their facts; the audit trail is not touched, one ``privacy.contact.erased`` entry is added
    with the counts and the reason (masked, at most 500 characters).

    404 outside the actor's scope; ``ValidationFailed`` without a reason or when already erased.
    Returns the counts.
    """
    contact = access_privacy_contact(actor=actor, contact_id=contact.pk)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for the erasure (the request's reference)."))
    if contact.external_id.startswith(PSEUDONYM_PREFIX):
        raise ValidationFailed(_("This contact's data has already been erased."))
    reason = mask(reason, detect(reason))[:MAX_REASON]
    now = timezone.now()
    with transaction.atomic():
        holding = contact_holding(contact)
        # Everything found through the original identities, before they are replaced.
        event_ids = holding.webhook_event_ids()
        call_ids = list(holding.outbound_calls().values_list("pk", flat=True))
        links = holding.customer_links().count()
        calls = OutboundCall.objects.filter(pk__in=call_ids)
        cancelled = calls.filter(
            status__in=[OutboundStatus.QUEUED, OutboundStatus.RETRYING]
        ).update(status=OutboundStatus.FAILED, updated_at=now)
        counts = {
            "messages": messages_anonymise(holding.message_ids, text=ERASED_TEXT),
            "notifications": notifications_anonymise(holding.conversation_ids, text=ERASED_TEXT),
            "webhook_events": webhook_events_erase(
                WebhookEvent.objects.filter(pk__in=event_ids), identities=holding.identity_ids
            ),
            "outbound_calls": outbound_calls_anonymise(calls, marker=ERASED_MARKER),
            "outbound_calls_cancelled": cancelled,
            "customer_links": links,
            "conversations": len(holding.conversation_ids),
            "contacts": contacts_anonymise(holding.contacts),
        }
        audit_record(
            actor=actor,
            action="privacy.contact.erased",
            regional_bank_id=contact.regional_bank_id,
            object_type="contact",
            object_id=contact.pk,
            data={
                "counts": counts,
                "contacts": [str(pk) for pk in holding.contact_ids],
                "reason": reason,
            },
        )
    logger.info("privacy.contact.erased", extra={"contact_id": str(contact.pk)})
    return counts
