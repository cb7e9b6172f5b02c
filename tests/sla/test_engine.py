"""Concrete, hand-checked cases for the SLA engine (no Django)."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from itdesk.sla.engine import (
    BusinessCalendar,
    CalendarError,
    ClockState,
    StepKind,
    add_business_time,
    add_working_days,
    business_time_between,
    compute_clock,
    explain_due,
    is_working_time,
    warning_at,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)
M = timedelta(minutes=1)

# Test data for the 2026 National Day holiday, as specified for this test suite: Oct 1-7 off,
# make-up workdays Sunday Sep 27 and Saturday Oct 10.  (The official 2026 schedule differs:
# Sep 25-27 is the Mid-autumn holiday and the make-up days are Sep 20 and Oct 10; the
# engine does not care, these are just fixture dates.)
NATIONAL_DAY = [date(2026, 10, day) for day in range(1, 8)]
MAKEUP_DAYS = [date(2026, 9, 27), date(2026, 10, 10)]
OFFICE_DAY = [(time(9), time(12)), (time(13, 30), time(18))]  # 7.5 hours


def sh(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def ny(month: int, day: int, hour: int = 0, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK, fold=fold)


def utc(value: datetime) -> datetime:
    """Python compares datetimes sharing one ZoneInfo by wall clock, ignoring fold: go via UTC."""
    return value.astimezone(UTC)


@pytest.fixture(scope="module")
def cn() -> BusinessCalendar:
    week = {name: OFFICE_DAY for name in ("mon", "tue", "wed", "thu", "fri")}
    return BusinessCalendar("Asia/Shanghai", week, NATIONAL_DAY, MAKEUP_DAYS)


@pytest.fixture(scope="module")
def ny_weekdays() -> BusinessCalendar:
    return BusinessCalendar("America/New_York", {d: [(time(9), time(17))] for d in range(5)})


@pytest.fixture(scope="module")
def ny_every_day() -> BusinessCalendar:
    return BusinessCalendar("America/New_York", [[(time(9), time(17))]] * 7)


# -- calendar construction -------------------------------------------------------------------


def test_calendar_attributes(cn: BusinessCalendar) -> None:
    assert cn.timezone == "Asia/Shanghai"
    assert cn.zone == SHANGHAI
    assert cn.week[0] == tuple(OFFICE_DAY)
    assert cn.week[5] == ()
    assert cn.holidays == frozenset(NATIONAL_DAY)
    assert cn.workdays == frozenset(MAKEUP_DAYS)
    assert cn.workday_template == 0
    assert cn.working_day == 7 * H + 30 * M
    assert not cn.always_open


def test_calendar_is_an_immutable_hashable_value(cn: BusinessCalendar) -> None:
    same = BusinessCalendar(
        "Asia/Shanghai",
        [OFFICE_DAY] * 5 + [[], []],
        holidays=set(NATIONAL_DAY),
        workdays=tuple(MAKEUP_DAYS),
        workday_template="mon",
    )
    assert same == cn
    assert hash(same) == hash(cn)
    assert pickle.loads(pickle.dumps(cn)) == cn
    with pytest.raises(AttributeError):
        setattr(cn, "foo", 1)
    assert "Asia/Shanghai" in repr(cn)


def test_twenty_four_seven() -> None:
    cal = BusinessCalendar.twenty_four_seven("Europe/Paris")
    assert cal.always_open
    assert cal.working_day == timedelta(days=1)
    start = datetime(2026, 6, 5, 23, 17, 5, 123, tzinfo=UTC)
    due = add_business_time(cal, start, 3 * H + 7 * M)
    assert due == start + 3 * H + 7 * M
    assert due.tzinfo == ZoneInfo("Europe/Paris")
    assert business_time_between(cal, start, start + timedelta(days=9)) == timedelta(days=9)


def test_twenty_four_seven_with_pauses() -> None:
    cal = BusinessCalendar.twenty_four_seven("UTC")

    def at(hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 6, 5, hour, minute, tzinfo=UTC)

    assert add_business_time(cal, at(10), 2 * H, [(at(11), at(12))]) == at(13)
    assert add_business_time(cal, at(10), 2 * H, [(at(12), at(13))]) == at(12)  # used up as the pause begins
    assert add_business_time(cal, at(10), 2 * H, [(at(9), at(10, 30))]) == at(12, 30)
    assert add_business_time(cal, at(10), 2 * H, [(at(9), at(10, 30)), (at(10), at(11))]) == at(13)
    assert business_time_between(cal, at(10), at(14), [(at(11), at(12)), (at(11, 30), at(12, 30))]) == 2.5 * H


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "unknown time zone 'Mars/Olympus_Mons'"),
        ({"timezone": "../etc/passwd"}, "unknown time zone"),
        ({"timezone": ""}, "time zone must be a non-empty IANA name"),
        (
            {"week": {"mon": [(time(12), time(9))]}},
            "mon: working period 12:00-09:00 does not end after it starts",
        ),
        (
            {"week": {"tue": [(time(9), time(9))]}},
            "tue: working period 09:00-09:00 does not end after it starts",
        ),
        (
            {"week": {"mon": [(time(9), time(12)), (time(11), time(14))]}},
            "mon: working periods 09:00-12:00 and 11:00-14:00 overlap",
        ),
        (
            {"week": {"mon": [(time(13, 30), time(18)), (time(9), time(12))]}},
            "mon: working periods are not in order (09:00-12:00 listed after 13:30-18:00)",
        ),
        ({"week": {"mon": [(time(9, tzinfo=UTC), time(12))]}}, "naive wall-clock times"),
        ({"week": {"mon": [(time(9),)]}}, "is not a (start, end) pair"),
        ({"week": {"mon": [("09:00", "12:00")]}}, "must hold two datetime.time values"),
        ({"week": {"funday": [(time(9), time(12))]}}, "unknown weekday 'funday'"),
        ({"week": {7: [(time(9), time(12))]}}, "weekday index 7 is out of range"),
        ({"week": [[(time(9), time(12))]] * 6}, "week must list 7 weekdays"),
        ({"week": {}}, "the weekly schedule has no working periods"),
        (
            {"holidays": [date(2026, 10, 10)], "workdays": [date(2026, 10, 10)]},
            "2026-10-10 is listed both as a holiday and as a make-up workday",
        ),
        ({"holidays": [datetime(2026, 10, 1)]}, "is not a date"),
        ({"holidays": "2026-10-01"}, "not a string"),
        (
            {"workdays": [date(2026, 10, 10)], "workday_template": "sun"},
            "workday_template sun has no working",
        ),
        ({"workday_template": "someday"}, "unknown weekday 'someday'"),
    ],
)
def test_invalid_calendars(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {"timezone": "Asia/Shanghai", "week": {"mon": OFFICE_DAY}}
    arguments.update(kwargs)
    with pytest.raises(CalendarError) as excinfo:
        BusinessCalendar(**arguments)  # type: ignore[arg-type]
    assert message in str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)
    assert "\n" not in str(excinfo.value)


def test_period_may_end_at_midnight() -> None:
    cal = BusinessCalendar("Asia/Shanghai", {"fri": [(time(20), time.max)], "mon": [(time(9), time(10))]})
    assert cal.week[4] == ((time(20), time.max),)
    assert add_business_time(cal, sh(9, 18, 19), 4 * H) == sh(9, 19)  # ends at Friday 24:00
    assert add_business_time(cal, sh(9, 18, 19), 4 * H + M) == sh(9, 21, 9, 1)


def test_working_day_undefined_without_template_hours() -> None:
    cal = BusinessCalendar("Asia/Shanghai", {"tue": OFFICE_DAY})
    with pytest.raises(CalendarError, match="workday_template mon has no working periods"):
        _ = cal.working_day
    assert (
        BusinessCalendar("Asia/Shanghai", {"tue": OFFICE_DAY}, workday_template="tue").working_day == 7.5 * H
    )


# -- add_business_time -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (sh(9, 21, 10), H, sh(9, 21, 11)),  # inside the morning
        (sh(9, 21, 11), H, sh(9, 21, 12)),  # ends exactly at lunch: 12:00, not 13:30
        (sh(9, 21, 11), 2 * H, sh(9, 21, 14, 30)),  # across the lunch break
        (sh(9, 21, 17), 2 * H, sh(9, 22, 10)),  # across the night
        (sh(9, 21, 17), H, sh(9, 21, 18)),  # ends at closing time
        (sh(9, 18, 17), 2 * H, sh(9, 21, 10)),  # across a weekend
        (sh(9, 25, 17), 2 * H, sh(9, 27, 10)),  # make-up workday Sunday Sep 27 is used
        (sh(9, 30, 17), 2 * H, sh(10, 8, 10)),  # across the National Day holiday
        (sh(10, 9, 17), 2 * H, sh(10, 10, 10)),  # make-up workday Saturday Oct 10 is used
        (sh(9, 21, 7), 30 * M, sh(9, 21, 9, 30)),  # before opening
        (sh(9, 21, 12, 30), 30 * M, sh(9, 21, 14)),  # during lunch
        (sh(9, 21, 22), H, sh(9, 22, 10)),  # at night
        (sh(9, 22, 2), H, sh(9, 22, 10)),  # after midnight
        (sh(10, 3, 10), H, sh(10, 8, 10)),  # on a holiday
        (sh(9, 19, 10), H, sh(9, 21, 10)),  # on a Saturday
        (sh(9, 21, 10), 22 * H + 30 * M, sh(9, 24, 10)),  # three working days
        (sh(9, 29, 10), 22 * H + 30 * M, sh(10, 9, 10)),  # three working days across the holiday
        (sh(9, 25, 9), 37 * H + 30 * M, sh(9, 30, 18)),  # five days incl. Sunday Sep 27, ends 18:00
        (
            sh(9, 21, 10, 0) + timedelta(seconds=1, microseconds=7),
            5 * M,
            sh(9, 21, 10, 5) + timedelta(seconds=1, microseconds=7),
        ),
    ],
)
def test_add_business_time(
    cn: BusinessCalendar, start: datetime, duration: timedelta, expected: datetime
) -> None:
    due = add_business_time(cn, start, duration)
    assert due == expected
    assert due.tzinfo is SHANGHAI or due.tzinfo == SHANGHAI
    assert business_time_between(cn, start, due) == duration


def test_add_accepts_other_zones_and_returns_calendar_zone(cn: BusinessCalendar) -> None:
    start = datetime(2026, 9, 21, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    due = add_business_time(cn, start, 2 * H)
    assert due == sh(9, 21, 11)
    assert due.isoformat() == "2026-09-21T11:00:00+08:00"


def test_zero_duration_returns_start_unchanged(cn: BusinessCalendar) -> None:
    start = sh(10, 3, 22, 15)  # on a holiday, at night
    assert add_business_time(cn, start, timedelta(0)) == start
    assert add_business_time(cn, datetime(2026, 10, 3, 14, tzinfo=UTC), timedelta(0)).tzinfo == SHANGHAI
    assert explain_due(cn, start, timedelta(0)) == []


def test_input_validation(cn: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        add_business_time(cn, datetime(2026, 9, 21, 9), H)
    with pytest.raises(ValueError, match="duration must not be negative"):
        add_business_time(cn, sh(9, 21, 9), -H)
    with pytest.raises(ValueError, match="end must be timezone-aware"):
        business_time_between(cn, sh(9, 21, 9), datetime(2026, 9, 21, 10))
    with pytest.raises(ValueError, match="pause ends before it starts"):
        add_business_time(cn, sh(9, 21, 9), H, [(sh(9, 21, 11), sh(9, 21, 10))])
    with pytest.raises(ValueError, match="pause start must be timezone-aware"):
        add_business_time(cn, sh(9, 21, 9), H, [(datetime(2026, 9, 21, 10), sh(9, 21, 11))])
    with pytest.raises(TypeError):
        add_business_time(cn, date(2026, 9, 21), H)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="supported range"):
        add_business_time(cn, datetime(9998, 12, 31, tzinfo=UTC), timedelta(days=999))


def test_add_working_days(cn: BusinessCalendar) -> None:
    assert add_working_days(cn, sh(9, 21, 10), 3) == sh(9, 24, 10)
    assert add_working_days(cn, sh(9, 29, 10), 3) == sh(10, 9, 10)
    assert add_working_days(cn, sh(9, 25, 9), 1) == sh(9, 25, 18)
    assert add_working_days(cn, sh(9, 25, 10), 1) == sh(9, 27, 10)  # via the make-up Sunday
    assert add_working_days(cn, sh(9, 21, 10), 0) == sh(9, 21, 10)
    with pytest.raises(ValueError, match="days must not be negative"):
        add_working_days(cn, sh(9, 21, 10), -1)
    with pytest.raises(TypeError):
        add_working_days(cn, sh(9, 21, 10), 1.5)  # type: ignore[arg-type]


def test_workday_template_is_configurable() -> None:
    week = {"mon": [(time(9), time(12))], "tue": OFFICE_DAY}
    cal = BusinessCalendar("Asia/Shanghai", week, workdays=[date(2026, 9, 27)], workday_template="tue")
    assert cal.working_day == 7.5 * H
    # Sunday Sep 27 is a make-up day with Tuesday's hours: 3h in the morning + 1h after lunch.
    assert add_business_time(cal, sh(9, 27, 8), 4 * H) == sh(9, 27, 14, 30)


# -- pauses ----------------------------------------------------------------------------------


def test_pause_spanning_the_holiday(cn: BusinessCalendar) -> None:
    start = sh(9, 30, 10)
    assert add_business_time(cn, start, 4 * H) == sh(9, 30, 15, 30)
    pause = (sh(9, 30, 11), sh(10, 9, 9, 30))
    # 1h before the pause, then 2.5h on Oct 9 morning and 30 min after lunch.
    assert add_business_time(cn, start, 4 * H, [pause]) == sh(10, 9, 14)
    assert business_time_between(cn, start, sh(10, 9, 14), [pause]) == 4 * H


def test_overlapping_pauses_are_merged(cn: BusinessCalendar) -> None:
    day = (sh(9, 21, 9), sh(9, 21, 18))
    pauses = [(sh(9, 21, 10, 30), sh(9, 21, 11, 30)), (sh(9, 21, 10), sh(9, 21, 11))]
    assert business_time_between(cn, *day) == 7.5 * H
    assert business_time_between(cn, *day, pauses) == 6 * H
    assert business_time_between(cn, *day, pauses + pauses) == 6 * H
    assert add_business_time(cn, sh(9, 21, 9), 2 * H, pauses) == sh(9, 21, 13, 30) + 30 * M


def test_pause_outside_working_hours_changes_nothing(cn: BusinessCalendar) -> None:
    lunch = (sh(9, 21, 12), sh(9, 21, 13, 30))
    night = (sh(9, 21, 18), sh(9, 22, 9))
    assert add_business_time(cn, sh(9, 21, 11), 2 * H, [lunch, night]) == sh(9, 21, 14, 30)


def test_pause_started_before_start_and_pause_at_due(cn: BusinessCalendar) -> None:
    assert add_business_time(cn, sh(9, 21, 9), H, [(sh(9, 21, 8), sh(9, 21, 10))]) == sh(9, 21, 11)
    # The duration is used up exactly when the pause begins.
    assert add_business_time(cn, sh(9, 21, 9), H, [(sh(9, 21, 10), sh(9, 21, 11))]) == sh(9, 21, 10)
    # Empty pauses are ignored.
    assert add_business_time(cn, sh(9, 21, 9), H, [(sh(9, 21, 9, 30), sh(9, 21, 9, 30))]) == sh(9, 21, 10)


def test_business_time_between(cn: BusinessCalendar) -> None:
    assert business_time_between(cn, sh(9, 14), sh(9, 21)) == 5 * 7.5 * H
    assert business_time_between(cn, sh(9, 21), sh(9, 28)) == 6 * 7.5 * H  # incl. make-up Sunday
    assert business_time_between(cn, sh(9, 26), sh(9, 28)) == 7.5 * H  # make-up Sunday
    assert business_time_between(cn, sh(10, 1), sh(10, 8)) == timedelta(0)  # the holiday week
    assert business_time_between(cn, sh(9, 21, 12), sh(9, 21, 13, 30)) == timedelta(0)
    assert business_time_between(cn, sh(9, 21, 18), sh(9, 21, 9)) == timedelta(0)  # end before start
    assert business_time_between(cn, sh(12, 31, 17), sh(1, 1, 10, year=2027)) == 2 * H  # across UTC years
    assert business_time_between(cn, sh(1, 1, year=2026), sh(1, 1, year=2028)) == (
        # 2026: 261 weekdays - 5 weekday holidays + 2 make-up days; 2027: 261 weekdays
        (261 - 5 + 2 + 261) * 7.5 * H
    )


def test_is_working_time(cn: BusinessCalendar) -> None:
    assert is_working_time(cn, sh(9, 21, 9))
    assert not is_working_time(cn, sh(9, 21, 12))  # periods are half-open
    assert is_working_time(cn, sh(9, 27, 10))  # make-up Sunday
    assert not is_working_time(cn, sh(10, 2, 10))  # holiday
    assert is_working_time(BusinessCalendar.twenty_four_seven(), sh(10, 2, 3))


# -- daylight-saving time ---------------------------------------------------------------------


def test_dst_spring_forward_working_day_is_still_eight_hours(ny_every_day: BusinessCalendar) -> None:
    # Sunday 2026-03-08: clocks jump from 02:00 EST to 03:00 EDT.
    assert business_time_between(ny_every_day, ny(3, 8), ny(3, 9)) == 8 * H
    due = add_business_time(ny_every_day, ny(3, 7, 16), 2 * H)
    assert utc(due) == datetime(2026, 3, 8, 14, tzinfo=UTC)  # 10:00 EDT
    assert due.utcoffset() == -4 * H


def test_dst_fall_back_working_day_is_still_eight_hours(ny_every_day: BusinessCalendar) -> None:
    # Sunday 2026-11-01: clocks fall back from 02:00 EDT to 01:00 EST.
    assert business_time_between(ny_every_day, ny(11, 1), ny(11, 2)) == 8 * H
    due = add_business_time(ny_every_day, ny(10, 31, 16), 2 * H)
    assert utc(due) == datetime(2026, 11, 1, 15, tzinfo=UTC)  # 10:00 EST
    assert due.utcoffset() == -5 * H


def test_dst_weekend_between_weekdays(ny_weekdays: BusinessCalendar) -> None:
    assert add_business_time(ny_weekdays, ny(3, 6, 16), 2 * H) == ny(3, 9, 10)
    assert business_time_between(ny_weekdays, ny(3, 6, 9), ny(3, 9, 17)) == 16 * H
    assert add_business_time(ny_weekdays, ny(10, 30, 16), 2 * H) == ny(11, 2, 10)


def test_dst_twenty_four_seven_has_23_and_25_hour_days() -> None:
    cal = BusinessCalendar.twenty_four_seven("America/New_York")
    assert business_time_between(cal, ny(3, 8), ny(3, 9)) == 23 * H
    assert business_time_between(cal, ny(11, 1), ny(11, 2)) == 25 * H
    assert utc(add_business_time(cal, ny(3, 8), 24 * H)) == utc(ny(3, 9, 1))
    assert utc(add_business_time(cal, ny(11, 1), 24 * H)) == utc(ny(11, 1, 23))
    # The same result with a non-shortcut calendar that is open all day but has a holiday.
    almost = BusinessCalendar("America/New_York", [[(time(0), time.max)]] * 7, holidays=[date(2026, 1, 1)])
    assert not almost.always_open
    assert business_time_between(almost, ny(3, 8), ny(3, 9)) == 23 * H
    assert business_time_between(almost, ny(11, 1), ny(11, 2)) == 25 * H
    assert utc(add_business_time(almost, ny(3, 8), 24 * H)) == utc(ny(3, 9, 1))
    assert utc(add_business_time(almost, ny(11, 1), 24 * H)) == utc(ny(11, 1, 23))


def test_dst_due_right_at_the_spring_forward_jump() -> None:
    nights = BusinessCalendar("America/New_York", [[(time(0), time(6))]] * 7)
    due = add_business_time(nights, ny(3, 8), 2 * H)  # 00:00-02:00 EST, then the clock jumps
    assert utc(due) == datetime(2026, 3, 8, 7, tzinfo=UTC)  # shown as 03:00 EDT
    # Found by Hypothesis: ``due - 1us`` on a New York datetime would be wall-clock arithmetic
    # (02:59:59.999999, which does not exist); the instant before the due time is via UTC.
    assert is_working_time(nights, utc(due) - timedelta(microseconds=1))
    assert business_time_between(nights, ny(3, 8), ny(3, 9)) == 5 * H


def test_dst_boundaries_inside_the_gap_and_the_fold() -> None:
    def every_day(start: time, end: time) -> BusinessCalendar:
        return BusinessCalendar("America/New_York", [[(start, end)]] * 7)

    # 02:00-03:00 does not exist on Mar 8: the period vanishes.
    assert business_time_between(every_day(time(2), time(3)), ny(3, 8), ny(3, 9)) == timedelta(0)
    # A boundary inside the gap maps to the transition instant (03:00 EDT).
    assert business_time_between(every_day(time(1, 30), time(2, 30)), ny(3, 8), ny(3, 9)) == 30 * M
    assert business_time_between(every_day(time(2, 30), time(4)), ny(3, 8), ny(3, 9)) == H
    assert add_business_time(every_day(time(2, 30), time(4)), ny(3, 7, 23), 30 * M) == ny(3, 8, 3, 30)
    # 01:00-02:00 on Nov 1 lasts two real hours (01:00 EDT to 02:00 EST).
    fold = every_day(time(1), time(2))
    assert business_time_between(fold, ny(11, 1), ny(11, 2)) == 2 * H
    due = add_business_time(fold, ny(10, 31, 23), 90 * M)
    assert utc(due) == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, the second 01:30
    assert due.fold == 1 and due.utcoffset() == -5 * H


# -- explanation -----------------------------------------------------------------------------


def _summary(steps: list) -> list[tuple[str, str, str, timedelta]]:  # type: ignore[type-arg]
    return [
        (s.kind.value, s.start.strftime("%m-%d %H:%M"), s.end.strftime("%m-%d %H:%M"), s.business_time)
        for s in steps
    ]


def test_explain_across_the_holiday(cn: BusinessCalendar) -> None:
    steps = explain_due(cn, sh(9, 30, 17), 8 * H)
    assert _summary(steps) == [
        ("counted", "09-30 17:00", "09-30 18:00", H),
        ("skipped_outside_hours", "09-30 18:00", "10-01 00:00", timedelta(0)),
        ("skipped_holiday", "10-01 00:00", "10-08 00:00", timedelta(0)),
        ("skipped_outside_hours", "10-08 00:00", "10-08 09:00", timedelta(0)),
        ("counted", "10-08 09:00", "10-08 12:00", 3 * H),
        ("skipped_break", "10-08 12:00", "10-08 13:30", timedelta(0)),
        ("counted", "10-08 13:30", "10-08 17:30", 4 * H),
    ]
    assert steps[2].date == date(2026, 10, 1)
    assert steps[2].duration == timedelta(days=7)
    assert steps[0].counts and not steps[1].counts
    assert steps[-1].end == add_business_time(cn, sh(9, 30, 17), 8 * H)


def test_explain_weekend_and_makeup_workday(cn: BusinessCalendar) -> None:
    steps = explain_due(cn, sh(9, 25, 17), 2 * H)
    assert _summary(steps) == [
        ("counted", "09-25 17:00", "09-25 18:00", H),
        ("skipped_outside_hours", "09-25 18:00", "09-26 00:00", timedelta(0)),
        ("skipped_weekend", "09-26 00:00", "09-27 00:00", timedelta(0)),
        ("skipped_outside_hours", "09-27 00:00", "09-27 09:00", timedelta(0)),
        ("used_makeup_workday", "09-27 09:00", "09-27 10:00", H),
    ]
    assert steps[-1].kind is StepKind.USED_MAKEUP_WORKDAY
    assert steps[-1].counts
    assert steps[2].date == date(2026, 9, 26)


def test_explain_merges_nights_and_weekends(cn: BusinessCalendar) -> None:
    steps = explain_due(cn, sh(9, 18, 20), H)  # Friday evening
    assert _summary(steps) == [
        ("skipped_outside_hours", "09-18 20:00", "09-19 00:00", timedelta(0)),
        ("skipped_weekend", "09-19 00:00", "09-21 00:00", timedelta(0)),
        ("skipped_outside_hours", "09-21 00:00", "09-21 09:00", timedelta(0)),
        ("counted", "09-21 09:00", "09-21 10:00", H),
    ]
    night = explain_due(cn, sh(9, 21, 17), 2 * H)
    assert [s.kind for s in night] == [StepKind.COUNTED, StepKind.SKIPPED_OUTSIDE_HOURS, StepKind.COUNTED]
    assert night[1].start == sh(9, 21, 18) and night[1].end == sh(9, 22, 9)


def test_explain_pause(cn: BusinessCalendar) -> None:
    pause = (sh(9, 30, 11), sh(10, 9, 9, 30))
    steps = explain_due(cn, sh(9, 30, 10), 4 * H, [pause])
    assert _summary(steps) == [
        ("counted", "09-30 10:00", "09-30 11:00", H),
        # the pause removed 5.5h on Sep 30, 7.5h on Oct 8 and 30 min on Oct 9
        ("skipped_pause", "09-30 11:00", "10-09 09:30", 13.5 * H),
        ("counted", "10-09 09:30", "10-09 12:00", 2.5 * H),
        ("skipped_break", "10-09 12:00", "10-09 13:30", timedelta(0)),
        ("counted", "10-09 13:30", "10-09 14:00", 30 * M),
    ]


def test_explain_start_inside_a_pause_in_the_lunch_break(cn: BusinessCalendar) -> None:
    steps = explain_due(cn, sh(9, 21, 12, 15), H, [(sh(9, 21, 11), sh(9, 21, 14))])
    assert _summary(steps) == [
        ("skipped_pause", "09-21 12:15", "09-21 14:00", 30 * M),
        ("counted", "09-21 14:00", "09-21 15:00", H),
    ]


def test_explain_dst_day(ny_every_day: BusinessCalendar) -> None:
    steps = explain_due(ny_every_day, ny(3, 7, 16), 2 * H)
    assert [s.kind for s in steps] == [StepKind.COUNTED, StepKind.SKIPPED_OUTSIDE_HOURS, StepKind.COUNTED]
    assert steps[1].duration == 15 * H  # 17:00 EST to 09:00 EDT: one hour less than the wall clock says
    assert steps[2].end == ny(3, 8, 10)


# -- clock -----------------------------------------------------------------------------------


def test_clock_running(cn: BusinessCalendar) -> None:
    status = compute_clock(cn, sh(9, 21, 9), 4 * H, now=sh(9, 21, 11))
    assert status.state is ClockState.RUNNING
    assert status.state.value == "running"
    assert f"{status.state}" == "running"  # a StrEnum: stores and formats as plain text
    assert status.due_at == sh(9, 21, 14, 30)
    assert status.elapsed == 2 * H
    assert status.remaining == 2 * H
    assert status.fraction_used == 0.5
    assert status.target == 4 * H


def test_clock_paused_projects_due_from_now(cn: BusinessCalendar) -> None:
    status = compute_clock(cn, sh(9, 21, 9), 4 * H, [(sh(9, 21, 10), None)], now=sh(9, 21, 15))
    assert status.state is ClockState.PAUSED
    assert status.elapsed == H
    assert status.remaining == 3 * H
    assert status.due_at == sh(9, 21, 18)  # if it resumed now
    later = compute_clock(cn, sh(9, 21, 9), 4 * H, [(sh(9, 21, 10), None)], now=sh(9, 22, 10))
    assert later.state is ClockState.PAUSED
    assert later.elapsed == H
    assert later.due_at == sh(9, 22, 14, 30)


def test_clock_paused_in_a_closed_pause(cn: BusinessCalendar) -> None:
    status = compute_clock(cn, sh(9, 21, 9), 4 * H, [(sh(9, 21, 10), sh(9, 21, 16))], now=sh(9, 21, 15))
    assert status.state is ClockState.PAUSED
    assert status.elapsed == H
    assert status.remaining == 3 * H
    assert status.due_at == sh(9, 22, 10)  # 16:00-18:00, then 09:00-10:00 the next day


def test_clock_met_and_breached(cn: BusinessCalendar) -> None:
    met = compute_clock(cn, sh(9, 21, 9), 4 * H, stopped_at=sh(9, 21, 14), now=sh(9, 23, 9))
    assert met.state is ClockState.MET
    assert met.elapsed == 3.5 * H
    assert met.remaining == 30 * M
    late = compute_clock(cn, sh(9, 21, 9), 4 * H, stopped_at=sh(9, 21, 15), now=sh(9, 23, 9))
    assert late.state is ClockState.BREACHED
    assert late.elapsed == 4.5 * H
    assert late.remaining == timedelta(0)
    assert late.fraction_used == 1.125
    running_late = compute_clock(cn, sh(9, 21, 9), 4 * H, now=sh(9, 21, 15))
    assert running_late.state is ClockState.BREACHED


def test_clock_deadline_at_closing_time(cn: BusinessCalendar) -> None:
    at_due = compute_clock(cn, sh(9, 21, 9), 7.5 * H, now=sh(9, 21, 18))
    assert at_due.due_at == sh(9, 21, 18)
    assert at_due.state is ClockState.RUNNING
    assert at_due.remaining == timedelta(0)
    evening = compute_clock(cn, sh(9, 21, 9), 7.5 * H, now=sh(9, 21, 19))
    assert evening.state is ClockState.BREACHED  # the deadline has passed, even out of hours
    assert evening.elapsed == 7.5 * H


def test_clock_breached_before_a_pause_stays_breached(cn: BusinessCalendar) -> None:
    status = compute_clock(cn, sh(9, 21, 9), 4 * H, [(sh(9, 21, 15), None)], now=sh(9, 21, 16))
    assert status.state is ClockState.BREACHED
    assert status.due_at == sh(9, 21, 14, 30)


def test_clock_retarget_keeps_elapsed(cn: BusinessCalendar) -> None:
    pauses = [(sh(9, 21, 10), sh(9, 21, 11))]
    p3 = compute_clock(cn, sh(9, 21, 9), 4 * H, pauses, now=sh(9, 21, 15))
    p1 = compute_clock(cn, sh(9, 21, 9), 2 * H, pauses, now=sh(9, 21, 15))
    assert p3.elapsed == p1.elapsed == 3.5 * H
    assert p3.state is ClockState.RUNNING and p3.due_at == sh(9, 21, 15, 30)
    assert p1.state is ClockState.BREACHED and p1.due_at == sh(9, 21, 12)


def test_clock_edge_cases(cn: BusinessCalendar) -> None:
    before = compute_clock(cn, sh(9, 21, 9), H, now=sh(9, 21, 8))
    assert before.state is ClockState.RUNNING and before.elapsed == timedelta(0)
    zero = compute_clock(cn, sh(9, 21, 9), timedelta(0), now=sh(9, 21, 9))
    assert zero.state is ClockState.RUNNING and zero.fraction_used == 1.0
    with pytest.raises(ValueError, match="now must be timezone-aware"):
        compute_clock(cn, sh(9, 21, 9), H, now=datetime(2026, 9, 21, 10))
    with pytest.raises(ValueError, match="target must not be negative"):
        compute_clock(cn, sh(9, 21, 9), -H, now=sh(9, 21, 10))


def test_warning_at(cn: BusinessCalendar) -> None:
    assert warning_at(cn, sh(9, 21, 9), 4 * H) == sh(9, 21, 12)
    assert warning_at(cn, sh(9, 21, 9), 4 * H, fraction=0.5) == sh(9, 21, 11)
    assert warning_at(cn, sh(9, 21, 9), 4 * H, [(sh(9, 21, 10), sh(9, 21, 14))], fraction=0.5) == sh(
        9, 21, 15
    )
    with pytest.raises(ValueError, match="fraction"):
        warning_at(cn, sh(9, 21, 9), 4 * H, fraction=-0.1)
