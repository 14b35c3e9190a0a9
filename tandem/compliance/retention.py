"""Retention periods per purpose (policy as data) and the daily purge of what has expired.

``RetentionPolicy`` rows say how long each purpose keeps personal data: the group default (no
regional bank, inserted with its legal basis by a migration) or a regional bank's own row,
which a compliance officer of that bank sets on the "Retention" page (audited as
``privacy.retention_policy.updated``).

``retention_purge`` (the ``purge_expired`` job, every 24 h) applies them, per regional bank:

- **conversations** — a conversation is expired when its last message (or its creation) and
  its resolution, if any, are both older than the period. Its messages are anonymised like an
  erasure (same helper, text « [effacé : durée de conservation écoulée] »), so are the
  notifications about it; so is any message itself older than the period, even in a
  conversation still going on (a direct channel keeps one conversation per contact for
  years). A contact none of whose conversations (nor those of the identities merged into it)
  is still live, and created before the cut-off, gets a pseudonym. The conversation rows and
  their facts stay: statistics do not change.
- **webhook_events** — raw events older than the period, once settled (processed, parked,
  unknown), are **deleted**. Their only other use is the idempotency key, and Meta redelivers
  for 36 hours at most (7 days for WhatsApp), so after 30 days a key protects nothing; deleting
  also removes the keys that embed a sender's id. The inbox keeps the masked message.
- **outbound_calls** — calls older than the period, once settled, have their payload and
  Meta's answer blanked (marked ``{"purged": true}``) and their recipient cleared.
- **audit** — never touched: the trail is a hash chain, deleting its head would break every
  later hash (``tandem audit_verify``). Entries past their period are counted in the report;
  archiving a closed chain segment elsewhere is an operations task outside Tandem.
- **recruiting** — nothing yet (no recruiting app); the policy row exists for it.

Each purpose works in bounded batches (each its own transaction), at most ``limit`` rows per
purpose and bank per run; the rest waits for the next run. Every step skips what is already
anonymised, so a re-run changes nothing. Each run writes one ``privacy.retention.purged``
entry per regional bank with the counts (and one in the group chain for events and calls no
regional bank owns, when there were any). ``dry_run`` only counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.compliance.access import officer_regional_bank_ids
from tandem.compliance.anonymisation import (
    ANONYMISED_TEXTS,
    BATCH_SIZE,
    CALLS_IN_FLIGHT,
    ERASED_MARKER,
    PSEUDONYM_PREFIX,
    PURGED_MARKER,
    PURGED_TEXT,
    contacts_anonymise,
    messages_anonymise,
    outbound_calls_anonymise,
)
from tandem.compliance.models import RetentionPolicy, RetentionPurpose
from tandem.connectors.models import EventStatus, OutboundCall, WebhookEvent
from tandem.core.actors import Actor
from tandem.core.audit import audit_record
from tandem.core.errors import ValidationFailed
from tandem.core.models import AuditEntry
from tandem.inbox.models import Contact, Conversation, Message, Notification
from tandem.organisation.models import Node, NodeKind

logger = logging.getLogger(__name__)

# Shorter periods would defeat what the rows are for: Meta redelivers a WhatsApp webhook for up
# to 7 days (a deleted key would let it in again); a WhatsApp status may come 30 days after a
# send (research/meta-platform.md §1.4 and §5).
MIN_KEEP_DAYS: dict[str, int] = {
    RetentionPurpose.WEBHOOK_EVENTS: 8,
    RetentionPurpose.OUTBOUND_CALLS: 31,
}
MAX_KEEP_DAYS = 36_525
MAX_LEGAL_BASIS = 2000
DEFAULT_LIMIT = 20_000
SETTLED_EVENTS = (
    EventStatus.PROCESSED,
    EventStatus.PARKED,
    EventStatus.UNKNOWN_ACCOUNT,
    EventStatus.UNKNOWN_KIND,
)


# -- policies ---------------------------------------------------------------------------------


def policies_in_force(regional_bank_id: int | None) -> dict[str, RetentionPolicy]:
    """Per purpose, the regional bank's own row if it has one, else the group default."""
    rows = RetentionPolicy.objects.filter(
        Q(regional_bank__isnull=True) | Q(regional_bank_id=regional_bank_id)
    )
    in_force: dict[str, RetentionPolicy] = {}
    for row in sorted(rows, key=lambda row: row.regional_bank_id is not None):
        in_force[row.purpose] = row
    return in_force


