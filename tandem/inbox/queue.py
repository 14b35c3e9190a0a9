"""Routing applied: snapshots of the people involved, assignment, and the waiting queue."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tandem.core.audit import audit_record
from tandem.core.schedule import stop_requested
from tandem.inbox import routing
from tandem.inbox.calendars import CalendarBook
from tandem.inbox.models import (
    AgentState,
    Conversation,
    ConversationStatus,
    Message,
    MessageDirection,
    Notification,
    Team,
    TeamKind,
)
from tandem.organisation.models import Employee, NodeKind

logger = logging.getLogger(__name__)

OPEN_STATUSES = (ConversationStatus.OPEN, ConversationStatus.WAITING)


def _loads(employee_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        Conversation.objects.filter(assignee_id__in=list(employee_ids), status__in=OPEN_STATUSES)
        .values("assignee_id")
        .annotate(count=Count("pk"))
        .values_list("assignee_id", "count")
    )


class Snapshot:
    """Candidates and teams for one routing decision, read with a handful of queries."""

    def __init__(self, *, regional_bank_id: int, now: datetime) -> None:
        self.regional_bank_id = regional_bank_id
        self.now = now
        self.calendars = CalendarBook()
        self.teams = {
            team.pk: team
            for team in Team.objects.filter(regional_bank_id=regional_bank_id)
            .select_related("node")
            .prefetch_related("members__node", "members__agent_state")
        }
        member_ids = {member.pk for team in self.teams.values() for member in team.members.all()}
        self._loads = dict.fromkeys(member_ids, 0) | _loads(member_ids)
        self._candidates: dict[int, routing.Candidate] = {}

    def candidate(self, employee: Employee) -> routing.Candidate:
        if employee.pk in self._candidates:
            return self._candidates[employee.pk]
        state = getattr(employee, "agent_state", None)
        if employee.pk not in self._loads:
            self._loads[employee.pk] = _loads([employee.pk]).get(employee.pk, 0)
        candidate = routing.Candidate(
            employee_id=employee.pk,
            active=employee.is_active,
            presence=state.presence if state else "offline",
            in_working_hours=self.calendars.employee_working(employee, self.now),
            capacity=state.capacity if state else 0,
            open_conversations=self._loads.get(employee.pk, 0),
            last_assigned_at=state.last_assigned_at if state else None,
        )
        self._candidates[employee.pk] = candidate
        return candidate

    def team(self, team: Team | None) -> routing.TeamSnapshot | None:
        if team is None:
            return None
        return routing.TeamSnapshot(
            team_id=team.pk,
            kind=team.kind,
            node_id=team.node_id,
            open_now=team.always_open or self.calendars.node_open(team.node, self.now),
            # A 24/7 team works in shifts: its members count as on duty around the clock
            # (presence says who is actually there).
            members=tuple(
                replace(self.candidate(member), in_working_hours=True)
                if team.always_open
                else self.candidate(member)
                for member in team.members.all()
            ),
        )

    def find(self, *, kind: str, node_id: int | None = None) -> Team | None:
        for team in self.teams.values():
            if team.kind == kind and (node_id is None or team.node_id == node_id):
                return team
        return None


def routing_input(
    conversation: Conversation, snapshot: Snapshot, *, returning: bool
) -> routing.RoutingInput:
    account = conversation.account
    owner = account.owner
    if owner.kind == NodeKind.BRANCH:
        account_team = snapshot.find(kind=TeamKind.BRANCH, node_id=owner.pk)
        level = "branch"
    else:
        account_team = snapshot.find(kind=TeamKind.COMMUNITY) or snapshot.find(
            kind=TeamKind.REGIONAL_POOL
        )
        level = "regional"
    customer = conversation.contact.customer
    linked_advisor = None
    customer_branch_team = None
    if customer is not None and customer.regional_bank_id == conversation.regional_bank_id:
        if customer.advisor is not None:
            linked_advisor = snapshot.candidate(customer.advisor)
        customer_branch_team = snapshot.find(kind=TeamKind.BRANCH, node_id=customer.branch_id)
    previous = None
    previous_team = None
    if returning and conversation.assignee is not None:
        previous = snapshot.candidate(conversation.assignee)
        previous_team = conversation.team
    experts = {
        kind: team
        for kind in (TeamKind.URGENT, TeamKind.COMPLAINTS, TeamKind.RECRUITING)
        if (team := snapshot.team(snapshot.find(kind=kind))) is not None
    }
    return routing.RoutingInput(
        topic=conversation.topic,
        account_owner_level=level,
        account_team=snapshot.team(account_team),
        linked_advisor=linked_advisor,
        customer_branch_team=snapshot.team(customer_branch_team),
        expert_teams={str(kind): team for kind, team in experts.items()},
        regional_pool=snapshot.team(snapshot.find(kind=TeamKind.REGIONAL_POOL)),
        previous_assignee=previous,
        previous_team=snapshot.team(previous_team),
    )


def assign(*, conversation: Conversation, employee_id: int, team_id: int | None) -> None:
    """Give ``conversation`` to an employee (and move them to the back of the rotation)."""
    now = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(
        assignee_id=employee_id,
        team_id=team_id,
        assigned_at=now,
        queued_at=None,
    )
    AgentState.objects.get_or_create(employee_id=employee_id)
    AgentState.objects.filter(employee_id=employee_id).update(last_assigned_at=now)
    conversation.assignee_id = employee_id
    conversation.team_id = team_id


REASON_TEXT = {
    routing.Reason.RETURNING: gettext_noop("the customer came back to the same person"),
    routing.Reason.OWN_ADVISOR: gettext_noop("the customer's own advisor"),
    routing.Reason.CUSTOMER_BRANCH: gettext_noop("the customer's branch"),
    routing.Reason.REGIONAL_POOL: gettext_noop("the regional pool"),
    routing.Reason.URGENT_TEAM: gettext_noop("the 24/7 team (urgent topic)"),
    routing.Reason.EXPERT_TEAM: gettext_noop("the expert team for this topic"),
    routing.Reason.ACCOUNT_OWNER: gettext_noop("the team of the page it came through"),
}


def _assigned_text(employee: Employee, reason: routing.Reason) -> str:
    return _("Assigned to %(name)s (%(reason)s).") % {
        "name": employee,
        "reason": _(REASON_TEXT.get(reason, str(reason))),
    }


@transaction.atomic
def conversation_route(
    *, conversation: Conversation, returning: bool = False, now: datetime | None = None
) -> routing.RoutingDecision:
    """Decide who takes ``conversation`` now and apply it: assign, or queue (FIFO)."""
    from tandem.inbox.clocks import conversation_clocks_refresh

    now = now or timezone.now()
    conversation = Conversation.objects.select_related(
        "account__owner",
        "contact__customer__advisor__agent_state",
        "contact__customer__advisor__node",
        "assignee__agent_state",
        "assignee__node",
        "team",
    ).get(pk=conversation.pk)
    snapshot = Snapshot(regional_bank_id=conversation.regional_bank_id, now=now)
    decision = routing.route(routing_input(conversation, snapshot, returning=returning))
    if decision.assignee_id is not None:
        if (
            decision.assignee_id != conversation.assignee_id
            or decision.reason != routing.Reason.RETURNING
        ):
            assign(
                conversation=conversation,
                employee_id=decision.assignee_id,
                team_id=decision.team_id,
            )
            employee = Employee.objects.select_related("user").get(pk=decision.assignee_id)
            _system(
                conversation,
                _assigned_text(employee, decision.reason),
                action="assigned",
                reason=str(decision.reason),
            )
    else:
        Conversation.objects.filter(pk=conversation.pk).update(
            assignee=None,
            team_id=decision.team_id,
            queued_at=conversation.queued_at or now,
        )
        team = snapshot.teams.get(decision.team_id) if decision.team_id else None
        if conversation.queued_at is None:
            _system(
                conversation,
                _("Waiting for a free person in %(team)s.") % {"team": team}
                if team
                else _("No team can take this conversation: check the routing set-up."),
                action="queued",
            )
    if decision.notify_employee_id is not None:
        Notification.objects.create(
            employee_id=decision.notify_employee_id,
            conversation=conversation,
            kind="customer_returned",
            text=_("%(contact)s wrote again; you were unavailable, so it went to a colleague.")
            % {"contact": conversation.contact},
        )
    conversation_clocks_refresh(conversation_id=conversation.pk, now=now)
    return decision


def _system(conversation: Conversation, text: str, **meta: object) -> None:
    Message.objects.create(
        regional_bank_id=conversation.regional_bank_id,
        conversation=conversation,
        direction=MessageDirection.SYSTEM,
        text=text,
        occurred_at=timezone.now(),
        meta=meta,
    )
    audit_record(
        actor=None,
        action=f"inbox.conversation.{meta.get('action', 'routed')}",
        regional_bank_id=conversation.regional_bank_id,
        object_type="conversation",
        object_id=conversation.pk,
        data={key: value for key, value in meta.items() if key != "action"},
    )


def queue_dispatch(*, regional_bank_id: int, now: datetime | None = None, limit: int = 200) -> int:
    """Hand waiting conversations out, oldest first, to whoever can take them now."""
    now = now or timezone.now()
    waiting = list(
        Conversation.objects.filter(
            regional_bank_id=regional_bank_id,
            queued_at__isnull=False,
            assignee__isnull=True,
            status__in=OPEN_STATUSES,
        ).order_by("queued_at", "pk")[:limit]
    )
    handed = 0
    for conversation in waiting:
        if stop_requested():  # the worker is stopping: the rest waits for the next run
            break
        decision = conversation_route(conversation=conversation, now=now)
        if decision.assignee_id is not None:
            handed += 1
    return handed


def queue_dispatch_on_commit(*, regional_bank_id: int) -> None:
    """Someone freed up: hand out what waits, once the current change is committed."""
    from tandem.core.tasks import enqueue_on_commit
    from tandem.inbox.tasks import queue_dispatch_task

    enqueue_on_commit(queue_dispatch_task, regional_bank_id)
