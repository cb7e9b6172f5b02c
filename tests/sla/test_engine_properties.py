"""Property tests of the SLA engine, including a comparison with a naive reference model."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from itdesk.sla.engine import (
    BusinessCalendar,
    ClockState,
    add_business_time,
    business_time_between,
    compute_clock,
    explain_due,
    is_working_time,
)

BOUNDED = settings(max_examples=200, deadline=None)
ONE_US = timedelta(microseconds=1)


def utc(value: datetime) -> datetime:
    """Python compares and subtracts datetimes sharing one ZoneInfo by wall clock (ignoring
    fold and DST), so results in a DST zone are converted to UTC before such arithmetic."""
    return value.astimezone(UTC)


OFFICE_DAY = [(time(9), time(12)), (time(13, 30), time(18))]
CN = BusinessCalendar(
    "Asia/Shanghai",
    {name: OFFICE_DAY for name in ("mon", "tue", "wed", "thu", "fri")},
    holidays=[date(2026, 10, day) for day in range(1, 8)] + [date(2026, 1, 1), date(2026, 5, 1)],
    workdays=[date(2026, 9, 27), date(2026, 10, 10)],
)
NY_OFFICE = BusinessCalendar(
    "America/New_York",
    {day: [(time(8, 30), time(12)), (time(13), time(17, 30))] for day in range(5)},
    holidays=[date(2026, 7, 3), date(2026, 11, 26)],
)
# A night shift crossing midnight and covering both DST switches (Sunday 01:00-03:00).
NY_NIGHTS = BusinessCalendar(
    "America/New_York",
    {
        "mon": [(time(0), time(6)), (time(22), time.max)],
        "tue": [(time(0), time(6)), (time(22), time.max)],
        "wed": [(time(0), time(6)), (time(22), time.max)],
        "thu": [(time(0), time(6)), (time(22), time.max)],
        "fri": [(time(0), time(6))],
        "sun": [(time(0), time(6)), (time(22), time.max)],
    },
)
ALWAYS = BusinessCalendar.twenty_four_seven("America/New_York")
CALENDARS = [CN, NY_OFFICE, NY_NIGHTS, ALWAYS]

YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)
HALF_HOURS_IN_YEAR = 365 * 48

calendars = st.sampled_from(CALENDARS)
# Starts across 2026, often exactly on half-hour boundaries (where periods begin and end).
starts = st.one_of(
    st.integers(0, HALF_HOURS_IN_YEAR).map(lambda n: YEAR_START + timedelta(minutes=30 * n)),
    st.integers(0, HALF_HOURS_IN_YEAR * 1800).map(lambda n: YEAR_START + timedelta(seconds=n)),
)
# Durations from zero to three 7.5-hour working days.
durations = st.one_of(
    st.integers(0, 3 * 15).map(lambda n: timedelta(minutes=30 * n)),
    st.integers(0, 3 * 27_000).map(lambda n: timedelta(seconds=n)),
)
pause_offsets = st.lists(st.tuples(st.integers(-2_000, 20_000), st.integers(0, 3_000)), max_size=3)


def make_pauses(start: datetime, offsets: list[tuple[int, int]]) -> list[tuple[datetime, datetime]]:
    return [
        (start + timedelta(minutes=offset), start + timedelta(minutes=offset + length))
        for offset, length in offsets
    ]


# -- a deliberately naive reference model -------------------------------------------------------


def reference_intervals(cal: BusinessCalendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working intervals from the day before ``start`` for 60 days, built the obvious way."""
    zone = cal.zone
    day = start.astimezone(zone).date() - timedelta(days=1)
    for _ in range(60):
        if day in cal.holidays:
            periods: tuple[tuple[time, time], ...] = ()
        elif day in cal.workdays:
            periods = cal.week[cal.workday_template]
        else:
            periods = cal.week[day.weekday()]
        for begin, end in periods:
            a = datetime.combine(day, begin, tzinfo=zone)
            if end == time.max:
                b = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            else:
                b = datetime.combine(day, end, tzinfo=zone)
            yield a.astimezone(UTC), b.astimezone(UTC)
        day += timedelta(days=1)


def reference_pieces(
    cal: BusinessCalendar, start: datetime, pauses: list[tuple[datetime, datetime]]
) -> Iterator[tuple[datetime, datetime]]:
    for a, b in reference_intervals(cal, start):
        a = max(a, start)
        if a >= b:
            continue
        pieces = [(a, b)]
        for ps, pe in pauses:
            remaining = []
            for x, y in pieces:
                if pe <= x or ps >= y:
                    remaining.append((x, y))
                    continue
                if x < ps:
                    remaining.append((x, ps))
                if pe < y:
                    remaining.append((pe, y))
            pieces = remaining
        yield from pieces


def reference_add(
    cal: BusinessCalendar, start: datetime, duration: timedelta, pauses: list[tuple[datetime, datetime]]
) -> datetime:
    if not duration:
        return start
    remaining = duration
    for x, y in reference_pieces(cal, start, pauses):
        if remaining <= y - x:
            return x + remaining
        remaining -= y - x
    raise AssertionError("reference horizon too short")


def reference_between(
    cal: BusinessCalendar, a: datetime, b: datetime, pauses: list[tuple[datetime, datetime]]
) -> timedelta:
    total = timedelta(0)
    for x, y in reference_pieces(cal, a, pauses):
        if x < b:
            total += min(y, b) - x
    return total


# -- properties ---------------------------------------------------------------------------------


@BOUNDED
@given(calendars, starts, durations, pause_offsets)
def test_add_matches_reference(
    cal: BusinessCalendar, start: datetime, duration: timedelta, offsets: list[tuple[int, int]]
) -> None:
    pauses = make_pauses(start, offsets)
    assert add_business_time(cal, start, duration, pauses) == reference_add(cal, start, duration, pauses)