def retention_policy_set(
    *, actor: Actor, regional_bank: Node, purpose: str, keep_days: int, legal_basis: str
) -> RetentionPolicy:
    """Set ``regional_bank``'s own period for ``purpose`` (creates its override row, or
    updates it). Only a compliance officer covering the bank: 404 for anyone else.
    ``ValidationFailed`` for an unknown purpose, a period out of bounds or no legal basis."""
    if regional_bank.pk not in officer_regional_bank_ids(actor):
        raise Http404
    if purpose not in RetentionPurpose.values:
        raise ValidationFailed(_("Unknown purpose."))
    minimum = MIN_KEEP_DAYS.get(purpose, 1)
    if not minimum <= keep_days <= MAX_KEEP_DAYS:
        raise ValidationFailed(
            _("The period must be between %(min)s and %(max)s days.")
            % {"min": minimum, "max": MAX_KEEP_DAYS}
        )
    legal_basis = legal_basis.strip()[:MAX_LEGAL_BASIS]
    if not legal_basis:
        raise ValidationFailed(_("State the legal basis of this period."))
    with transaction.atomic():
        before = policies_in_force(regional_bank.pk).get(purpose)
        policy, _created = RetentionPolicy.objects.update_or_create(
            regional_bank=regional_bank,
            purpose=purpose,
            defaults={
                "keep_days": keep_days,
                "legal_basis": legal_basis,
                "updated_by_id": actor.employee_id,
            },
        )
        audit_record(
            actor=actor,
            action="privacy.retention_policy.updated",
            regional_bank_id=regional_bank.pk,
            object_type="compliance.retentionpolicy",
            object_id=policy.pk,
            data={
                "purpose": purpose,
                "keep_days": keep_days,
                "previous_keep_days": before.keep_days if before else None,
            },
        )
    return policy


# -- the purge --------------------------------------------------------------------------------


@dataclass
class PurposeReport:
    purpose: str
    keep_days: int | None
    counts: dict[str, int] = field(default_factory=dict)
    # The run stopped at its limit: more is left for the next one.
    more: bool = False


@dataclass
class BankReport:
    regional_bank_id: int | None
    name: str
    purposes: list[PurposeReport] = field(default_factory=list)

    def changed(self) -> int:
        return sum(
            count
            for report in self.purposes
            if report.purpose != RetentionPurpose.AUDIT
            for count in report.counts.values()
        )

    def as_json(self) -> dict[str, Any]:
        return {
            report.purpose: {"keep_days": report.keep_days, **report.counts, "more": report.more}
            for report in self.purposes
        }


def _in_batches(
    pending: Callable[[], list[Any]], apply: Callable[[list[Any]], int], limit: int
) -> tuple[int, bool]:
    """Apply ``apply`` to successive batches of ``pending()`` until none is left or ``limit``
    rows are done. Each batch commits on its own. Returns (rows changed, more left)."""
    done = 0
    while done < limit:
        batch = pending()
        if not batch:
            return done, False
        with transaction.atomic():
            changed = apply(batch)
        done += changed
        if changed == 0:  # nothing could change (rows skipped as already done): stop here
            return done, False
    return done, bool(pending())


def expired_conversations(regional_bank_id: int, cutoff: datetime) -> QuerySet[Conversation]:
    return (
        Conversation.objects.filter(regional_bank_id=regional_bank_id)
        .annotate(last_activity=Coalesce("last_message_at", "created_at"))
        .filter(last_activity__lt=cutoff)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__lt=cutoff))
    )


def _conversations(
    regional_bank_id: int, cutoff: datetime, dry_run: bool, limit: int, batch: int
) -> tuple[dict[str, int], bool]:
    expired = expired_conversations(regional_bank_id, cutoff).values("pk")
    # A direct channel keeps one conversation per contact for years: a message older than the
    # period goes too, even in a conversation that is still going on.
    messages = (
        Message.objects.filter(regional_bank_id=regional_bank_id)
        .filter(Q(conversation_id__in=expired) | Q(occurred_at__lt=cutoff))
        .exclude(text__in=ANONYMISED_TEXTS)
    )
    notifications = Notification.objects.filter(conversation_id__in=expired).exclude(
        text__in=ANONYMISED_TEXTS
    )
    live = Conversation.objects.filter(regional_bank_id=regional_bank_id).exclude(pk__in=expired)
    contacts = (
        Contact.objects.filter(regional_bank_id=regional_bank_id, created_at__lt=cutoff)
        .exclude(external_id__startswith=PSEUDONYM_PREFIX)
        .exclude(pk__in=live.values("contact_id"))
        .exclude(merged__pk__in=live.values("contact_id"))
        .order_by("pk")
    )
    touched = messages.values("conversation_id").distinct().count()
    if dry_run:
        counts = {
            "conversations": touched,
            "messages": messages.count(),
            "notifications": notifications.count(),
            "contacts": contacts.count(),
        }
        return counts, False
    done_messages, more_messages = _in_batches(
        lambda: list(messages.order_by("pk").values_list("pk", flat=True)[:batch]),
        lambda ids: messages_anonymise(ids, text=PURGED_TEXT),
        limit,
    )
    done_notifications, more_notifications = _in_batches(
        lambda: list(notifications.order_by("pk").values_list("pk", flat=True)[:batch]),
        lambda ids: Notification.objects.filter(pk__in=ids).update(text=PURGED_TEXT),
        limit,
    )
    done_contacts, more_contacts = _in_batches(
        lambda: list(contacts[:batch]), contacts_anonymise, limit
    )
    counts = {
        "conversations": touched,
        "messages": done_messages,
        "notifications": done_notifications,
        "contacts": done_contacts,
    }
    return counts, more_messages or more_notifications or more_contacts


