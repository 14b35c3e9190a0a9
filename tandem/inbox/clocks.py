"""Service-level clocks applied: due times on conversations, the sweep that warns and escalates.

Targets come from ``SlaPolicy`` rows (the regional bank's own, else the group defaults, else
``DEFAULT_TARGETS``), in the business hours of whoever answers (the 24/7 team counts every
minute). Due times never run past the messaging window (see ``sla.due_times``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core.schedule import stop_requested
from tandem.inbox import hours
from tandem.inbox.calendars import CalendarBook
from tandem.inbox.models import (
    Conversation,
    ConversationStatus,
    Message,
    MessageDirection,
    Notification,
    Priority,
    SlaPolicy,
    Team,
    TeamKind,
)
from tandem.inbox.sla import (
    Dues,
    EscalationLevel,
    SlaTargets,
    due_times,
    escalation_step,
    sla_state,
)
from tandem.organisation.models import Role, RoleGrant

logger = logging.getLogger(__name__)

DEFAULT_TARGETS: dict[str, SlaTargets] = {
    Priority.URGENT: SlaTargets(15, 15, 240, 5),
    Priority.HIGH: SlaTargets(60, 60, 8 * 60, 15),
    Priority.NORMAL: SlaTargets(4 * 60, 4 * 60, 2 * 8 * 60, 30),
    Priority.LOW: SlaTargets(8 * 60, 8 * 60, 5 * 8 * 60, 60),
}
RUNNING = (ConversationStatus.OPEN, ConversationStatus.WAITING)


def targets_for(*, regional_bank_id: int, priority: str) -> SlaTargets:
    policy = (
        SlaPolicy.objects.filter(
            Q(regional_bank_id=regional_bank_id) | Q(regional_bank__isnull=True), priority=priority
        )
        .order_by("regional_bank_id")  # NULLs sort last on both databases here: own first
        .first()
    )
    if policy is None:
        return DEFAULT_TARGETS[priority]
    return SlaTargets(
        policy.first_response_minutes,
        policy.next_response_minutes,
        policy.resolution_minutes,
        policy.warning_minutes,
    )


def _calendar(conversation: Conversation, book: CalendarBook) -> hours.Calendar:
    team = conversation.team
    if team is not None and team.always_open:
        return hours.make_calendar({}, conversation.branch.timezone, always_open=True)
    node = team.node if team is not None else conversation.branch
    calendar = book.node_calendar(node)
    if not any(calendar.hours.days):
        # A node with no hours recorded: count every minute rather than never reaching a target.
        return hours.make_calendar({}, node.timezone, always_open=True)
    return calendar


def conversation_clocks_refresh(*, conversation_id: Any, now: datetime | None = None) -> None:
    conversation = Conversation.objects.select_related("team__node", "branch").get(
        pk=conversation_id
    )
    if conversation.status not in RUNNING:
        return
    targets = targets_for(
        regional_bank_id=conversation.regional_bank_id, priority=conversation.priority
    )
    window = conversation.window_closes_at if not conversation.channel.endswith("comment") else None
    dues = due_times(
        targets=targets,
        calendar=_calendar(conversation, CalendarBook()),
        opened_at=conversation.created_at,
        last_customer_message_at=conversation.last_customer_message_at,
        first_response_at=conversation.first_response_at,
        window_closes_at=window,
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        first_response_due_at=None
        if conversation.first_response_at
        else dues.first_response_due_at,
        next_response_due_at=dues.next_response_due_at,
        resolution_due_at=dues.resolution_due_at,
    )


def _answered(conversation: Conversation) -> bool:
    if conversation.last_agent_message_at is None:
        return False
    last = conversation.last_customer_message_at
    return last is None or conversation.last_agent_message_at >= last


def _managers(conversation: Conversation) -> list[int]:
    ancestors = conversation.branch.ancestor_ids()
    return list(
        RoleGrant.objects.filter(
            role=Role.BRANCH_MANAGER, node_id__in=ancestors, employee__is_active=True
        )
        .values_list("employee_id", flat=True)
        .distinct()
    )


def _notify(employee_ids: list[int], conversation: Conversation, kind: str, text: str) -> None:
    Notification.objects.bulk_create(
        Notification(employee_id=pk, conversation=conversation, kind=kind, text=text)
        for pk in employee_ids
    )


def sla_sweep(*, now: datetime | None = None, limit: int = 2000) -> dict[str, int]:
    """Wake snoozed conversations, warn before breaches, escalate on breach."""
    now = now or timezone.now()
    counts = {"woken": 0, "warned": 0, "manager": 0, "pool": 0}
    for conversation in Conversation.objects.filter(
        status=ConversationStatus.SNOOZED, snoozed_until__lte=now
    )[:limit]:
        if stop_requested():  # the worker is stopping: the rest waits for the next run
            return counts
        Conversation.objects.filter(pk=conversation.pk).update(
            status=ConversationStatus.OPEN, snoozed_until=None
        )
        counts["woken"] += 1
    candidates = (
        Conversation.objects.select_related("branch", "team", "assignee", "contact")
        .filter(status__in=RUNNING)
        .filter(
            Q(first_response_due_at__isnull=False)
            | Q(next_response_due_at__isnull=False)
            | Q(resolution_due_at__isnull=False)
        )
        .filter(escalation_level__lt=EscalationLevel.REGIONAL_POOL)[:limit]
    )
    for conversation in candidates:
        if stop_requested():
            return counts
        status = sla_state(
            dues=Dues(
                conversation.first_response_due_at,
                conversation.next_response_due_at,
                conversation.resolution_due_at,
            ),
            now=now,
            warning_minutes=targets_for(
                regional_bank_id=conversation.regional_bank_id, priority=conversation.priority
            ).warning_minutes,
            answered=_answered(conversation),
        )
        level = escalation_step(current_level=conversation.escalation_level, state=status)
        if level == conversation.escalation_level:
            continue
        with transaction.atomic():
            Conversation.objects.filter(pk=conversation.pk).update(
                escalation_level=level, sla_warned_at=now
            )
            due = timezone.localtime(status.due_at).strftime("%d/%m %H:%M") if status.due_at else ""
            if conversation.escalation_level < EscalationLevel.ASSIGNEE_WARNED <= level:
                people = (
                    [conversation.assignee_id]
                    if conversation.assignee_id
                    else (
                        list(conversation.team.members.values_list("pk", flat=True))
                        if conversation.team
                        else []
                    )
                )
                _notify(
                    people,
                    conversation,
                    "sla_warning",
                    _("Reply due by %(due)s for %(contact)s.")
                    % {"due": due, "contact": conversation.contact},
                )
                counts["warned"] += 1
            if conversation.escalation_level < EscalationLevel.BRANCH_MANAGER <= level:
                _notify(
                    _managers(conversation),
                    conversation,
                    "sla_breached",
                    _("Late: %(contact)s has waited since %(due)s.")
                    % {"due": due, "contact": conversation.contact},
                )
                _system(conversation, _("Service level missed: the branch manager is alerted."))
                counts["manager"] += 1
            if conversation.escalation_level < EscalationLevel.REGIONAL_POOL <= level:
                pool = (
                    conversation.team
                    if conversation.team and conversation.team.kind == (TeamKind.REGIONAL_POOL)
                    else None
                )
                pool = (
                    pool
                    or Team.objects.filter(
                        regional_bank_id=conversation.regional_bank_id, kind=TeamKind.REGIONAL_POOL
                    ).first()
                )
                if pool is not None:
                    Conversation.objects.filter(pk=conversation.pk).update(
                        team=pool, assignee=None, queued_at=now
                    )
                    _system(conversation, _("Still late: handed to %(team)s.") % {"team": pool})
                    counts["pool"] += 1
    return counts


def _system(conversation: Conversation, text: str) -> None:
    Message.objects.create(
        regional_bank_id=conversation.regional_bank_id,
        conversation=conversation,
        direction=MessageDirection.SYSTEM,
        text=text,
        occurred_at=timezone.now(),
        meta={"action": "sla"},
    )
