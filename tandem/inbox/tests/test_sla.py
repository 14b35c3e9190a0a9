"""Service levels: due times in business time, capped by the messaging window; state; ladder.

Dates (2026, Europe/Paris, summer time +02:00): Fri 5 Jun, Sat 6 Jun, Sun 7 Jun, Tue 9 Jun.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.inbox.hours import add_business_minutes, make_calendar
from tandem.inbox.sla import (
    DEFAULT_WINDOW_MARGIN,
    REGIONAL_POOL_AFTER,
    Dues,
    EscalationLevel,
    SlaClock,
    SlaState,
    SlaStatus,
    SlaTargets,
    due_times,
    escalation_step,
    sla_state,
)

PARIS = ZoneInfo("Europe/Paris")
WORKDAY = [["09:00", "12:30"], ["14:00", "18:00"]]
CALENDARS = {
    "tue-sat": make_calendar(
        dict.fromkeys(("tue", "wed", "thu", "fri"), WORKDAY) | {"sat": [["09:00", "12:30"]]},
        PARIS,
    ),
    "mon-fri": make_calendar(dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), WORKDAY), PARIS),
    "24/7": make_calendar({}, PARIS, always_open=True),
}
TARGETS = SlaTargets(
    first_response_minutes=30,
    next_response_minutes=60,
    resolution_minutes=480,
    warning_minutes=15,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def paris(instant: datetime | None) -> str | None:
    return None if instant is None else instant.astimezone(PARIS).isoformat()


# --- targets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    ["first_response_minutes", "next_response_minutes", "resolution_minutes", "warning_minutes"],
)
def test_targets_must_not_be_negative(field: str) -> None:
    values = {
        "first_response_minutes": 30,
        "next_response_minutes": 60,
        "resolution_minutes": 480,
        "warning_minutes": 15,
    }
    values[field] = -1

    with pytest.raises(ValueError, match=field):
        SlaTargets(**values)


# --- due_times ------------------------------------------------------------------------------

FRIDAY_EVENING = "2026-06-05T17:50:00+02:00"


@pytest.mark.parametrize(
    (
        "calendar",
        "opened_at",
        "last_customer_message_at",
        "first_response_at",
        "window_closes_at",
        "expected",
    ),
    [
        pytest.param(
            "tue-sat", FRIDAY_EVENING, FRIDAY_EVENING, None, None,
            # 10 min on Friday, then Saturday morning; resolution: 10 + 210 + 210 + 50 minutes.
            ("2026-06-06T09:20:00+02:00", None, "2026-06-09T14:50:00+02:00"),
            id="friday-evening-open-saturday",
        ),
        pytest.param(
            "mon-fri", FRIDAY_EVENING, FRIDAY_EVENING, None, None,
            ("2026-06-08T09:20:00+02:00", None, "2026-06-09T09:20:00+02:00"),
            id="friday-evening-closed-saturday",
        ),
        pytest.param(
            "tue-sat", FRIDAY_EVENING, FRIDAY_EVENING, None, "2026-06-06T17:50:00+02:00",
            # The first response fits in the window; resolution is capped 30 min before it.
            ("2026-06-06T09:20:00+02:00", None, "2026-06-06T17:20:00+02:00"),
            id="window-caps-resolution-only",
        ),
        pytest.param(
            "mon-fri", FRIDAY_EVENING, FRIDAY_EVENING, None, "2026-06-06T17:50:00+02:00",
            # Monday 09:20 is past the window: escalate while a reply is still possible.
            ("2026-06-06T17:20:00+02:00", None, "2026-06-06T17:20:00+02:00"),
            id="window-caps-first-response",
        ),
        pytest.param(
            "tue-sat", "2026-06-09T10:00:00+02:00", "2026-06-09T10:00:00+02:00", None,
            "2026-06-09T10:20:00+02:00",
            # The window closes in 20 minutes: already past the cap, breached at once.
            ("2026-06-09T09:50:00+02:00", None, "2026-06-09T09:50:00+02:00"),
            id="cap-already-past",
        ),
        pytest.param(
            "tue-sat", FRIDAY_EVENING, "2026-06-06T10:00:00+02:00", "2026-06-06T09:10:00+02:00",
            "2026-06-07T10:00:00+02:00",
            # Customer wrote again after the first reply: next response within 60 minutes;
            # resolution (Tuesday 14:50) is capped 30 minutes before the window closes.
            (
                "2026-06-06T09:20:00+02:00",
                "2026-06-06T11:00:00+02:00",
                "2026-06-07T09:30:00+02:00",
            ),
            id="next-response",
        ),
        pytest.param(
            "tue-sat", FRIDAY_EVENING, "2026-06-06T15:00:00+02:00", "2026-06-06T09:10:00+02:00",
            "2026-06-07T15:00:00+02:00",
            # Saturday afternoon is closed: Tuesday 10:00 is past the window, so Sunday 14:30.
            (
                "2026-06-06T09:20:00+02:00",
                "2026-06-07T14:30:00+02:00",
                "2026-06-07T14:30:00+02:00",
            ),
            id="next-response-capped",
        ),
        pytest.param(
            "tue-sat", FRIDAY_EVENING, "2026-06-06T09:00:00+02:00", "2026-06-06T09:10:00+02:00",
            None,
            # The customer's last message came before the reply: no next-response clock.
            ("2026-06-06T09:20:00+02:00", None, "2026-06-09T14:50:00+02:00"),
            id="no-next-response-before-first-reply",
        ),
        pytest.param(
            "tue-sat", FRIDAY_EVENING, "2026-06-06T09:10:00+02:00", "2026-06-06T09:10:00+02:00",
            None,
            ("2026-06-06T09:20:00+02:00", None, "2026-06-09T14:50:00+02:00"),
            id="no-next-response-at-same-instant",
        ),
        pytest.param(
            "tue-sat", FRIDAY_EVENING, None, "2026-06-06T09:10:00+02:00", None,
            ("2026-06-06T09:20:00+02:00", None, "2026-06-09T14:50:00+02:00"),
            id="no-customer-message",
        ),
        pytest.param(
            "24/7", FRIDAY_EVENING, FRIDAY_EVENING, None, "2026-06-06T17:50:00+02:00",
            ("2026-06-05T18:20:00+02:00", None, "2026-06-06T01:50:00+02:00"),
            id="24/7-plain-addition",
        ),
        pytest.param(
            "24/7", "2026-03-28T23:30:00+01:00", "2026-03-28T23:30:00+01:00", None, None,
            # Resolution across the spring clock change: 8 real hours.
            ("2026-03-29T00:00:00+01:00", None, "2026-03-29T08:30:00+02:00"),
            id="24/7-across-dst",
        ),
    ],
)  # fmt: skip
def test_due_times(
    *,
    calendar: str,
    opened_at: str,
    last_customer_message_at: str | None,
    first_response_at: str | None,
    window_closes_at: str | None,
    expected: tuple[str, str | None, str],
) -> None:
    dues = due_times(
        targets=TARGETS,
        calendar=CALENDARS[calendar],
        opened_at=at(opened_at),
        last_customer_message_at=at(last_customer_message_at) if last_customer_message_at else None,
        first_response_at=at(first_response_at) if first_response_at else None,
        window_closes_at=at(window_closes_at) if window_closes_at else None,
    )

    assert (
        paris(dues.first_response_due_at),
        paris(dues.next_response_due_at),
        paris(dues.resolution_due_at),
    ) == expected


@pytest.mark.parametrize(
    ("margin", "expected"),
    [
        (timedelta(0), "2026-06-06T17:50:00+02:00"),
        (timedelta(hours=2), "2026-06-06T15:50:00+02:00"),
        (DEFAULT_WINDOW_MARGIN, "2026-06-06T17:20:00+02:00"),
    ],
)
def test_due_times_window_margin_is_a_parameter(margin: timedelta, expected: str) -> None:
    dues = due_times(
        targets=TARGETS,
        calendar=CALENDARS["mon-fri"],
        opened_at=at(FRIDAY_EVENING),
        last_customer_message_at=at(FRIDAY_EVENING),
        first_response_at=None,
        window_closes_at=at("2026-06-06T17:50:00+02:00"),
        window_margin=margin,
    )

    assert paris(dues.first_response_due_at) == expected


def test_due_times_are_utc() -> None:
    dues = due_times(
        targets=TARGETS,
        calendar=CALENDARS["tue-sat"],
        opened_at=at(FRIDAY_EVENING),
        last_customer_message_at=at(FRIDAY_EVENING),
        first_response_at=None,
        window_closes_at=at("2026-06-06T17:50:00+02:00"),
    )

    assert dues.first_response_due_at is not None
    assert dues.first_response_due_at.tzinfo is UTC
    assert dues.resolution_due_at is not None
    assert dues.resolution_due_at.tzinfo is UTC


def test_due_times_rejects_a_negative_margin() -> None:
    with pytest.raises(ValueError, match="window_margin"):
        due_times(
            targets=TARGETS,
            calendar=CALENDARS["tue-sat"],
            opened_at=at(FRIDAY_EVENING),
            last_customer_message_at=None,
            first_response_at=None,
            window_closes_at=None,
            window_margin=timedelta(minutes=-1),
        )


@pytest.mark.parametrize(
    "naive", ["opened_at", "window_closes_at", "last_customer_message_at", "first_response_at"]
)
def test_due_times_rejects_naive_datetimes(naive: str) -> None:
    arguments = {
        "opened_at": at(FRIDAY_EVENING),
        "window_closes_at": at(FRIDAY_EVENING),
        "last_customer_message_at": None,
        "first_response_at": None,
    }
    arguments[naive] = datetime(2026, 6, 5, 17, 50)

    with pytest.raises(ValueError, match="timezone-aware"):
        due_times(targets=TARGETS, calendar=CALENDARS["tue-sat"], **arguments)


def test_due_times_raises_for_a_never_open_calendar() -> None:
    with pytest.raises(ValueError, match="never open"):
        due_times(
            targets=TARGETS,
            calendar=make_calendar({}, PARIS),
            opened_at=at(FRIDAY_EVENING),
            last_customer_message_at=None,
            first_response_at=None,
            window_closes_at=None,
        )


# --- sla_state ------------------------------------------------------------------------------

OPENED = at("2026-06-09T10:00:00+02:00")
FIRST_DUE = OPENED + timedelta(minutes=30)
NEXT_DUE = OPENED + timedelta(hours=2)
RESOLUTION_DUE = OPENED + timedelta(hours=8)
WAITING = Dues(first_response_due_at=FIRST_DUE, next_response_due_at=None,
               resolution_due_at=RESOLUTION_DUE)  # fmt: skip
FOLLOW_UP = Dues(first_response_due_at=FIRST_DUE, next_response_due_at=NEXT_DUE,
                 resolution_due_at=RESOLUTION_DUE)  # fmt: skip
MICROSECOND = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("dues", "now", "answered", "expected"),
    [
        pytest.param(WAITING, OPENED, False,
                     SlaStatus(SlaState.OK, SlaClock.FIRST_RESPONSE, FIRST_DUE), id="ok"),
        pytest.param(WAITING, FIRST_DUE - timedelta(minutes=15) - MICROSECOND, False,
                     SlaStatus(SlaState.OK, SlaClock.FIRST_RESPONSE, FIRST_DUE),
                     id="just-before-warning"),
        pytest.param(WAITING, FIRST_DUE - timedelta(minutes=15), False,
                     SlaStatus(SlaState.WARNING, SlaClock.FIRST_RESPONSE, FIRST_DUE),
                     id="warning-starts"),
        pytest.param(WAITING, FIRST_DUE - MICROSECOND, False,
                     SlaStatus(SlaState.WARNING, SlaClock.FIRST_RESPONSE, FIRST_DUE),
                     id="warning-ends"),
        pytest.param(WAITING, FIRST_DUE, False,
                     SlaStatus(SlaState.BREACHED, SlaClock.FIRST_RESPONSE, FIRST_DUE),
                     id="breached-at-due-time"),
        pytest.param(WAITING, FIRST_DUE + timedelta(minutes=10), False,
                     SlaStatus(SlaState.BREACHED, SlaClock.FIRST_RESPONSE, FIRST_DUE,
                               timedelta(minutes=10)),
                     id="breached-overdue"),
        pytest.param(WAITING, FIRST_DUE + timedelta(minutes=10), True,
                     SlaStatus(SlaState.OK, SlaClock.RESOLUTION, RESOLUTION_DUE),
                     id="answered-only-resolution-runs"),
        pytest.param(WAITING, RESOLUTION_DUE - timedelta(minutes=5), True,
                     SlaStatus(SlaState.WARNING, SlaClock.RESOLUTION, RESOLUTION_DUE),
                     id="resolution-warning"),
        pytest.param(WAITING, RESOLUTION_DUE + timedelta(hours=1), True,
                     SlaStatus(SlaState.BREACHED, SlaClock.RESOLUTION, RESOLUTION_DUE,
                               timedelta(hours=1)),
                     id="resolution-breached"),
        pytest.param(FOLLOW_UP, OPENED + timedelta(hours=1), False,
                     SlaStatus(SlaState.OK, SlaClock.NEXT_RESPONSE, NEXT_DUE),
                     id="next-response-replaces-first"),
        pytest.param(FOLLOW_UP, NEXT_DUE + timedelta(minutes=1), False,
                     SlaStatus(SlaState.BREACHED, SlaClock.NEXT_RESPONSE, NEXT_DUE,
                               timedelta(minutes=1)),
                     id="next-response-breached"),
        pytest.param(FOLLOW_UP, NEXT_DUE + timedelta(minutes=1), True,
                     SlaStatus(SlaState.OK, SlaClock.RESOLUTION, RESOLUTION_DUE),
                     id="next-response-answered"),
        pytest.param(Dues(FIRST_DUE, None, FIRST_DUE + timedelta(minutes=5)), FIRST_DUE, False,
                     SlaStatus(SlaState.BREACHED, SlaClock.FIRST_RESPONSE, FIRST_DUE),
                     id="breached-response-beats-resolution-warning"),
        pytest.param(Dues(RESOLUTION_DUE, None, FIRST_DUE), FIRST_DUE, False,
                     SlaStatus(SlaState.BREACHED, SlaClock.RESOLUTION, FIRST_DUE),
                     id="breached-resolution-beats-running-response"),
        pytest.param(Dues(FIRST_DUE, None, FIRST_DUE), FIRST_DUE - timedelta(hours=1), False,
                     SlaStatus(SlaState.OK, SlaClock.FIRST_RESPONSE, FIRST_DUE),
                     id="tie-reports-the-response-clock"),
        pytest.param(Dues(FIRST_DUE, None, RESOLUTION_DUE), RESOLUTION_DUE, False,
                     SlaStatus(SlaState.BREACHED, SlaClock.FIRST_RESPONSE, FIRST_DUE,
                               RESOLUTION_DUE - FIRST_DUE),
                     id="both-breached-reports-the-earliest"),
        pytest.param(Dues(None, None, None), OPENED, False, SlaStatus(SlaState.OK),
                     id="no-clock-running"),
        pytest.param(Dues(FIRST_DUE, None, None), FIRST_DUE, True, SlaStatus(SlaState.OK),
                     id="answered-and-resolved"),
    ],
)  # fmt: skip
def test_sla_state(dues: Dues, now: datetime, answered: bool, expected: SlaStatus) -> None:
    assert sla_state(dues=dues, now=now, warning_minutes=15, answered=answered) == expected


def test_sla_state_reports_due_times_in_utc() -> None:
    status = sla_state(dues=WAITING, now=OPENED, warning_minutes=15, answered=False)

    assert status.due_at is not None
    assert status.due_at.tzinfo is UTC


def test_sla_state_with_no_warning_period_goes_straight_to_breached() -> None:
    before = sla_state(dues=WAITING, now=FIRST_DUE - MICROSECOND, warning_minutes=0,
                       answered=False)  # fmt: skip

    assert before.state is SlaState.OK


def test_sla_state_compares_instants_not_wall_clocks() -> None:
    # 02:30 shows twice on 2026-10-25 in Paris; the due time is the first one.
    due = datetime(2026, 10, 25, 2, 30, tzinfo=PARIS, fold=0)
    now = datetime(2026, 10, 25, 2, 15, tzinfo=PARIS, fold=1)  # 45 minutes later

    status = sla_state(dues=Dues(due, None, None), now=now, warning_minutes=15, answered=False)

    assert status.state is SlaState.BREACHED
    assert status.overdue == timedelta(minutes=45)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"warning_minutes": -1}, "warning_minutes"),
        ({"now": datetime(2026, 6, 9, 10, 0)}, "timezone-aware"),
        ({"dues": Dues(datetime(2026, 6, 9, 10, 0), None, None)}, "timezone-aware"),
    ],
)
def test_sla_state_rejects_bad_input(arguments: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"dues": WAITING, "now": OPENED, "warning_minutes": 15}
    values.update(arguments)

    with pytest.raises(ValueError, match=message):
        sla_state(answered=False, **values)


# --- escalation_step ------------------------------------------------------------------------


def status(state: SlaState, overdue: timedelta = timedelta(0)) -> SlaStatus:
    return SlaStatus(state, SlaClock.FIRST_RESPONSE, FIRST_DUE, overdue)


@pytest.mark.parametrize(
    ("current_level", "state", "expected"),
    [
        (0, status(SlaState.OK), EscalationLevel.NONE),
        (0, status(SlaState.WARNING), EscalationLevel.ASSIGNEE_WARNED),
        (1, status(SlaState.WARNING), EscalationLevel.ASSIGNEE_WARNED),
        (1, status(SlaState.BREACHED), EscalationLevel.BRANCH_MANAGER),
        (0, status(SlaState.BREACHED), EscalationLevel.BRANCH_MANAGER),  # skips a rung
        (2, status(SlaState.BREACHED, timedelta(minutes=29)), EscalationLevel.BRANCH_MANAGER),
        (2, status(SlaState.BREACHED, REGIONAL_POOL_AFTER), EscalationLevel.REGIONAL_POOL),
        (0, status(SlaState.BREACHED, timedelta(hours=3)), EscalationLevel.REGIONAL_POOL),
        (3, status(SlaState.BREACHED, timedelta(hours=3)), EscalationLevel.REGIONAL_POOL),
        # Never down: the service resets the level once the customer is answered.
        (2, status(SlaState.OK), EscalationLevel.BRANCH_MANAGER),
        (3, status(SlaState.WARNING), EscalationLevel.REGIONAL_POOL),
        (1, SlaStatus(SlaState.OK), EscalationLevel.ASSIGNEE_WARNED),
    ],
)
def test_escalation_step(current_level: int, state: SlaStatus, expected: EscalationLevel) -> None:
    assert escalation_step(current_level=current_level, state=state) is expected


def test_escalation_step_regional_pool_delay_is_a_parameter() -> None:
    breached = status(SlaState.BREACHED, timedelta(minutes=5))

    assert (
        escalation_step(current_level=2, state=breached, regional_pool_after=timedelta(0))
        is EscalationLevel.REGIONAL_POOL
    )


@pytest.mark.parametrize("level", [-1, 4])
def test_escalation_step_rejects_unknown_levels(level: int) -> None:
    with pytest.raises(ValueError, match="unknown escalation level"):
        escalation_step(current_level=level, state=status(SlaState.OK))


def test_escalation_levels_are_the_stored_integers() -> None:
    assert [int(level) for level in EscalationLevel] == [0, 1, 2, 3]


# --- properties -----------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2027, 12, 31),
    timezones=st.just(UTC),
)
offsets = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3))
targets = st.builds(
    SlaTargets,
    first_response_minutes=st.integers(0, 600),
    next_response_minutes=st.integers(0, 600),
    resolution_minutes=st.integers(0, 6000),
    warning_minutes=st.integers(0, 120),
)
SEVERITY = [SlaState.OK, SlaState.WARNING, SlaState.BREACHED]


@settings(max_examples=200, deadline=None, database=None)
@given(
    calendar=st.sampled_from(list(CALENDARS.values())),
    targets=targets,
    opened_at=instants,
    reply_after=st.none() | offsets,
    customer_after=offsets,
    window_after=st.none() | offsets,
)
def test_due_times_never_run_past_the_window_nor_the_target(
    *, calendar, targets, opened_at, reply_after, customer_after, window_after
) -> None:
    first_response_at = None if reply_after is None else opened_at + reply_after
    last_customer_message_at = (first_response_at or opened_at) + customer_after
    window_closes_at = None if window_after is None else last_customer_message_at + window_after

    dues = due_times(
        targets=targets,
        calendar=calendar,
        opened_at=opened_at,
        last_customer_message_at=last_customer_message_at,
        first_response_at=first_response_at,
        window_closes_at=window_closes_at,
    )

    uncapped = [
        add_business_minutes(calendar, opened_at, targets.first_response_minutes),
        add_business_minutes(calendar, opened_at, targets.resolution_minutes),
    ]
    capped = [dues.first_response_due_at, dues.resolution_due_at]
    if first_response_at is not None and customer_after > timedelta(0):
        uncapped.append(
            add_business_minutes(calendar, last_customer_message_at, targets.next_response_minutes)
        )
        capped.append(dues.next_response_due_at)
    else:
        assert dues.next_response_due_at is None
    for due, target in zip(capped, uncapped, strict=True):
        assert due is not None
        assert due <= target
        if window_closes_at is not None:
            assert due <= window_closes_at - DEFAULT_WINDOW_MARGIN
            assert due == min(target, window_closes_at - DEFAULT_WINDOW_MARGIN)
        else:
            assert due == target


@settings(max_examples=200, deadline=None, database=None)
@given(
    first=instants,
    resolution_after=offsets,
    answered=st.booleans(),
    warning_minutes=st.integers(0, 120),
    moments=st.lists(instants, min_size=2, max_size=2),
)
def test_state_and_escalation_only_get_worse_as_time_passes(
    first, resolution_after, answered, warning_minutes, moments
) -> None:
    dues = Dues(first, None, first + resolution_after)
    earlier, later = sorted(moments)

    before = sla_state(dues=dues, now=earlier, warning_minutes=warning_minutes, answered=answered)
    after = sla_state(dues=dues, now=later, warning_minutes=warning_minutes, answered=answered)

    assert SEVERITY.index(before.state) <= SEVERITY.index(after.state)
    level_before = escalation_step(current_level=0, state=before)
    level_after = escalation_step(current_level=level_before, state=after)
    assert level_before <= level_after
    assert level_after == max(level_before, escalation_step(current_level=0, state=after))