def _bank_filter(regional_bank_id: int | None, *, through_account: bool) -> Q:
    if regional_bank_id is None:
        condition = Q(regional_bank__isnull=True)
        if through_account:
            condition &= Q(account__regional_bank__isnull=True)
        return condition
    condition = Q(regional_bank_id=regional_bank_id)
    if through_account:
        condition |= Q(regional_bank__isnull=True, account__regional_bank_id=regional_bank_id)
    return condition


def _webhook_events(
    regional_bank_id: int | None, cutoff: datetime, dry_run: bool, limit: int, batch: int
) -> tuple[dict[str, int], bool]:
    events = WebhookEvent.objects.filter(
        _bank_filter(regional_bank_id, through_account=False),
        received_at__lt=cutoff,
        status__in=SETTLED_EVENTS,
    )
    if dry_run:
        return {"deleted": events.count()}, False
    done, more = _in_batches(
        lambda: list(events.order_by("pk").values_list("pk", flat=True)[:batch]),
        lambda ids: WebhookEvent.objects.filter(pk__in=ids).delete()[0],
        limit,
    )
    return {"deleted": done}, more


def _outbound_calls(
    regional_bank_id: int | None, cutoff: datetime, dry_run: bool, limit: int, batch: int
) -> tuple[dict[str, int], bool]:
    calls = (
        OutboundCall.objects.filter(
            _bank_filter(regional_bank_id, through_account=True), created_at__lt=cutoff
        )
        .exclude(status__in=CALLS_IN_FLIGHT)
        .exclude(Q(payload__has_key=ERASED_MARKER) | Q(payload__has_key=PURGED_MARKER))
    )
    if dry_run:
        return {"blanked": calls.count()}, False
    done, more = _in_batches(
        lambda: list(calls.order_by("pk").values_list("pk", flat=True)[:batch]),
        lambda ids: outbound_calls_anonymise(
            OutboundCall.objects.filter(pk__in=ids), marker=PURGED_MARKER
        ),
        limit,
    )
    return {"blanked": done}, more


def _purge_bank(
    regional_bank_id: int | None,
    name: str,
    *,
    now: datetime,
    dry_run: bool,
    limit: int,
    batch: int,
) -> BankReport:
    report = BankReport(regional_bank_id=regional_bank_id, name=name)
    policies = policies_in_force(regional_bank_id)
    for purpose in RetentionPurpose.values:
        policy = policies.get(purpose)
        purpose_report = PurposeReport(
            purpose=purpose, keep_days=policy.keep_days if policy else None
        )
        report.purposes.append(purpose_report)
        if policy is None:  # no policy, no purge: never guess a period
            continue
        cutoff = now - timedelta(days=policy.keep_days)
        if purpose == RetentionPurpose.CONVERSATIONS and regional_bank_id is not None:
            counts, more = _conversations(regional_bank_id, cutoff, dry_run, limit, batch)
        elif purpose == RetentionPurpose.WEBHOOK_EVENTS:
            counts, more = _webhook_events(regional_bank_id, cutoff, dry_run, limit, batch)
        elif purpose == RetentionPurpose.OUTBOUND_CALLS:
            counts, more = _outbound_calls(regional_bank_id, cutoff, dry_run, limit, batch)
        elif purpose == RetentionPurpose.AUDIT:
            # Counted, never deleted (see the module's docstring).
            past = AuditEntry.objects.filter(
                regional_bank_id=regional_bank_id, occurred_at__lt=cutoff
            ).count()
            counts, more = {"past_period_kept": past}, False
        else:
            counts, more = {}, False
        purpose_report.counts, purpose_report.more = counts, more
    return report


def retention_purge(
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    limit: int = DEFAULT_LIMIT,
    batch_size: int = BATCH_SIZE,
) -> list[BankReport]:
    """Anonymise or delete what each regional bank's policies say has expired (see the
    module's docstring); with ``dry_run``, only count. One audit entry per regional bank."""
    now = now or timezone.now()
    banks: list[tuple[int | None, str]] = list(
        Node.objects.filter(kind=NodeKind.REGIONAL_BANK).order_by("name").values_list("pk", "name")
    )
    banks.append((None, "—"))
    reports = []
    for regional_bank_id, name in banks:
        report = _purge_bank(
            regional_bank_id, name, now=now, dry_run=dry_run, limit=limit, batch=batch_size
        )
        reports.append(report)
        if dry_run or (regional_bank_id is None and not report.changed()):
            continue
        audit_record(
            actor=None,
            action="privacy.retention.purged",
            regional_bank_id=regional_bank_id,
            object_type="compliance.retentionpolicy",
            data=report.as_json(),
        )
        logger.info(
            "privacy.retention.purged",
            extra={"regional_bank_id": regional_bank_id, "changed": report.changed()},
        )
    return reports
