"""Opening hours and business time, as pure functions: is it open, when, and how long until.

A :class:`Calendar` is a week of opening hours (the JSON of ``Node.opening_hours`` /
``Employee.working_hours``), a time zone and the holiday dates that apply; or a 24/7 team.

Contracts shared by every function here:

* Instants are timezone-aware ``datetime`` objects (a naive one raises ``ValueError``), and
  every result is in UTC, as Django keeps them. Not in the calendar's zone, on purpose: Python
  adds, subtracts and compares two datetimes of the *same* zone on the wall clock (wrong across
  a DST change), and a datetime in the repeated autumn hour never equals one in another zone
  (PEP 495). Convert for display only.
* Hours are wall-clock times in the calendar's zone, evaluated day by day, so "09:00" is 09:00
  in winter and in summer and a day has 23 or 25 hours when the clock changes.
* A wall time opens at the first instant the local clock shows it or later: a time skipped by
  the spring change (02:30 on 2026-03-29 in Paris) means the jump to 03:00; a time shown twice
  in autumn means its first showing. So ranges never run backwards and nothing opens twice.
* Open periods are half-open, ``[start, end)``: open at 09:00:00, closed at 12:30:00. Ranges
  that touch (``["09:00", "12:00"], ["12:00", "14:00"]``, or Saturday until 24:00 and Sunday
  from 00:00) are one period.
* A holiday closes its whole local date. A 24/7 calendar ignores hours and holidays.
* Searches look at most :data:`LOOKAHEAD_DAYS` days ahead, so every call terminates; a
  calendar with no opening in that span counts as never open.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DAY_KEYS",
    "LOOKAHEAD_DAYS",
    "Calendar",
    "OpenRange",
    "WeeklyHours",
    "add_business_minutes",
    "business_minutes_between",
    "closes_at",
    "employee_calendar",
    "is_open",
    "make_calendar",
    "next_opening",
    "parse_hours",
]

#: JSON keys of the days, in ``date.weekday()`` order (Monday is 0).
DAY_KEYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: How far any search looks ahead. A year covers every SLA target; past it we give up.
LOOKAHEAD_DAYS: Final = 366
_MINUTES_PER_DAY: Final = 24 * 60
_ONE_DAY: Final = timedelta(days=1)
# [0-9], not \d: \d also matches Arabic-Indic and other digits that int() would accept.
_TIME_PATTERN: Final = re.compile(r"([0-9]{2}):([0-9]{2})")

Period = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class OpenRange:
    """One open range of a day, ``[start, end)``, in minutes after local midnight (end ≤ 1440)."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_format_minute(self.start)}-{_format_minute(self.end)}"


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Seven tuples of sorted, disjoint, non-touching ranges, Monday first; build with
    :func:`parse_hours`."""

    days: tuple[tuple[OpenRange, ...], ...] = ((),) * 7

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError(f"weekly hours need 7 days, got {len(self.days)}")

    def ranges_on(self, day: date) -> tuple[OpenRange, ...]:
        return self.days[day.weekday()]

    @property
    def is_empty(self) -> bool:
        return not any(self.days)

    def to_json(self) -> dict[str, list[list[str]]]:
        """The stored JSON shape; closed days are left out, as in the models."""
        return {
            key: [[_format_minute(item.start), _format_minute(item.end)] for item in ranges]
            for key, ranges in zip(DAY_KEYS, self.days, strict=True)
            if ranges
        }


@dataclass(frozen=True, slots=True)
class Calendar:
    """When someone is there to answer: weekly hours in a zone, minus holidays; or 24/7."""

    hours: WeeklyHours
    timezone: ZoneInfo
    holidays: frozenset[date] = frozenset()
    always_open: bool = False


def parse_hours(data: object) -> WeeklyHours:
    """Validate the JSON shape ``{"tue": [["09:00", "12:30"], ["14:00", "18:00"]], …}``.

    Keys are ``mon`` … ``sun``; a missing day or an empty list is closed; ``None`` or ``{}`` is
    closed all week. Times are ``HH:MM`` from 00:00 to 23:59, and ``24:00`` may end a range.
    A range must end after it starts (a night shift is two ranges, one on each day); ranges
    may come in any order but must not overlap; touching ranges are merged. Raises
    ``ValueError`` naming the day and the offending value.
    """
    if data is None:
        return WeeklyHours()
    if not isinstance(data, Mapping):
        raise ValueError(
            f"opening hours: expected an object keyed by day ({', '.join(DAY_KEYS)}), "
            f"got {type(data).__name__}"
        )
    days: list[tuple[OpenRange, ...]] = [()] * 7
    for key, value in data.items():
        if key not in DAY_KEYS:
            raise ValueError(
                f"opening hours: unknown day {key!r} (expected one of {', '.join(DAY_KEYS)})"
            )
        days[DAY_KEYS.index(key)] = _parse_day(key, value)
    return WeeklyHours(tuple(days))


def make_calendar(
    hours: object,
    timezone: str | ZoneInfo,
    holidays: Iterable[date] = (),
    *,
    always_open: bool = False,
) -> Calendar:
    """A calendar from stored JSON hours, a zone name (``"Europe/Paris"``) and holiday dates.

    Raises ``ValueError`` for malformed hours or an unknown zone.
    """
    return Calendar(
        hours=parse_hours(hours),
        timezone=_zone(timezone),
        holidays=frozenset(holidays),
        always_open=always_open,
    )


def employee_calendar(
    node_hours: object,
    employee_hours: object,
    timezone: str | ZoneInfo,
    holidays: Iterable[date] = (),
) -> Calendar:
    """An employee's calendar: their own working hours when set, else their node's hours.

    "Set" means a non-empty JSON object, as in ``Employee.working_hours`` (empty = the node's
    hours). The node's zone and holidays apply either way.
    """
    chosen = employee_hours if employee_hours else node_hours
    return make_calendar(chosen, timezone, holidays)


def is_open(calendar: Calendar, at: datetime) -> bool:
    """Whether ``at`` lies inside an open period (start included, end excluded)."""
    instant = _utc(at)
    if calendar.always_open:
        return True
    last_day = _local_date(instant, calendar.timezone) + _ONE_DAY
    first = next(_open_periods(calendar, instant, last_day), None)
    return first is not None and first[0] == instant


def next_opening(calendar: Calendar, at: datetime) -> datetime | None:
    """The first open instant at or after ``at`` (``at`` itself when open then).

    ``None`` when the calendar has no opening within :data:`LOOKAHEAD_DAYS` days.
    """
    instant = _utc(at)
    if calendar.always_open:
        return instant
    first = next(_open_periods(calendar, instant, _horizon(calendar, instant)), None)
    return None if first is None else first[0]


def closes_at(calendar: Calendar, at: datetime) -> datetime | None:
    """The end of the open period containing ``at`` (ranges that touch count as one).

    ``None`` when closed at ``at``, and when the calendar does not close within
    :data:`LOOKAHEAD_DAYS` days (a 24/7 calendar, or hours covering the whole week).
    """
    instant = _utc(at)
    if calendar.always_open:
        return None
    last_day = _horizon(calendar, instant)
    first = next(_open_periods(calendar, instant, last_day), None)
    if first is None or first[0] != instant:
        return None
    # A period still running at the horizon was cut there, not closed.
    if first[1] >= _instant(calendar.timezone, last_day + _ONE_DAY, 0):
        return None
    return first[1]


def add_business_minutes(calendar: Calendar, start: datetime, minutes: float) -> datetime:
    """The instant at which ``minutes`` of open time have elapsed since ``start``.

    Closed time (nights, lunch, closed days, holidays) does not count. With ``minutes > 0`` the
    result is inside an open period or exactly at its end — an answer due "by 18:00" on Friday
    is due at 18:00, not at Saturday's opening. ``minutes == 0`` returns ``start``. A 24/7
    calendar is plain addition. Monotonic in ``minutes``.

    Raises ``ValueError`` when ``minutes`` is negative or not finite, when the calendar is never
    open, or when the open time within :data:`LOOKAHEAD_DAYS` days of ``start`` is not enough.
    """
    instant = _utc(start)
    if not math.isfinite(minutes) or minutes < 0:
        raise ValueError(f"business minutes must be finite and not negative, got {minutes!r}")
    if calendar.always_open:
        try:
            return instant + timedelta(minutes=minutes)
        except OverflowError:
            raise ValueError(f"{minutes} minutes after {start} is out of range") from None
    if calendar.hours.is_empty:
        raise ValueError("the calendar is never open: no opening hours on any day")
    if minutes == 0:
        return instant
    # The whole horizon open around the clock could not hold more; this also keeps timedelta
    # from overflowing on absurd inputs.
    if minutes <= (LOOKAHEAD_DAYS + 2) * _MINUTES_PER_DAY:
        remaining = timedelta(minutes=minutes)
        for period_start, period_end in _open_periods(
            calendar, instant, _horizon(calendar, instant)
        ):
            available = period_end - period_start
            if remaining <= available:
                return period_start + remaining
            remaining -= available
    raise ValueError(
        f"the calendar has fewer than {minutes} open minutes in the {LOOKAHEAD_DAYS} days "
        f"after {start.isoformat()}"
    )


def business_minutes_between(calendar: Calendar, start: datetime, end: datetime) -> float:
    """Open minutes in ``[start, end)``; negative when ``end`` is before ``start``.

    Inverse of :func:`add_business_minutes`: ``business_minutes_between(c, s,
    add_business_minutes(c, s, m)) == m`` up to a microsecond. Not bounded by the look-ahead
    (the work is proportional to the span); a never-open calendar gives 0.
    """
    start_utc, end_utc = _utc(start), _utc(end)
    if end_utc < start_utc:
        return -business_minutes_between(calendar, end, start)
    if calendar.always_open:
        return (end_utc - start_utc) / timedelta(minutes=1)
    total = timedelta(0)
    last_day = _local_date(end_utc, calendar.timezone) + _ONE_DAY
    for period_start, period_end in _open_periods(calendar, start_utc, last_day):
        if period_start >= end_utc:
            break
        total += min(period_end, end_utc) - period_start
    return total / timedelta(minutes=1)


# --- internals ---------------------------------------------------------------------------


def _parse_day(key: str, value: object) -> tuple[OpenRange, ...]:
    # A string is a sequence too: accept only real lists (JSON arrays) and tuples.
    if not isinstance(value, list | tuple):
        raise ValueError(f'opening hours: {key}: expected a list of ["HH:MM", "HH:MM"] ranges')
    ranges: list[OpenRange] = []
    for pair in value:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(f'opening hours: {key}: {pair!r} is not a ["HH:MM", "HH:MM"] range')
        item = OpenRange(_parse_time(key, pair[0], is_end=False), _parse_time(key, pair[1]))
        if item.end <= item.start:
            raise ValueError(
                f"opening hours: {key}: range {item} must end after it starts "
                "(a range past midnight is two ranges, one on each day)"
            )
        ranges.append(item)
    merged: list[OpenRange] = []
    for item in sorted(ranges, key=lambda candidate: candidate.start):
        if merged and item.start < merged[-1].end:
            raise ValueError(f"opening hours: {key}: ranges {merged[-1]} and {item} overlap")
        if merged and item.start == merged[-1].end:
            # One continuous period, so closes_at reports its real end.
            merged[-1] = OpenRange(merged[-1].start, item.end)
        else:
            merged.append(item)
    return tuple(merged)


def _parse_time(key: str, text: object, *, is_end: bool = True) -> int:
    match = _TIME_PATTERN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"opening hours: {key}: {text!r} is not a time (expected HH:MM)")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not is_end)):
        raise ValueError(
            f"opening hours: {key}: {text!r} is not a time of day "
            "(00:00 to 23:59, or 24:00 to end a range)"
        )
    return hours * 60 + minutes


def _format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _zone(timezone: str | ZoneInfo) -> ZoneInfo:
    if isinstance(timezone, ZoneInfo):
        return timezone
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {timezone!r}") from None


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {at.isoformat()}")
    return at.astimezone(UTC)


def _local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def _horizon(calendar: Calendar, instant: datetime) -> date:
    return _local_date(instant, calendar.timezone) + timedelta(days=LOOKAHEAD_DAYS)


def _instant(zone: ZoneInfo, day: date, minute: int) -> datetime:
    """The first UTC instant at which the clock in ``zone`` shows ``day`` + ``minute`` or later."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first <= second:
        # An ordinary time (equal), or one shown twice in autumn: fold=0 is its first showing.
        return first
    # Skipped in spring: fold=1 uses the later offset and lands before the jump, fold=0 after.
    # The clock first shows `wall` or later at the jump itself; bisect for it in whole seconds
    # (zone transitions fall on whole seconds).
    low, high = 0, int((first - second).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        shown = (second + timedelta(seconds=middle)).astimezone(zone).replace(tzinfo=None)
        if shown >= wall:
            high = middle
        else:
            low = middle
    return second + timedelta(seconds=high)


@lru_cache(maxsize=4096)
def _day_periods(calendar: Calendar, day: date) -> tuple[Period, ...]:
    """The open periods of one local date, in UTC, in order (cached: SLA sweeps repeat days)."""
    if day in calendar.holidays:
        return ()
    periods = (
        (_instant(calendar.timezone, day, item.start), _instant(calendar.timezone, day, item.end))
        for item in calendar.hours.ranges_on(day)
    )
    # A range lying wholly in the skipped spring hour has no instant at all.
    return tuple((start, end) for start, end in periods if start < end)


def _open_periods(calendar: Calendar, instant: datetime, last_day: date) -> Iterator[Period]:
    """Open periods ending after ``instant``, the first clipped to start no earlier than it,
    touching periods merged, from the local dates up to ``last_day`` (inclusive)."""
    # Start a day early: where the clock goes back across midnight, the previous date's
    # periods can end after `instant`.
    day = _local_date(instant, calendar.timezone) - _ONE_DAY
    pending: Period | None = None
    while day <= last_day:
        for day_start, end in _day_periods(calendar, day):
            if end <= instant:
                continue
            start = max(day_start, instant)
            if pending is not None and start <= pending[1]:
                pending = (pending[0], max(pending[1], end))
                continue
            if pending is not None:
                yield pending
            pending = (start, end)
        day += _ONE_DAY
    if pending is not None:
        yield pending
