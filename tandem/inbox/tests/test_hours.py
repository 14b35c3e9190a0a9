"""Opening hours and business time, with exact instants in Europe/Paris.

Dates used (2026): Fri 27 Mar, Sat 28 Mar, Sun 29 Mar (clocks go forward at 02:00 → 03:00),
Fri 3 Apr, Mon 6 Apr (Easter Monday), Fri 5 Jun, Tue 9 Jun, Fri 23 Oct, Sat 24 Oct, Sun 25 Oct
(clocks go back at 03:00 → 02:00), Thu 24 Dec, Fri 25 Dec (Christmas).
Expected instants are ISO strings, so both the wall time and the offset are checked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.inbox.hours import (
    LOOKAHEAD_DAYS,
    Calendar,
    OpenRange,
    WeeklyHours,
    add_business_minutes,
    business_minutes_between,
    closes_at,
    employee_calendar,
    is_open,
    make_calendar,
    next_opening,
    parse_hours,
)

PARIS = ZoneInfo("Europe/Paris")
WORKDAY = [["09:00", "12:30"], ["14:00", "18:00"]]
TUESDAY_SATURDAY = dict.fromkeys(("tue", "wed", "thu", "fri"), WORKDAY) | {
    "sat": [["09:00", "12:30"]]
}
MONDAY_FRIDAY = dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), WORKDAY)
TUESDAY_FRIDAY = dict.fromkeys(("tue", "wed", "thu", "fri"), WORKDAY)
ALL_DAY = {day: [["00:00", "24:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
HOLIDAYS = frozenset({date(2026, 4, 6), date(2026, 5, 1), date(2026, 12, 25)})

CALENDARS = {
    "tue-sat": make_calendar(TUESDAY_SATURDAY, "Europe/Paris", HOLIDAYS),
    "mon-fri": make_calendar(MONDAY_FRIDAY, "Europe/Paris", HOLIDAYS),
    "tue-fri": make_calendar(TUESDAY_FRIDAY, "Europe/Paris", HOLIDAYS),
    "all-day": make_calendar(ALL_DAY, "Europe/Paris"),
    "24/7": make_calendar({}, "Europe/Paris", HOLIDAYS, always_open=True),
    # Sunday night hours cross both 2026 clock changes (Sundays 29 Mar and 25 Oct).
    "sunday-night": make_calendar({"sun": [["01:00", "04:00"]]}, "Europe/Paris"),
    # Open across midnight: Saturday until 24:00, Sunday from 00:00.
    "weekend-night": make_calendar(
        {"sat": [["22:00", "24:00"]], "sun": [["00:00", "02:00"]]}, "Europe/Paris"
    ),
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def paris(instant: datetime) -> str:
    return instant.astimezone(PARIS).isoformat()


def utc(instant: datetime) -> datetime:
    # Two datetimes in the same zone compare on the wall clock, ignoring the offset: wrong in
    # the repeated autumn hour. Compare instants in UTC.
    return instant.astimezone(UTC)


# --- parsing -------------------------------------------------------------------------------


def test_parse_hours_reads_the_stored_shape_and_round_trips() -> None:
    hours = parse_hours(TUESDAY_SATURDAY)

    assert hours.days[0] == ()
    assert hours.days[1] == (OpenRange(9 * 60, 12 * 60 + 30), OpenRange(14 * 60, 18 * 60))
    assert hours.days[5] == (OpenRange(9 * 60, 12 * 60 + 30),)
    assert hours.days[6] == ()
    assert hours.to_json() == TUESDAY_SATURDAY


@pytest.mark.parametrize("data", [None, {}, {"mon": []}])
def test_parse_hours_empty_is_closed_all_week(data: object) -> None:
    assert parse_hours(data).is_empty


def test_parse_hours_sorts_ranges_and_merges_touching_ones() -> None:
    hours = parse_hours({"mon": [["14:00", "18:00"], ["12:00", "14:00"], ["08:00", "09:00"]]})

    assert hours.days[0] == (OpenRange(8 * 60, 9 * 60), OpenRange(12 * 60, 18 * 60))


def test_parse_hours_accepts_tuples_and_24_00_as_an_end() -> None:
    hours = parse_hours({"sun": (("22:00", "24:00"),)})

    assert hours.days[6] == (OpenRange(22 * 60, 24 * 60),)
    assert str(hours.days[6][0]) == "22:00-24:00"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (["mon"], "expected an object keyed by day"),
        ("mon 09:00-12:00", "expected an object keyed by day"),
        ({"lun": WORKDAY}, "unknown day 'lun'"),
        ({"Mon": WORKDAY}, "unknown day 'Mon'"),
        ({"mon": "09:00-12:00"}, "mon: expected a list"),
        ({"mon": None}, "mon: expected a list"),
        ({"mon": [["09:00"]]}, "is not a"),
        ({"mon": [["09:00", "12:00", "14:00"]]}, "is not a"),
        ({"mon": ["09:00-12:00"]}, "is not a"),
        ({"mon": [["9:00", "12:00"]]}, "'9:00' is not a time"),
        ({"mon": [["09h00", "12:00"]]}, "'09h00' is not a time"),
        ({"mon": [[900, 1200]]}, "900 is not a time"),
        ({"mon": [["\u0660\u0669:\u0660\u0660", "12:00"]]}, "is not a time"),  # Arabic-Indic
        ({"mon": [["09:00", "12:60"]]}, "'12:60' is not a time of day"),
        ({"mon": [["09:00", "25:00"]]}, "'25:00' is not a time of day"),
        ({"mon": [["24:00", "24:00"]]}, "'24:00' is not a time of day"),
        ({"mon": [["09:00", "24:30"]]}, "'24:30' is not a time of day"),
        ({"mon": [["12:00", "09:00"]]}, "range 12:00-09:00 must end after it starts"),
        ({"mon": [["09:00", "09:00"]]}, "must end after it starts"),
        ({"mon": [["22:00", "02:00"]]}, "a range past midnight is two ranges"),
        ({"tue": [["09:00", "12:30"], ["12:00", "14:00"]]}, "09:00-12:30 and 12:00-14:00 overlap"),
        ({"tue": [["09:00", "18:00"], ["10:00", "11:00"]]}, "overlap"),
    ],
)
def test_parse_hours_rejects_malformed_input_with_a_clear_message(
    data: object, message: str
) -> None:
    with pytest.raises(ValueError, match="opening hours") as error:
        parse_hours(data)
    assert message in str(error.value)


def test_weekly_hours_needs_seven_days() -> None:
    with pytest.raises(ValueError, match="7 days"):
        WeeklyHours(((),) * 6)


@pytest.mark.parametrize("zone", ["Europe/Pariss", "", "../etc/passwd"])
def test_make_calendar_rejects_unknown_zones(zone: str) -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        make_calendar(MONDAY_FRIDAY, zone)


def test_employee_calendar_uses_the_employee_hours_when_set() -> None:
    calendar = employee_calendar(TUESDAY_SATURDAY, {"mon": [["10:00", "16:00"]]}, PARIS, HOLIDAYS)

    assert calendar.hours == parse_hours({"mon": [["10:00", "16:00"]]})
    assert calendar.timezone == PARIS
    assert calendar.holidays == HOLIDAYS
    assert not calendar.always_open


@pytest.mark.parametrize("employee_hours", [None, {}])
def test_employee_calendar_falls_back_to_the_node_hours(employee_hours: object) -> None:
    calendar = employee_calendar(TUESDAY_SATURDAY, employee_hours, "Europe/Paris", [])

    assert calendar == make_calendar(TUESDAY_SATURDAY, "Europe/Paris")


def test_employee_calendar_rejects_malformed_employee_hours() -> None:
    with pytest.raises(ValueError, match="unknown day"):
        employee_calendar(TUESDAY_SATURDAY, {"monday": WORKDAY}, "Europe/Paris")


# --- is_open, next_opening, closes_at -----------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "instant", "expected"),
    [
        ("tue-sat", "2026-06-09T09:00:00+02:00", True),  # opening instant included
        ("tue-sat", "2026-06-09T08:59:59.999999+02:00", False),
        ("tue-sat", "2026-06-09T12:29:59+02:00", True),
        ("tue-sat", "2026-06-09T12:30:00+02:00", False),  # closing instant excluded
        ("tue-sat", "2026-06-09T13:00:00+02:00", False),  # lunch
        ("tue-sat", "2026-06-09T14:00:00+02:00", True),
        ("tue-sat", "2026-06-09T18:00:00+02:00", False),
        ("tue-sat", "2026-06-09T07:00:00+00:00", True),  # the same instant written in UTC
        ("tue-sat", "2026-06-06T12:00:00+02:00", True),  # Saturday morning
        ("tue-sat", "2026-06-06T14:30:00+02:00", False),  # Saturday afternoon
        ("tue-sat", "2026-06-07T10:00:00+02:00", False),  # Sunday
        ("tue-sat", "2026-06-08T10:00:00+02:00", False),  # Monday
        ("tue-sat", "2026-12-25T10:00:00+01:00", False),  # Christmas, a Friday
        ("mon-fri", "2026-04-06T10:00:00+02:00", False),  # Easter Monday
        ("mon-fri", "2026-04-07T10:00:00+02:00", True),
        ("mon-fri", "2026-03-27T17:59:00+01:00", True),  # winter offset
        ("mon-fri", "2026-03-30T17:59:00+02:00", True),  # summer offset, same wall time
        ("mon-fri", "2026-03-30T16:30:00+01:00", True),  # = 17:30 in Paris
        ("mon-fri", "2026-03-30T17:30:00+01:00", False),  # = 18:30 in Paris
        ("24/7", "2026-12-25T03:00:00+01:00", True),  # 24/7 ignores holidays
        ("weekend-night", "2026-06-06T23:59:59+02:00", True),
        ("weekend-night", "2026-06-07T00:00:00+02:00", True),
        ("weekend-night", "2026-06-07T02:00:00+02:00", False),
    ],
)
def test_is_open(calendar: str, instant: str, expected: bool) -> None:
    assert is_open(CALENDARS[calendar], at(instant)) is expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-03-29T00:59:00+01:00", False),
        ("2026-03-29T01:00:00+01:00", True),
        ("2026-03-29T01:59:59+01:00", True),
        ("2026-03-29T03:00:00+02:00", True),  # the instant after 01:59:59 CET
        ("2026-03-29T03:59:59+02:00", True),
        ("2026-03-29T04:00:00+02:00", False),
        ("2026-10-25T02:30:00+02:00", True),  # first showing of 02:30
        ("2026-10-25T02:30:00+01:00", True),  # second showing of 02:30
        ("2026-10-25T03:59:59+01:00", True),
        ("2026-10-25T04:00:00+01:00", False),
    ],
)
def test_is_open_across_the_clock_changes(instant: str, expected: bool) -> None:
    assert is_open(CALENDARS["sunday-night"], at(instant)) is expected


def test_is_open_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_open(CALENDARS["tue-sat"], datetime(2026, 6, 9, 10, 0))


@pytest.mark.parametrize(
    ("calendar", "instant", "expected"),
    [
        ("tue-sat", "2026-06-09T10:00:00+02:00", "2026-06-09T10:00:00+02:00"),  # open: itself
        ("tue-sat", "2026-06-09T12:30:00+02:00", "2026-06-09T14:00:00+02:00"),
        ("tue-sat", "2026-06-05T18:00:00+02:00", "2026-06-06T09:00:00+02:00"),
        ("tue-sat", "2026-06-06T12:30:00+02:00", "2026-06-09T09:00:00+02:00"),
        ("tue-sat", "2026-03-28T12:30:00+01:00", "2026-03-31T09:00:00+02:00"),  # across DST
        ("tue-sat", "2026-10-24T12:30:00+02:00", "2026-10-27T09:00:00+01:00"),  # across DST
        ("tue-sat", "2026-12-24T18:00:00+01:00", "2026-12-26T09:00:00+01:00"),  # Christmas
        ("mon-fri", "2026-04-03T18:00:00+02:00", "2026-04-07T09:00:00+02:00"),  # Easter
        ("24/7", "2026-12-25T03:00:00+01:00", "2026-12-25T03:00:00+01:00"),
        ("sunday-night", "2026-10-25T02:30:00+01:00", "2026-10-25T02:30:00+01:00"),
    ],
)
def test_next_opening(calendar: str, instant: str, expected: str) -> None:
    result = next_opening(CALENDARS[calendar], at(instant))

    assert result is not None
    assert paris(result) == expected


def test_results_are_utc_instants() -> None:
    calendar = CALENDARS["tue-sat"]
    friday = at("2026-06-05T17:50:00+02:00")

    results = [
        next_opening(calendar, friday),
        closes_at(calendar, friday),
        add_business_minutes(calendar, friday, 30),
        add_business_minutes(CALENDARS["24/7"], friday, 30),
    ]

    assert [result.tzinfo if result else None for result in results] == [UTC] * 4


def test_next_opening_is_none_when_never_open() -> None:
    assert next_opening(make_calendar({}, PARIS), at("2026-06-09T10:00:00+02:00")) is None


def test_next_opening_is_none_when_holidays_block_the_whole_look_ahead() -> None:
    mondays = {date(2026, 6, 8) + timedelta(weeks=week) for week in range(60)}
    calendar = make_calendar({"mon": WORKDAY}, PARIS, mondays)

    assert next_opening(calendar, at("2026-06-08T08:00:00+02:00")) is None
    # Past the holidays it opens again.
    after = next_opening(calendar, at("2027-08-01T08:00:00+02:00"))
    assert after is not None
    assert paris(after) == "2027-08-02T09:00:00+02:00"


@pytest.mark.parametrize(
    ("calendar", "instant", "expected"),
    [
        ("tue-sat", "2026-06-09T09:00:00+02:00", "2026-06-09T12:30:00+02:00"),
        ("tue-sat", "2026-06-09T17:59:00+02:00", "2026-06-09T18:00:00+02:00"),
        ("tue-sat", "2026-06-09T12:30:00+02:00", None),  # closed at its end
        ("tue-sat", "2026-06-08T10:00:00+02:00", None),  # Monday
        ("weekend-night", "2026-06-06T23:00:00+02:00", "2026-06-07T02:00:00+02:00"),
        ("sunday-night", "2026-03-29T01:30:00+01:00", "2026-03-29T04:00:00+02:00"),
        ("sunday-night", "2026-10-25T02:30:00+01:00", "2026-10-25T04:00:00+01:00"),
        ("24/7", "2026-06-09T10:00:00+02:00", None),
        ("all-day", "2026-06-09T10:00:00+02:00", None),  # never closes within the look-ahead
    ],
)
def test_closes_at(calendar: str, instant: str, expected: str | None) -> None:
    result = closes_at(CALENDARS[calendar], at(instant))

    assert (None if result is None else paris(result)) == expected


# --- add_business_minutes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "start", "minutes", "expected"),
    [
        # The Friday 17:50 message with a 30-minute target.
        ("tue-sat", "2026-06-05T17:50:00+02:00", 30, "2026-06-06T09:20:00+02:00"),
        ("mon-fri", "2026-06-05T17:50:00+02:00", 30, "2026-06-08T09:20:00+02:00"),
        ("tue-fri", "2026-06-05T17:50:00+02:00", 30, "2026-06-09T09:20:00+02:00"),
        # Ending exactly at closing time stays there rather than jumping to the next opening.
        ("tue-sat", "2026-06-05T17:30:00+02:00", 30, "2026-06-05T18:00:00+02:00"),
        ("tue-sat", "2026-06-09T12:00:00+02:00", 30, "2026-06-09T12:30:00+02:00"),
        ("tue-sat", "2026-06-09T12:00:00+02:00", 31, "2026-06-09T14:01:00+02:00"),  # lunch
        ("tue-sat", "2026-06-09T13:00:00+02:00", 30, "2026-06-09T14:30:00+02:00"),  # from lunch
        ("tue-sat", "2026-06-09T07:00:00+02:00", 30, "2026-06-09T09:30:00+02:00"),  # before
        ("tue-sat", "2026-06-07T11:00:00+02:00", 90, "2026-06-09T10:30:00+02:00"),  # Sunday
        ("tue-sat", "2026-06-09T10:00:00+02:00", 0, "2026-06-09T10:00:00+02:00"),
        ("tue-sat", "2026-06-09T13:00:00+02:00", 0, "2026-06-09T13:00:00+02:00"),  # 0: start
        ("tue-sat", "2026-06-09T09:00:00+02:00", 0.5, "2026-06-09T09:00:30+02:00"),
        # A whole Tuesday (7.5 h) plus one minute.
        ("tue-sat", "2026-06-09T09:00:00+02:00", 451, "2026-06-10T09:01:00+02:00"),
        # A week of Tuesday-Saturday hours: 4 x 7.5 h + 3.5 h = 2010 minutes.
        ("tue-sat", "2026-06-09T09:00:00+02:00", 2010, "2026-06-13T12:30:00+02:00"),
        ("tue-sat", "2026-06-09T09:00:00+02:00", 2011, "2026-06-16T09:01:00+02:00"),
        # Holidays.
        ("tue-sat", "2026-12-24T17:50:00+01:00", 30, "2026-12-26T09:20:00+01:00"),
        ("mon-fri", "2026-04-03T17:50:00+02:00", 30, "2026-04-07T09:20:00+02:00"),
        ("mon-fri", "2026-04-30T17:50:00+02:00", 30, "2026-05-04T09:20:00+02:00"),
        # Clock changes: same wall-clock opening, new offset.
        ("tue-sat", "2026-03-28T12:20:00+01:00", 30, "2026-03-31T09:20:00+02:00"),
        ("mon-fri", "2026-03-27T17:50:00+01:00", 30, "2026-03-30T09:20:00+02:00"),
        ("tue-sat", "2026-10-24T12:20:00+02:00", 30, "2026-10-27T09:20:00+01:00"),
        # Hours spanning the change count real minutes: 01:00-04:00 lasts 2 h, then 4 h.
        ("sunday-night", "2026-03-29T01:00:00+01:00", 60, "2026-03-29T03:00:00+02:00"),
        ("sunday-night", "2026-03-29T01:00:00+01:00", 120, "2026-03-29T04:00:00+02:00"),
        ("sunday-night", "2026-03-29T01:00:00+01:00", 121, "2026-04-05T01:01:00+02:00"),
        ("sunday-night", "2026-10-25T01:00:00+02:00", 90, "2026-10-25T02:30:00+02:00"),
        ("sunday-night", "2026-10-25T01:00:00+02:00", 150, "2026-10-25T02:30:00+01:00"),
        ("sunday-night", "2026-10-25T01:00:00+02:00", 240, "2026-10-25T04:00:00+01:00"),
        # Across midnight, one open period.
        ("weekend-night", "2026-06-06T23:30:00+02:00", 60, "2026-06-07T00:30:00+02:00"),
        # 24/7: plain addition in real time, holidays and clock changes included.
        ("24/7", "2026-12-24T23:50:00+01:00", 30, "2026-12-25T00:20:00+01:00"),
        ("24/7", "2026-03-29T01:30:00+01:00", 60, "2026-03-29T03:30:00+02:00"),
        ("24/7", "2026-10-25T02:30:00+02:00", 60, "2026-10-25T02:30:00+01:00"),
        ("all-day", "2026-03-29T01:30:00+01:00", 60, "2026-03-29T03:30:00+02:00"),
        ("all-day", "2026-10-25T02:30:00+02:00", 60, "2026-10-25T02:30:00+01:00"),
        ("all-day", "2026-03-28T12:00:00+01:00", 24 * 60, "2026-03-29T13:00:00+02:00"),
    ],
)
def test_add_business_minutes(calendar: str, start: str, minutes: float, expected: str) -> None:
    assert paris(add_business_minutes(CALENDARS[calendar], at(start), minutes)) == expected


def test_a_range_in_the_skipped_hour_opens_at_the_jump() -> None:
    # 02:30 does not exist on 2026-03-29: the clock goes from 01:59:59 to 03:00:00.
    calendar = make_calendar({"sun": [["02:30", "03:30"]]}, PARIS)

    assert next_opening(calendar, at("2026-03-29T00:00:00+01:00")) == at(
        "2026-03-29T03:00:00+02:00"
    )
    assert business_minutes_between(
        calendar, at("2026-03-29T00:00:00+01:00"), at("2026-03-29T12:00:00+02:00")
    ) == pytest.approx(30)


def test_a_range_wholly_in_the_skipped_hour_never_opens_that_day() -> None:
    calendar = make_calendar({"sun": [["02:10", "02:50"]]}, PARIS)

    result = next_opening(calendar, at("2026-03-29T00:00:00+01:00"))

    assert result is not None
    assert paris(result) == "2026-04-05T02:10:00+02:00"


def test_a_range_ending_in_the_repeated_hour_ends_at_its_first_showing() -> None:
    calendar = make_calendar({"sun": [["01:00", "02:30"]]}, PARIS)

    assert closes_at(calendar, at("2026-10-25T01:00:00+02:00")) == at("2026-10-25T02:30:00+02:00")
    assert not is_open(calendar, at("2026-10-25T02:15:00+01:00"))


@pytest.mark.parametrize("minutes", [-1, -0.001, float("nan"), float("inf")])
def test_add_business_minutes_rejects_bad_minutes(minutes: float) -> None:
    with pytest.raises(ValueError, match="finite and not negative"):
        add_business_minutes(CALENDARS["tue-sat"], at("2026-06-09T10:00:00+02:00"), minutes)


@pytest.mark.parametrize("minutes", [0, 1, 10**9])
def test_add_business_minutes_raises_for_a_never_open_calendar(minutes: int) -> None:
    with pytest.raises(ValueError, match="never open"):
        add_business_minutes(make_calendar({}, PARIS), at("2026-06-09T10:00:00+02:00"), minutes)


def test_add_business_minutes_raises_when_holidays_block_the_whole_look_ahead() -> None:
    every_day = {date(2026, 1, 1) + timedelta(days=offset) for offset in range(800)}
    calendar = make_calendar(MONDAY_FRIDAY, PARIS, every_day)

    with pytest.raises(ValueError, match=f"in the {LOOKAHEAD_DAYS} days after"):
        add_business_minutes(calendar, at("2026-06-09T10:00:00+02:00"), 30)


@pytest.mark.parametrize("minutes", [300 * 1000, 10**12, 1e300])
def test_add_business_minutes_gives_up_past_the_look_ahead(minutes: float) -> None:
    with pytest.raises(ValueError, match="fewer than"):
        add_business_minutes(CALENDARS["tue-sat"], at("2026-06-09T10:00:00+02:00"), minutes)


def test_add_business_minutes_reaches_most_of_a_year_ahead() -> None:
    # About 49 weeks of Tuesday-Saturday hours, holidays included.
    result = add_business_minutes(CALENDARS["tue-sat"], at("2026-01-06T09:00:00+01:00"), 98_000)

    assert date(2026, 12, 1) < result.date() < date(2027, 1, 6)


def test_add_business_minutes_on_24_7_out_of_range_raises_value_error() -> None:
    with pytest.raises(ValueError, match="out of range"):
        add_business_minutes(CALENDARS["24/7"], at("2026-06-09T10:00:00+02:00"), 1e300)


def test_add_business_minutes_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_minutes(CALENDARS["tue-sat"], datetime(2026, 6, 9, 10, 0), 30)


# --- business_minutes_between -------------------------------------------------------------


@pytest.mark.parametrize(
    ("calendar", "start", "end", "expected"),
    [
        ("tue-sat", "2026-06-05T17:50:00+02:00", "2026-06-06T09:20:00+02:00", 30),
        ("tue-sat", "2026-06-09T00:00:00+02:00", "2026-06-10T00:00:00+02:00", 450),
        ("tue-sat", "2026-06-08T00:00:00+02:00", "2026-06-15T00:00:00+02:00", 2010),
        ("tue-sat", "2026-06-09T12:30:00+02:00", "2026-06-09T14:00:00+02:00", 0),
        ("tue-sat", "2026-06-09T10:00:00+02:00", "2026-06-09T10:00:00+02:00", 0),
        ("tue-sat", "2026-06-06T09:20:00+02:00", "2026-06-05T17:50:00+02:00", -30),
        ("tue-sat", "2026-12-21T00:00:00+01:00", "2026-12-28T00:00:00+01:00", 2010 - 450),
        ("mon-fri", "2026-04-06T00:00:00+02:00", "2026-04-07T00:00:00+02:00", 0),  # Easter
        ("24/7", "2026-03-28T00:00:00+01:00", "2026-03-31T00:00:00+02:00", 71 * 60),
        ("24/7", "2026-10-24T00:00:00+02:00", "2026-10-27T00:00:00+01:00", 73 * 60),
        ("all-day", "2026-03-28T00:00:00+01:00", "2026-03-31T00:00:00+02:00", 71 * 60),
        ("all-day", "2026-10-24T00:00:00+02:00", "2026-10-27T00:00:00+01:00", 73 * 60),
        ("sunday-night", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 120),
        ("sunday-night", "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 240),
        ("weekend-night", "2026-06-06T00:00:00+02:00", "2026-06-08T00:00:00+02:00", 240),
        # Longer than the look-ahead: counted all the same (2 years of all-day hours).
        ("all-day", "2026-01-01T00:00:00+01:00", "2028-01-01T00:00:00+01:00", 730 * 1440),
    ],
)
def test_business_minutes_between(calendar: str, start: str, end: str, expected: float) -> None:
    assert business_minutes_between(CALENDARS[calendar], at(start), at(end)) == pytest.approx(
        expected
    )


def test_business_minutes_between_is_zero_for_a_never_open_calendar() -> None:
    calendar = make_calendar({}, PARIS)

    assert (
        business_minutes_between(calendar, at("2026-06-01T00:00:00Z"), at("2026-07-01T00:00Z")) == 0
    )


# --- properties -----------------------------------------------------------------------------

PROPERTY_CALENDARS = [
    CALENDARS["tue-sat"],
    CALENDARS["mon-fri"],
    CALENDARS["24/7"],
    CALENDARS["sunday-night"],
    CALENDARS["weekend-night"],
    make_calendar({"sun": [["02:30", "03:30"]], "wed": [["00:00", "24:00"]]}, PARIS),
    make_calendar(MONDAY_FRIDAY, "America/New_York", HOLIDAYS),
    # Sydney changes its clocks on the first Sundays of April and October, at night.
    make_calendar(
        {"mon": [["09:00", "12:00"]], "fri": [["23:59", "24:00"]], "sun": [["01:00", "04:00"]]},
        "Australia/Sydney",
    ),
]
calendars = st.sampled_from(PROPERTY_CALENDARS)
# Whole years around both 2026 and 2027 clock changes, in UTC so that no imaginary times occur.
instants = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2027, 12, 31),
    timezones=st.just(UTC),
)
minutes = st.one_of(
    st.integers(min_value=0, max_value=5000),
    st.floats(min_value=0, max_value=5000, allow_nan=False, allow_infinity=False),
)
EPSILON = timedelta(microseconds=1)


@settings(max_examples=300, deadline=None, database=None)
@given(calendar=calendars, start=instants, first=minutes, second=minutes)
def test_add_business_minutes_is_monotonic(
    calendar: Calendar, start: datetime, first: float, second: float
) -> None:
    low, high = sorted((first, second))

    assert utc(add_business_minutes(calendar, start, low)) <= utc(
        add_business_minutes(calendar, start, high)
    )


@settings(max_examples=300, deadline=None, database=None)
@given(calendar=calendars, start=instants, amount=minutes)
def test_business_minutes_between_inverts_add_business_minutes(
    calendar: Calendar, start: datetime, amount: float
) -> None:
    end = add_business_minutes(calendar, start, amount)

    assert end >= start
    assert business_minutes_between(calendar, start, end) == pytest.approx(amount, abs=1e-6)


@settings(max_examples=300, deadline=None, database=None)
@given(calendar=calendars, start=instants, amount=minutes.filter(lambda value: value > 0))
def test_add_business_minutes_lands_in_an_open_period_or_at_its_end(
    calendar: Calendar, start: datetime, amount: float
) -> None:
    end = add_business_minutes(calendar, start, amount)

    if not is_open(calendar, end):
        assert is_open(calendar, end - EPSILON)
        closing = closes_at(calendar, end - EPSILON)
        assert closing is not None
        assert utc(closing) == utc(end)


@settings(max_examples=300, deadline=None, database=None)
@given(calendar=calendars, instant=instants)
def test_next_opening_is_the_first_open_instant(calendar: Calendar, instant: datetime) -> None:
    opening = next_opening(calendar, instant)

    assert opening is not None
    assert opening >= instant
    assert is_open(calendar, opening)
    assert business_minutes_between(calendar, instant, opening) == 0
    assert (opening == instant) is is_open(calendar, instant)


@settings(max_examples=300, deadline=None, database=None)
@given(calendar=calendars, instants=st.lists(instants, min_size=3, max_size=3))
def test_business_minutes_between_adds_up_and_is_bounded_by_real_time(
    calendar: Calendar, instants: list[datetime]
) -> None:
    first, middle, last = sorted(instants)
    whole = business_minutes_between(calendar, first, last)

    assert whole == pytest.approx(
        business_minutes_between(calendar, first, middle)
        + business_minutes_between(calendar, middle, last),
        abs=1e-6,
    )
    assert 0 <= whole <= (last - first) / timedelta(minutes=1) + 1e-9
    assert business_minutes_between(calendar, last, first) == -whole


@settings(max_examples=200, deadline=None, database=None)
@given(instant=instants, amount=minutes)
def test_hours_open_all_day_match_a_24_7_calendar(instant: datetime, amount: float) -> None:
    # Every clock change in 2026-2027 falls in this range: real minutes, not wall minutes.
    assert utc(add_business_minutes(CALENDARS["all-day"], instant, amount)) == utc(
        add_business_minutes(CALENDARS["24/7"], instant, amount)
    )
