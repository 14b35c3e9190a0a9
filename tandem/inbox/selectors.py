"""Reads of the inbox, scoped by the actor first, with their related rows fetched up front."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from tandem.core.actors import Actor
from tandem.inbox.access import visible_conversations
from tandem.inbox.models import (
    Conversation,
    ConversationStatus,
    Message,
    Notification,
)
from tandem.organisation.models import Employee

QUEUES = ("mine", "branch", "unassigned", "late", "resolved")
OPEN = (ConversationStatus.OPEN, ConversationStatus.WAITING)
SOON = timedelta(minutes=30)


def _queue_filters(actor: Actor, now: datetime) -> dict[str, Q]:
    """The open queues, as filters over the actor's visible open conversations."""
    soon = now + SOON
    return {
        "mine": Q(assignee_id=actor.employee_id or 0),
        "branch": actor.scope_q("branch__path"),
        "unassigned": Q(assignee__isnull=True),
        "late": Q(first_response_due_at__lte=soon) | Q(next_response_due_at__lte=soon),
    }


def conversation_list_for_agent(
    *, actor: Actor, queue: str = "mine", now: datetime | None = None
) -> QuerySet[Conversation]:
    """One of the inbox queues, most recent activity first."""
    now = now or timezone.now()
    queryset = visible_conversations(actor).select_related(
        "contact", "assignee__user", "account", "branch"
    )
    filters = _queue_filters(actor, now)
    if queue in filters:
        queryset = queryset.filter(filters[queue], status__in=OPEN)
    elif queue == "resolved":
        queryset = queryset.filter(status=ConversationStatus.RESOLVED)
    else:
        queryset = queryset.none()
    return queryset.order_by("-last_message_at", "-pk")


def queue_counts(*, actor: Actor, now: datetime | None = None) -> dict[str, int]:
    return queue_summary(actor=actor, now=now)[0]


def queue_summary(
    *, actor: Actor, queue: str = "mine", now: datetime | None = None
) -> tuple[dict[str, int], str]:
    """The count of every open queue, and a version of ``queue`` that changes whenever one of
    its conversations changes or joins or leaves it — or any count changes — in one query."""
    filters = _queue_filters(actor, now or timezone.now())
    visible = visible_conversations(actor).filter(status__in=OPEN)
    # Prefixed: an aggregate named like a field ("branch") would hide it from the next filters.
    aggregates: dict[str, Any] = {f"n_{name}": Count("pk", filter=q) for name, q in filters.items()}
    if queue in filters:
        aggregates["latest"] = Max("updated_at", filter=filters[queue])
    summary = visible.aggregate(**aggregates)
    if queue not in filters:
        closed = conversation_list_for_agent(actor=actor, queue=queue, now=now).aggregate(
            latest=Max("updated_at"), count=Count("pk")
        )
        summary["latest"] = f"{closed['latest']}|{closed['count']}"
    counts = {name: summary[f"n_{name}"] for name in filters}
    raw = "|".join(str(value) for value in (summary["latest"], *counts.values()))
    return counts, hashlib.sha256(raw.encode()).hexdigest()[:16]


def message_list(*, conversation: Conversation) -> QuerySet[Message]:
    """The conversation in the order things happened (the events' own times)."""
    return (
        Message.objects.filter(
            regional_bank_id=conversation.regional_bank_id, conversation=conversation
        )
        .select_related("author__user", "outbound_call")
        .order_by("occurred_at", "created_at")
    )


def past_conversations(
    *, actor: Actor, conversation: Conversation, limit: int = 10
) -> QuerySet[Conversation]:
    contact = conversation.contact
    same_person = Q(contact=contact) | Q(contact__merged_into=contact)
    if contact.merged_into_id:
        same_person |= Q(contact_id=contact.merged_into_id)
    if contact.customer_id:
        same_person |= Q(contact__customer_id=contact.customer_id)
    return (
        visible_conversations(actor)
        .filter(same_person)
        .exclude(pk=conversation.pk)
        .order_by("-last_message_at")[:limit]
    )


def workload_for_manager(*, actor: Actor) -> list[dict[str, object]]:
    """Who holds what in the manager's scope: open, late, and presence, per person."""
    now = timezone.now()
    employees = (
        Employee.objects.filter(actor.scope_q("node__path"), is_active=True)
        .select_related("user", "agent_state")
        .annotate(
            open_count=Count("conversations", filter=Q(conversations__status__in=OPEN)),
            late_count=Count(
                "conversations",
                filter=Q(conversations__status__in=OPEN)
                & (
                    Q(conversations__first_response_due_at__lte=now)
                    | Q(conversations__next_response_due_at__lte=now)
                ),
            ),
        )
        .order_by("-late_count", "-open_count", "user__last_name")
    )
    return [
        {
            "employee": employee,
            "open": employee.open_count,
            "late": employee.late_count,
            "presence": getattr(getattr(employee, "agent_state", None), "presence", "offline"),
        }
        for employee in employees
    ]


def notification_list(*, actor: Actor, limit: int = 20) -> QuerySet[Notification]:
    return Notification.objects.filter(
        employee_id=actor.employee_id or 0, read_at__isnull=True
    ).order_by("-created_at")[:limit]


def merge_candidates(*, actor: Actor, conversation: Conversation, limit: int = 20) -> list[object]:
    """Contacts that may be the same person: same name, other channels, in the actor's scope."""
    from tandem.inbox.models import Contact

    contact = conversation.contact
    if not contact.display_name:
        return []
    ids = (
        visible_conversations(actor)
        .filter(
            contact__display_name__iexact=contact.display_name, contact__merged_into__isnull=True
        )
        .exclude(contact=contact)
        .values_list("contact_id", flat=True)
        .distinct()[:limit]
    )
    return list(Contact.objects.filter(pk__in=list(ids)))
