"""Who takes a conversation: pure rules over a snapshot of the people and teams involved.

The service (``services.conversation_route``) loads the snapshot — presence, capacity, load,
working hours, the teams of the branch and the region — and applies the decision. Everything
here is plain data in, plain data out, so each rule is tested with time under control.

The rules, in order:

1. A **returning** conversation goes back to its previous person only when that person can
   take it now; otherwise routing runs again and that person is told.
2. A **linked** customer (their social identity linked to the bank's customer record) goes to
   their own advisor when the advisor is active, present, in working hours and under capacity;
   else to their branch's team; else to the regional pool.
3. An **urgent topic** (lost or stolen card, fraud) goes to the 24/7 team — for a linked
   customer, once their advisor and branch cannot act at once (closed, away, at capacity);
   other topics out of hours wait in the branch's queue.
4. Other topics with an expert team go to it: complaints → the complaints desk, job
   applications → the recruiters.
5. Otherwise, to the owner of the account the message came through: a branch's Page → that
   branch's team; a regional Page → the regional community managers.

Within a team the next conversation goes to the eligible person served longest ago (fair
rotation), so over many conversations loads differ by at most one. When every eligible person
is at capacity, the conversation waits in the team's first-in-first-out queue.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

URGENT_TOPICS = frozenset({"card_lost", "fraud"})
EXPERT_TEAM_FOR_TOPIC = {
    "card_lost": "urgent",
    "fraud": "urgent",
    "complaint": "complaints",
    "job_application": "recruiting",
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Candidate:
    employee_id: int
    active: bool
    presence: str  # available, busy, away, offline
    in_working_hours: bool
    capacity: int
    open_conversations: int
    last_assigned_at: datetime | None = None

    @property
    def can_take(self) -> bool:
        return (
            self.active
            and self.presence == "available"
            and self.in_working_hours
            and self.open_conversations < self.capacity
        )


@dataclass(frozen=True)
class TeamSnapshot:
    team_id: int
    kind: str
    node_id: int
    open_now: bool
    members: tuple[Candidate, ...] = ()


@dataclass(frozen=True)
class RoutingInput:
    topic: str
    # The account's owner: "branch" or "regional" (regional bank, brand or group).
    account_owner_level: str
    account_team: TeamSnapshot | None
    linked_advisor: Candidate | None = None
    customer_branch_team: TeamSnapshot | None = None
    expert_teams: dict[str, TeamSnapshot] = field(default_factory=dict)
    regional_pool: TeamSnapshot | None = None
    previous_assignee: Candidate | None = None
    previous_team: TeamSnapshot | None = None


class Reason(enum.StrEnum):
    RETURNING = "returning"
    OWN_ADVISOR = "own_advisor"
    CUSTOMER_BRANCH = "customer_branch"
    REGIONAL_POOL = "regional_pool"
    URGENT_TEAM = "urgent_team"
    EXPERT_TEAM = "expert_team"
    ACCOUNT_OWNER = "account_owner"
    QUEUED = "queued"
    NO_TEAM = "no_team"


@dataclass(frozen=True)
class RoutingDecision:
    reason: Reason
    team_id: int | None
    assignee_id: int | None
    # Waiting in ``team_id``'s queue because nobody eligible can take it now.
    queued: bool = False
    # Someone to tell (the previous person of a returning customer who could not take it).
    notify_employee_id: int | None = None


def pick_fairly(candidates: Sequence[Candidate]) -> Candidate | None:
    """The eligible person served longest ago; ties by lighter load, then by id."""
    eligible = [candidate for candidate in candidates if candidate.can_take]
    if not eligible:
        return None
    return min(
        eligible,
        key=lambda c: (c.last_assigned_at or _EPOCH, c.open_conversations, c.employee_id),
    )


def _to_team(team: TeamSnapshot, reason: Reason) -> RoutingDecision | None:
    """Someone in ``team`` now, or None (the caller decides whether to queue or go on)."""
    person = pick_fairly(team.members) if team.open_now else None
    if person is None:
        return None
    return RoutingDecision(reason=reason, team_id=team.team_id, assignee_id=person.employee_id)


def _queue(team: TeamSnapshot | None, notify: int | None) -> RoutingDecision:
    if team is None:
        return RoutingDecision(
            reason=Reason.NO_TEAM, team_id=None, assignee_id=None, notify_employee_id=notify
        )
    return RoutingDecision(
        reason=Reason.QUEUED,
        team_id=team.team_id,
        assignee_id=None,
        queued=True,
        notify_employee_id=notify,
    )


def route(request: RoutingInput) -> RoutingDecision:  # noqa: PLR0911, PLR0912 — one exit per rule
    notify = None
    previous = request.previous_assignee
    if previous is not None:
        if previous.can_take:
            team_id = request.previous_team.team_id if request.previous_team else None
            return RoutingDecision(
                reason=Reason.RETURNING, team_id=team_id, assignee_id=previous.employee_id
            )
        notify = previous.employee_id

    urgent = request.topic in URGENT_TOPICS
    # A linked customer's own branch handles even urgent matters while it can act at once.
    home_team = request.customer_branch_team
    urgent_team = request.expert_teams.get("urgent")

    if request.linked_advisor is not None and request.linked_advisor.can_take:
        team_id = request.customer_branch_team.team_id if request.customer_branch_team else None
        return RoutingDecision(
            reason=Reason.OWN_ADVISOR,
            team_id=team_id,
            assignee_id=request.linked_advisor.employee_id,
            notify_employee_id=notify,
        )

    if urgent and urgent_team is not None:
        # Urgent matters go to the home team only when someone there can act at once.
        if home_team is not None and (decision := _to_team(home_team, Reason.CUSTOMER_BRANCH)):
            return _with_notify(decision, notify)
        if decision := _to_team(urgent_team, Reason.URGENT_TEAM):
            return _with_notify(decision, notify)
        return _queue(urgent_team, notify)

    if request.linked_advisor is not None or request.customer_branch_team is not None:
        if request.customer_branch_team is not None and (
            decision := _to_team(request.customer_branch_team, Reason.CUSTOMER_BRANCH)
        ):
            return _with_notify(decision, notify)
        if request.regional_pool is not None and (
            decision := _to_team(request.regional_pool, Reason.REGIONAL_POOL)
        ):
            return _with_notify(decision, notify)
        return _queue(request.customer_branch_team or request.regional_pool, notify)

    expert_kind = EXPERT_TEAM_FOR_TOPIC.get(request.topic)
    expert = request.expert_teams.get(expert_kind) if expert_kind else None
    if expert is not None:
        if decision := _to_team(expert, Reason.EXPERT_TEAM):
            return _with_notify(decision, notify)
        return _queue(expert, notify)

    if request.account_team is not None:
        if decision := _to_team(request.account_team, Reason.ACCOUNT_OWNER):
            return _with_notify(decision, notify)
        return _queue(request.account_team, notify)
    if request.regional_pool is not None:
        if decision := _to_team(request.regional_pool, Reason.REGIONAL_POOL):
            return _with_notify(decision, notify)
        return _queue(request.regional_pool, notify)
    return _queue(None, notify)


def _with_notify(decision: RoutingDecision, notify: int | None) -> RoutingDecision:
    if notify is None or notify == decision.assignee_id:
        return decision
    return RoutingDecision(
        reason=decision.reason,
        team_id=decision.team_id,
        assignee_id=decision.assignee_id,
        queued=decision.queued,
        notify_employee_id=notify,
    )


def next_in_queue(waiting: Sequence[tuple[str, datetime]]) -> str | None:
    """First in, first out: the conversation that has waited longest (ties by id)."""
    if not waiting:
        return None
    return min(waiting, key=lambda item: (item[1], item[0]))[0]
