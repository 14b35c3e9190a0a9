"""Service levels as pure functions: when a conversation is due, how it stands, who is told.

Three clocks run in business time (the calendar of the team or branch answering, see
:mod:`tandem.inbox.hours`; a 24/7 team's calendar counts every minute):

* **first response** — from the opening of the conversation until the first agent reply;
* **next response** — once an agent has replied, from the customer's latest message after that
  reply until the next agent reply;
* **resolution** — from the opening of the conversation until it is resolved.

Meta only lets us answer freely while the messaging window is open (see
``tandem.connectors.meta.windows``), so no clock runs past it: every due time is capped at the
window's close minus a safety margin, and a conversation nobody can answer in time reaches the
escalation ladder while a reply is still possible.

The escalation ladder (:class:`EscalationLevel`), which only ever goes up:

0. nothing to do;
1. a clock enters its warning period: the assignee (or, unassigned, the team) is warned;
2. a clock is breached: the branch manager is alerted;
3. still breached :data:`REGIONAL_POOL_AFTER` after the due time: the regional pool takes it.

A due time is the first instant of the breach: a reply *at* the due time is late.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from tandem.inbox.hours import Calendar, add_business_minutes

__all__ = [
    "DEFAULT_WINDOW_MARGIN",
    "REGIONAL_POOL_AFTER",
    "Dues",
    "EscalationLevel",
    "SlaClock",
    "SlaState",
    "SlaStatus",
    "SlaTargets",
    "due_times",
    "escalation_step",
    "sla_state",
]

#: Due times stop this long before the messaging window closes, to leave time to reply.
DEFAULT_WINDOW_MARGIN: Final = timedelta(minutes=30)
#: How long the branch manager has, after a breach, before the regional pool takes over.
REGIONAL_POOL_AFTER: Final = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class SlaTargets:
    """Targets in business minutes, as in ``SlaPolicy`` (``warning_minutes``: wall minutes)."""

    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int
    warning_minutes: int

    def __post_init__(self) -> None:
        for name in (
            "first_response_minutes",
            "next_response_minutes",
            "resolution_minutes",
            "warning_minutes",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")


@dataclass(frozen=True, slots=True)
class Dues:
    """When each clock is breached; ``None`` for a clock that is not running."""

    first_response_due_at: datetime | None
    next_response_due_at: datetime | None
    resolution_due_at: datetime | None


class SlaClock(enum.StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class SlaState(enum.StrEnum):
    OK = "ok"
    #: Less than the warning period left before a due time.
    WARNING = "warning"
    BREACHED = "breached"


_SEVERITY: Final = {SlaState.OK: 0, SlaState.WARNING: 1, SlaState.BREACHED: 2}


@dataclass(frozen=True, slots=True)
class SlaStatus:
    """The most urgent running clock: its state, which clock, when it is due (UTC), how late.

    ``clock`` and ``due_at`` are ``None`` when no clock runs; ``overdue`` is zero unless
    breached.
    """

    state: SlaState
    clock: SlaClock | None = None
    due_at: datetime | None = None
    overdue: timedelta = timedelta(0)


class EscalationLevel(enum.IntEnum):
    """Stored in ``Conversation.escalation_level``; see the ladder in the module docstring."""

    NONE = 0
    ASSIGNEE_WARNED = 1
    BRANCH_MANAGER = 2
    REGIONAL_POOL = 3


def due_times(
    *,
    targets: SlaTargets,
    calendar: Calendar,
    opened_at: datetime,
    last_customer_message_at: datetime | None,
    first_response_at: datetime | None,
    window_closes_at: datetime | None,
    window_margin: timedelta = DEFAULT_WINDOW_MARGIN,
) -> Dues:
    """The due time of each clock, in UTC.

    * first response: ``opened_at`` + ``first_response_minutes`` of business time (kept once
      answered, so reports can tell whether it was met);
    * next response: ``last_customer_message_at`` + ``next_response_minutes``, only when the
      customer wrote after the first reply (``first_response_at``); otherwise ``None``;
    * resolution: ``opened_at`` + ``resolution_minutes``.

    Each is capped at ``window_closes_at - window_margin`` when that is earlier — even when the
    cap is already past, so the conversation escalates at once. ``window_closes_at=None``
    means no window applies (or it is unknown) and nothing is capped. Recompute whenever an
    input changes. Raises ``ValueError`` for naive datetimes, a negative margin, or a calendar
    that cannot reach a target (see :func:`~tandem.inbox.hours.add_business_minutes`).
    """
    if window_margin < timedelta(0):
        raise ValueError("window_margin must not be negative")
    cap = None if window_closes_at is None else _utc(window_closes_at) - window_margin
    for moment in (last_customer_message_at, first_response_at):
        if moment is not None:
            _utc(moment)  # refuse naive datetimes even where they end up unused

    def due(start: datetime, minutes: int) -> datetime:
        target = add_business_minutes(calendar, start, minutes)
        return target if cap is None else min(target, cap)

    next_response_due_at = None
    if (
        first_response_at is not None
        and last_customer_message_at is not None
        and _utc(last_customer_message_at) > _utc(first_response_at)
    ):
        next_response_due_at = due(last_customer_message_at, targets.next_response_minutes)
    return Dues(
        first_response_due_at=due(opened_at, targets.first_response_minutes),
        next_response_due_at=next_response_due_at,
        resolution_due_at=due(opened_at, targets.resolution_minutes),
    )


def sla_state(*, dues: Dues, now: datetime, warning_minutes: int, answered: bool) -> SlaStatus:
    """Where the conversation stands at ``now``: the worst state among the running clocks.

    ``answered`` means the customer's latest message has an agent reply: the response clocks
    are stopped and only resolution runs. Otherwise the response clock is the next-response
    one when set, else the first-response one. A clock is breached from its due time on, in
    warning during the ``warning_minutes`` (wall-clock) before it. Among equally bad clocks the
    one due first is reported, so ``due_at`` is always the next deadline that matters. Pass
    ``resolution_due_at=None`` for a resolved (or paused) conversation.
    """
    if warning_minutes < 0:
        raise ValueError("warning_minutes must not be negative")
    instant = _utc(now)
    warning = timedelta(minutes=warning_minutes)
    running: list[tuple[SlaClock, datetime]] = []
    if not answered:
        if dues.next_response_due_at is not None:
            running.append((SlaClock.NEXT_RESPONSE, dues.next_response_due_at))
        elif dues.first_response_due_at is not None:
            running.append((SlaClock.FIRST_RESPONSE, dues.first_response_due_at))
    if dues.resolution_due_at is not None:
        running.append((SlaClock.RESOLUTION, dues.resolution_due_at))
    if not running:
        return SlaStatus(SlaState.OK)

    ranked: list[tuple[int, datetime, SlaStatus]] = []
    for clock, due_at in running:
        due_utc = _utc(due_at)
        if instant >= due_utc:
            status = SlaStatus(SlaState.BREACHED, clock, due_utc, instant - due_utc)
        elif instant >= due_utc - warning:
            status = SlaStatus(SlaState.WARNING, clock, due_utc)
        else:
            status = SlaStatus(SlaState.OK, clock, due_utc)
        ranked.append((-_SEVERITY[status.state], due_utc, status))
    # min() keeps the first of equals: the response clock before resolution at the same time.
    return min(ranked, key=lambda item: (item[0], item[1]))[2]


def escalation_step(
    *,
    current_level: int,
    state: SlaStatus,
    regional_pool_after: timedelta = REGIONAL_POOL_AFTER,
) -> EscalationLevel:
    """The level the conversation should be at now, never below ``current_level``.

    Warning → 1, breached → 2, breached for ``regional_pool_after`` or longer → 3. The level
    may jump several rungs at once (a breach found on the first sweep goes straight to 2);
    the caller then does the work of every rung crossed. The ladder never goes down here: the
    service resets the level to 0 when the customer gets an answer.
    """
    if not EscalationLevel.NONE <= current_level <= EscalationLevel.REGIONAL_POOL:
        raise ValueError(f"unknown escalation level {current_level}")
    if state.state is SlaState.BREACHED:
        target = (
            EscalationLevel.REGIONAL_POOL
            if state.overdue >= regional_pool_after
            else EscalationLevel.BRANCH_MANAGER
        )
    elif state.state is SlaState.WARNING:
        target = EscalationLevel.ASSIGNEE_WARNED
    else:
        target = EscalationLevel.NONE
    return EscalationLevel(max(current_level, target))


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {at!r}")
    return at.astimezone(UTC)