@BOUNDED
@given(calendars, starts, st.integers(0, 20 * 24 * 60), pause_offsets)
def test_between_matches_reference(
    cal: BusinessCalendar, start: datetime, minutes: int, offsets: list[tuple[int, int]]
) -> None:
    end = start + timedelta(minutes=minutes)
    pauses = make_pauses(start, offsets)
    assert business_time_between(cal, start, end, pauses) == reference_between(cal, start, end, pauses)


@BOUNDED
@given(calendars, starts, durations, pause_offsets)
def test_measuring_the_result_gives_back_the_duration(
    cal: BusinessCalendar, start: datetime, duration: timedelta, offsets: list[tuple[int, int]]
) -> None:
    pauses = make_pauses(start, offsets)
    due = add_business_time(cal, start, duration, pauses)
    assert business_time_between(cal, start, due, pauses) == duration
    assert business_time_between(cal, start, add_business_time(cal, start, duration)) == duration


@BOUNDED
@given(calendars, starts, durations, durations, pause_offsets)
def test_monotonic_in_duration(
    cal: BusinessCalendar,
    start: datetime,
    first: timedelta,
    second: timedelta,
    offsets: list[tuple[int, int]],
) -> None:
    pauses = make_pauses(start, offsets)
    short, long = sorted((first, second))
    assert utc(add_business_time(cal, start, short, pauses)) <= utc(
        add_business_time(cal, start, long, pauses)
    )


@BOUNDED
@given(calendars, starts, durations, pause_offsets)
def test_pauses_never_shorten_the_due_time(
    cal: BusinessCalendar, start: datetime, duration: timedelta, offsets: list[tuple[int, int]]
) -> None:
    pauses = make_pauses(start, offsets)
    with_pauses = utc(add_business_time(cal, start, duration, pauses))
    assert with_pauses >= utc(add_business_time(cal, start, duration))
    assert with_pauses >= utc(add_business_time(cal, start, duration, pauses[:1]))


@BOUNDED
@given(calendars, starts, durations, pause_offsets)
def test_due_instant_ends_counted_working_time(
    cal: BusinessCalendar, start: datetime, duration: timedelta, offsets: list[tuple[int, int]]
) -> None:
    pauses = make_pauses(start, offsets)
    due = utc(add_business_time(cal, start, duration, pauses))
    if duration:
        # The microsecond just before the due instant is working time and not paused, i.e. the
        # due instant lies within or at the end of a working period.
        assert is_working_time(cal, due - ONE_US)
        assert business_time_between(cal, due - ONE_US, due, pauses) == ONE_US
    else:
        assert due == start


@BOUNDED
@given(calendars, starts, durations, durations)
def test_adding_in_two_steps_equals_adding_once(
    cal: BusinessCalendar, start: datetime, first: timedelta, second: timedelta
) -> None:
    middle = add_business_time(cal, start, first)
    assert add_business_time(cal, middle, second) == add_business_time(cal, start, first + second)


@BOUNDED
@given(starts, durations)
def test_twenty_four_seven_is_wall_clock_time(start: datetime, duration: timedelta) -> None:
    # Compared in UTC: PEP 495 makes an inter-zone == False for a wall time in a DST fold (fold=1).
    assert add_business_time(ALWAYS, start, duration).astimezone(UTC) == start + duration
    assert business_time_between(ALWAYS, start, start + duration) == duration


@BOUNDED
@given(calendars, starts, durations, pause_offsets)
def test_explanation_is_a_contiguous_timeline_to_the_due_instant(
    cal: BusinessCalendar, start: datetime, duration: timedelta, offsets: list[tuple[int, int]]
) -> None:
    pauses = make_pauses(start, offsets)
    due = add_business_time(cal, start, duration, pauses)
    steps = explain_due(cal, start, duration, pauses)
    if not duration:
        assert steps == []
        return
    assert steps[0].start == start
    assert steps[-1].end == due
    assert steps[-1].counts
    for before, after in zip(steps, steps[1:], strict=False):
        assert utc(before.end) == utc(after.start)
    counted = timedelta(0)
    for step in steps:
        assert utc(step.start) < utc(step.end)
        assert step.duration == utc(step.end) - utc(step.start)
        assert step.date == step.start.date()
        assert step.start.tzinfo == cal.zone
        if step.counts:
            assert business_time_between(cal, step.start, step.end) == step.duration
            counted += step.duration
        elif step.kind == "skipped_pause":
            assert business_time_between(cal, step.start, step.end) == step.business_time
        else:
            assert business_time_between(cal, step.start, step.end) == timedelta(0)
    assert counted == duration


@BOUNDED
@given(calendars, starts, durations, pause_offsets, st.integers(-600, 30_000))
def test_clock_is_consistent_with_add_and_between(
    cal: BusinessCalendar,
    start: datetime,
    target: timedelta,
    offsets: list[tuple[int, int]],
    now_offset: int,
) -> None:
    pauses = make_pauses(start, offsets)
    now = start + timedelta(minutes=now_offset)
    status = compute_clock(cal, start, target, pauses, now=now)
    assert status.due_at == add_business_time(cal, start, target, pauses)
    assert status.elapsed == business_time_between(cal, start, now, pauses)
    assert status.remaining == max(target - status.elapsed, timedelta(0))
    assert (status.state is ClockState.BREACHED) == (now > status.due_at)
    if status.state is not ClockState.BREACHED:
        assert status.elapsed <= target
    stopped = compute_clock(cal, start, target, pauses, stopped_at=now, now=now + timedelta(days=30))
    assert stopped.elapsed == status.elapsed
    assert stopped.state is (ClockState.MET if now <= status.due_at else ClockState.BREACHED)
