"""Business-calendar SLA engine: pure, stdlib-only, DST-correct and fast.

Model
-----
A :class:`BusinessCalendar` describes when the service desk works: an IANA time zone, a
weekly schedule of wall-clock working periods (several per day, e.g. 09:00-12:00 and
13:30-18:00), holidays (no work even on a weekday) and make-up workdays (work on a normally
free day, using the periods of the ``workday_template`` weekday, Monday by default).

Every computation is done on UTC instants (integer microseconds since the Unix epoch).
A calendar turns each local date's wall-clock periods into UTC intervals once, and builds,
per UTC year, sorted arrays of merged working intervals with cumulative business time.
Adding business time or measuring it is then two binary searches, whatever the length of
the target.

Semantics worth knowing
-----------------------
* Business time is real elapsed time inside working periods.  On a DST switch day a
  09:00-17:00 period still lasts 8 hours, and a 24x7 day lasts 23 or 25 hours.
* A wall-clock boundary that does not exist on a given day (it falls in a DST gap) maps to
  the first instant at which the wall clock reads at least that time, i.e. the transition
  instant.  An ambiguous boundary (DST fold) maps to its first occurrence.  So a boundary
  always means "the first instant the wall clock shows this time or later".
* ``add_business_time`` returns the instant at which the duration has fully elapsed; if that
  happens exactly at the end of a working period, the result is that end (e.g. 18:00 on
  Friday), not the start of the next period.  A zero duration returns ``start`` itself
  (converted to the calendar's zone), even outside working hours.
* Intervals are half-open: business time is counted in ``[start, end)``.

Performance and sharing
-----------------------
Construction is cheap; the first computation touching a UTC year builds that year's arrays
(a few milliseconds), after which a due date costs a few microseconds.  So build a calendar
once and reuse it (e.g. cache it per calendar row and modification time).  Instances are
immutable values (hashable, picklable without their caches) and may be shared between
threads: the internal caches are only ever filled, and a race at worst builds a year twice.
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "WEEKDAY_NAMES",
    "BusinessCalendar",
    "CalendarError",
    "ClockState",
    "ClockStatus",
    "ExplanationStep",
    "StepKind",
    "add_business_time",
    "add_working_days",
    "business_time_between",
    "compute_clock",
    "explain_due",
    "is_working_time",
    "warning_at",
]

#: Weekday keys, index 0 is Monday (same as ``date.weekday()``).
WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Period: TypeAlias = tuple[time, time]
WeekSpec: TypeAlias = (
    Mapping[str, Sequence[Period]] | Mapping[int, Sequence[Period]] | Sequence[Sequence[Period]]
)
Pause: TypeAlias = tuple[datetime, datetime]
OpenPause: TypeAlias = tuple[datetime, datetime | None]

_US = 1_000_000
_ONE_US = timedelta(microseconds=1)
_ONE_DAY = timedelta(days=1)
_DAY_US = 86_400 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MIN_YEAR = 2
_MAX_YEAR = 9998


def _year_start_us(year: int) -> int:
    y = year - 1
    ordinal = y * 365 + y // 4 - y // 100 + y // 400 + 1
    return (ordinal - _EPOCH_ORDINAL) * _DAY_US


# _YEAR_STARTS[k] is 1 January of year k + 1, 00:00 UTC, so bisect_right(_YEAR_STARTS, u) is
# the UTC year of instant u.
_YEAR_STARTS: list[int] = [_year_start_us(y) for y in range(1, 10_001)]

# Day kinds (internal).
_WORKDAY = "workday"
_MAKEUP = "makeup"
_HOLIDAY = "holiday"
_WEEKEND = "weekend"


class CalendarError(ValueError):
    """A business calendar definition is invalid."""


class ClockState(enum.StrEnum):
    """State of an SLA clock."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"


class StepKind(enum.StrEnum):
    """Kind code of an :class:`ExplanationStep` (translated by the UI layer)."""

    #: Business time counted in a working period of a regular workday.
    COUNTED = "counted"
    #: Business time counted in a working period of a make-up workday.
    USED_MAKEUP_WORKDAY = "used_makeup_workday"
    #: A whole holiday skipped.
    SKIPPED_HOLIDAY = "skipped_holiday"
    #: A whole regular non-working weekday skipped (e.g. Saturday).
    SKIPPED_WEEKEND = "skipped_weekend"
    #: A gap between two working periods of the same day (e.g. the lunch break).
    SKIPPED_BREAK = "skipped_break"
    #: Before the first or after the last working period of a workday (nights).
    SKIPPED_OUTSIDE_HOURS = "skipped_outside_hours"
    #: A pause of the clock (takes precedence over every other kind).
    SKIPPED_PAUSE = "skipped_pause"


_COUNTING_KINDS = frozenset({StepKind.COUNTED, StepKind.USED_MAKEUP_WORKDAY})


@dataclass(frozen=True, slots=True)
class ExplanationStep:
    """One contiguous piece of the timeline between a start and its due instant."""

    kind: StepKind
    #: Local date (calendar zone) on which the step starts.
    date: date
    #: Start of the step, aware, in the calendar's zone.
    start: datetime
    #: End of the step (exclusive), aware, in the calendar's zone.
    end: datetime
    #: Real elapsed time of the step.  Beware: in Python ``end - start`` on two datetimes sharing
    #: one ZoneInfo is the *wall-clock* difference, which is wrong across a DST switch.
    duration: timedelta
    #: Business time inside the step: counted time for counting kinds, the business time a
    #: pause removed for ``skipped_pause``, zero otherwise.
    business_time: timedelta

    @property
    def counts(self) -> bool:
        """Whether this step's business time counts towards the duration."""
        return self.kind in _COUNTING_KINDS


@dataclass(frozen=True, slots=True)
class ClockStatus:
    """Snapshot of an SLA clock at an evaluation instant."""

    state: ClockState
    #: Deadline, aware, in the calendar's zone.  While a pause is open it is projected as if
    #: the clock resumed at the evaluation instant.
    due_at: datetime
    target: timedelta
    #: Business time consumed so far (pauses excluded).
    elapsed: timedelta
    #: Business time left before the deadline, never negative.
    remaining: timedelta
    #: ``elapsed / target`` (1.0 when the target is zero); may exceed 1.0 once breached.
    fraction_used: float


class _DayInfo(NamedTuple):
    kind: str
    #: Working intervals of the day as UTC microseconds, sorted, non-empty, non-overlapping.
    intervals: tuple[tuple[int, int], ...]


# A year chunk: (starts, ends, cumulative business time before each interval, cumulative
# business time at the end of each interval, total business time of the year).
_Chunk: TypeAlias = tuple[list[int], list[int], list[int], list[int], int]


def _format_tod(micro: int) -> str:
    seconds, us = divmod(micro, _US)
    minutes, sec = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    text = f"{hours:02d}:{minute:02d}"
    if sec or us:
        text += f":{sec:02d}"
    if us:
        text += f".{us:06d}"
    return text


def _time_to_micro(value: time, *, is_end: bool) -> int:
    if is_end and value == time.max:
        return _DAY_US
    return ((value.hour * 60 + value.minute) * 60 + value.second) * _US + value.microsecond


def _weekday_index(key: object, what: str) -> int:
    if isinstance(key, bool):
        raise CalendarError(f"{what}: unknown weekday {key!r}")
    if isinstance(key, int):
        if 0 <= key <= 6:
            return key
        raise CalendarError(f"{what}: weekday index {key} is out of range (0=mon .. 6=sun)")
    if isinstance(key, str) and key.lower() in WEEKDAY_NAMES:
        return WEEKDAY_NAMES.index(key.lower())
    raise CalendarError(f"{what}: unknown weekday {key!r} (expected one of {', '.join(WEEKDAY_NAMES)})")


def _normalise_day(name: str, periods: Sequence[Period]) -> tuple[tuple[int, int], ...]:
    result: list[tuple[int, int]] = []
    if isinstance(periods, str | bytes):
        raise CalendarError(f"{name}: working periods must be a list of (start, end) pairs")
    for period in periods:
        if not isinstance(period, Sequence) or isinstance(period, str | bytes) or len(period) != 2:
            raise CalendarError(f"{name}: working period {period!r} is not a (start, end) pair")
        start, end = period
        if not isinstance(start, time) or not isinstance(end, time):
            raise CalendarError(f"{name}: working period {period!r} must hold two datetime.time values")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise CalendarError(f"{name}: working period times must be naive wall-clock times")
        s = _time_to_micro(start, is_end=False)
        e = _time_to_micro(end, is_end=True)
        if e <= s:
            raise CalendarError(
                f"{name}: working period {_format_tod(s)}-{_format_tod(e)} does not end after it starts"
            )
        if result:
            ps, pe = result[-1]
            if s < ps:
                raise CalendarError(
                    f"{name}: working periods are not in order "
                    f"({_format_tod(s)}-{_format_tod(e)} listed after {_format_tod(ps)}-{_format_tod(pe)})"
                )
            if s < pe:
                raise CalendarError(
                    f"{name}: working periods {_format_tod(ps)}-{_format_tod(pe)} and "
                    f"{_format_tod(s)}-{_format_tod(e)} overlap"
                )
        result.append((s, e))
    return tuple(result)


def _normalise_dates(values: Iterable[date], what: str) -> frozenset[date]:
    if isinstance(values, str | bytes):
        raise CalendarError(f"{what} must be a collection of dates, not a string")
    out: set[date] = set()
    for value in values:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise CalendarError(f"{what}: {value!r} is not a date")
        out.add(value)
    return frozenset(out)


class BusinessCalendar:
    """Immutable working-time calendar: zone, weekly periods, holidays and make-up workdays."""

    __slots__ = (
        "_always_open",
        "_chunks",
        "_days",
        "_holidays",
        "_template",
        "_timezone",
        "_week",
        "_week_micro",
        "_workdays",
        "_zone",
    )

    _timezone: str
    _zone: ZoneInfo
    _week: tuple[tuple[Period, ...], ...]
    _week_micro: tuple[tuple[tuple[int, int], ...], ...]
    _holidays: frozenset[date]
    _workdays: frozenset[date]
    _template: int
    _always_open: bool
    _days: dict[date, _DayInfo]
    _chunks: dict[int, _Chunk]

    def __init__(
        self,
        timezone: str,
        week: WeekSpec,
        holidays: Iterable[date] = (),
        workdays: Iterable[date] = (),
        workday_template: int | str = 0,
    ) -> None:
        """Validate and build a calendar; raise :class:`CalendarError` on bad input."""
        if not isinstance(timezone, str) or not timezone:
            raise CalendarError(f"time zone must be a non-empty IANA name, got {timezone!r}")
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise CalendarError(f"unknown time zone {timezone!r}") from None

        days: list[Sequence[Period]] = [() for _ in range(7)]
        if isinstance(week, Mapping):
            seen: set[int] = set()
            for key, periods in week.items():
                index = _weekday_index(key, "week")
                if index in seen:
                    raise CalendarError(f"week: weekday {WEEKDAY_NAMES[index]} is given twice")
                seen.add(index)
                days[index] = periods
        elif isinstance(week, Sequence) and not isinstance(week, str | bytes):
            if len(week) != 7:
                raise CalendarError(f"week must list 7 weekdays (mon..sun), got {len(week)}")
            days = list(week)
        else:
            raise CalendarError("week must be a mapping of weekday to periods or a list of 7 days")
        week_micro = tuple(_normalise_day(WEEKDAY_NAMES[i], days[i]) for i in range(7))
        if not any(week_micro):
            raise CalendarError("the weekly schedule has no working periods")

        holiday_set = _normalise_dates(holidays, "holidays")
        workday_set = _normalise_dates(workdays, "workdays")
        both = sorted(holiday_set & workday_set)
        if both:
            raise CalendarError(f"{both[0].isoformat()} is listed both as a holiday and as a make-up workday")
        template = _weekday_index(workday_template, "workday_template")
        if workday_set and not week_micro[template]:
            raise CalendarError(
                f"workday_template {WEEKDAY_NAMES[template]} has no working periods, "
                "so make-up workdays would have no hours"
            )

        set_ = object.__setattr__
        set_(self, "_timezone", timezone)
        set_(self, "_zone", zone)
        set_(
            self,
            "_week",
            tuple(
                tuple((_micro_to_time(s), _micro_to_time(e, is_end=True)) for s, e in day)
                for day in week_micro
            ),
        )
        set_(self, "_week_micro", week_micro)
        set_(self, "_holidays", holiday_set)
        set_(self, "_workdays", workday_set)
        set_(self, "_template", template)
        set_(self, "_always_open", not holiday_set and all(day == ((0, _DAY_US),) for day in week_micro))
        set_(self, "_days", {})
        set_(self, "_chunks", {})

    @classmethod
    def twenty_four_seven(cls, timezone: str = "UTC") -> BusinessCalendar:
        """Return an always-open calendar: business time equals wall-clock time."""
        return cls(timezone, [[(time(0), time.max)]] * 7)

    # -- public read-only attributes ------------------------------------------------------

    @property
    def timezone(self) -> str:
        """IANA time zone name."""
        return self._timezone

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone object."""
        return self._zone

    @property
    def week(self) -> tuple[tuple[Period, ...], ...]:
        """Seven tuples (Monday first) of working periods; an end of ``time.max`` means 24:00."""
        return self._week

    @property
    def holidays(self) -> frozenset[date]:
        """Dates without work."""
        return self._holidays

    @property
    def workdays(self) -> frozenset[date]:
        """Make-up workdays, worked with the periods of :attr:`workday_template`."""
        return self._workdays

    @property
    def workday_template(self) -> int:
        """Weekday index (0 = Monday) whose periods make-up workdays use."""
        return self._template

    @property
    def always_open(self) -> bool:
        """Whether the calendar is 24x7 without holidays."""
        return self._always_open

    @property
    def working_day(self) -> timedelta:
        """Length of one working day ("1d"): the template weekday's total wall-clock hours."""
        total = sum(e - s for s, e in self._week_micro[self._template])
        if not total:
            raise CalendarError(
                f"working days are undefined: workday_template {WEEKDAY_NAMES[self._template]} "
                "has no working periods"
            )
        return timedelta(microseconds=total)

    # -- value semantics ------------------------------------------------------------------

    def _key(self) -> tuple[Any, ...]:
        return (self._timezone, self._week_micro, self._holidays, self._workdays, self._template)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("BusinessCalendar is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("BusinessCalendar is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            BusinessCalendar,
            (self._timezone, self._week, self._holidays, self._workdays, self._template),
        )

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar(timezone={self._timezone!r}, week={self._week_text()}, "
            f"holidays={len(self._holidays)}, workdays={len(self._workdays)}, "
            f"workday_template={WEEKDAY_NAMES[self._template]!r})"
        )

    def _week_text(self) -> str:
        parts = []
        for name, day in zip(WEEKDAY_NAMES, self._week_micro, strict=True):
            if day:
                periods = ",".join(f"{_format_tod(s)}-{_format_tod(e)}" for s, e in day)
                parts.append(f"{name} {periods}")
        return "{" + "; ".join(parts) + "}"

    # -- local time -> UTC ----------------------------------------------------------------

    def _local_naive(self, u: int) -> datetime:
        return _from_us(u, self._zone).replace(tzinfo=None)

    def _wall_to_us(self, day: date, micro: int) -> int:
        """First instant at which the local wall clock reads ``day`` + ``micro`` or later."""
        zone = self._zone
        naive = datetime.combine(day, time()) + timedelta(microseconds=micro)
        offset = zone.utcoffset(naive)
        if offset is not None and offset == zone.utcoffset(naive.replace(fold=1)):
            # Same offset for both folds: the wall time is neither skipped nor repeated (PEP 495).
            return (naive - offset - _NAIVE_EPOCH) // _ONE_US
        u = (naive.replace(tzinfo=zone) - _EPOCH) // _ONE_US
        if self._local_naive(u) == naive:
            return u  # repeated wall time: fold=0 is its first occurrence
        # The wall time falls in a gap: find the transition instant by bisection.
        other = (naive.replace(tzinfo=zone, fold=1) - _EPOCH) // _ONE_US
        lo, hi = min(u, other), max(u, other)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._local_naive(mid) >= naive:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def _local_date(self, u: int) -> date:
        return _from_us(u, self._zone).date()

    def _day_kind(self, day: date) -> str:
        if day in self._holidays:
            return _HOLIDAY
        if day in self._workdays:
            return _MAKEUP
        return _WORKDAY if self._week_micro[day.weekday()] else _WEEKEND

    def _day(self, day: date) -> _DayInfo:
        info = self._days.get(day)
        if info is not None:
            return info
        if not (_MIN_YEAR <= day.year <= _MAX_YEAR):
            raise ValueError(f"date {day.isoformat()} is outside the supported range")
        kind = self._day_kind(day)
        if kind == _WORKDAY:
            periods = self._week_micro[day.weekday()]
        elif kind == _MAKEUP:
            periods = self._week_micro[self._template]
        else:
            periods = ()
        intervals: list[tuple[int, int]] = []
        for s, e in periods:
            us, ue = self._wall_to_us(day, s), self._wall_to_us(day, e)
            if us < ue:  # a period may vanish entirely inside a DST gap
                intervals.append((us, ue))
        info = _DayInfo(kind, tuple(intervals))
        self._days[day] = info
        return info

    # -- per-year chunks ------------------------------------------------------------------

    def _chunk(self, year: int) -> _Chunk:
        chunk = self._chunks.get(year)
        if chunk is None:
            chunk = self._build_chunk(year)
        return chunk

    def _build_chunk(self, year: int) -> _Chunk:
        if not (_MIN_YEAR <= year <= _MAX_YEAR):
            raise ValueError(f"instant outside the supported range (years {_MIN_YEAR}..{_MAX_YEAR})")
        lo, hi = _YEAR_STARTS[year - 1], _YEAR_STARTS[year]
        # UTC offsets stay within +-26 hours, so these local dates cover the UTC year.
        day, last = date(year, 1, 1) - 2 * _ONE_DAY, date(year + 1, 1, 1) + _ONE_DAY
        raw: list[tuple[int, int]] = []
        while day <= last:
            for s, e in self._day(day).intervals:
                s, e = max(s, lo), min(e, hi)
                if s < e:
                    raw.append((s, e))
            day += _ONE_DAY
        raw.sort()
        starts: list[int] = []
        ends: list[int] = []
        for s, e in raw:
            if ends and s <= ends[-1]:
                ends[-1] = max(ends[-1], e)
            else:
                starts.append(s)
                ends.append(e)
        cum_before: list[int] = []
        cum_after: list[int] = []
        total = 0
        for s, e in zip(starts, ends, strict=True):
            cum_before.append(total)
            total += e - s
            cum_after.append(total)
        chunk: _Chunk = (starts, ends, cum_before, cum_after, total)
        self._chunks[year] = chunk
        return chunk

    # -- core integer arithmetic ----------------------------------------------------------

    def _position(self, u: int) -> tuple[int, int]:
        """(UTC year, business time elapsed in that year before ``u``)."""
        year = bisect_right(_YEAR_STARTS, u)
        chunk = self._chunks.get(year) or self._build_chunk(year)
        starts = chunk[0]
        i = bisect_right(starts, u) - 1
        if i < 0:
            return year, 0
        f = chunk[2][i] + u - starts[i]
        cap = chunk[3][i]
        return year, (f if f < cap else cap)

    def _add(self, u: int, d: int) -> int:
        """Instant at which ``d`` > 0 microseconds of business time have elapsed after ``u``."""
        if self._always_open:
            return u + d
        year = bisect_right(_YEAR_STARTS, u)
        chunks = self._chunks
        chunk = chunks.get(year) or self._build_chunk(year)
        starts, _ends, cum_before, cum_after, total = chunk
        i = bisect_right(starts, u) - 1
        if i < 0:
            b = d
        else:
            f = cum_before[i] + u - starts[i]
            cap = cum_after[i]
            b = (f if f < cap else cap) + d
        while b > total:
            b -= total
            year += 1
            chunk = chunks.get(year) or self._build_chunk(year)
            starts, _ends, cum_before, cum_after, total = chunk
        j = bisect_left(cum_after, b)
        return starts[j] + b - cum_before[j]

    def _locate(self, year: int, b: int) -> int:
        """Instant at which business time ``b`` > 0, counted from the start of UTC ``year``, is reached."""
        starts, _ends, cum_before, cum_after, total = self._chunk(year)
        while b > total:
            b -= total
            year += 1
            starts, _ends, cum_before, cum_after, total = self._chunk(year)
        j = bisect_left(cum_after, b)
        return starts[j] + b - cum_before[j]

    def _span(self, ya: int, fa: int, yb: int, fb: int) -> int:
        """Business time between two positions (year, elapsed in year), the second not earlier."""
        if ya == yb:
            return fb - fa
        total = self._chunk(ya)[4] - fa + fb
        for year in range(ya + 1, yb):
            total += self._chunk(year)[4]
        return total

    def _between(self, a: int, b: int) -> int:
        """Business time in ``[a, b)``; zero when ``b <= a``."""
        if b <= a:
            return 0
        if self._always_open:
            return b - a
        return self._span(*self._position(a), *self._position(b))

    def _between_paused(self, a: int, b: int, pauses: list[tuple[int, int]]) -> int:
        total = self._between(a, b)
        for ps, pe in pauses:
            if pe > a and ps < b:
                total -= self._between(max(ps, a), min(pe, b))
        return total

    def _add_paused(self, u: int, d: int, pauses: list[tuple[int, int]]) -> int:
        """Like :meth:`_add` but not counting business time inside merged ``pauses``."""
        if not pauses:
            return self._add(u, d)
        if self._always_open:
            cur, rem = u, d
            for ps, pe in pauses:
                if pe > cur:
                    if ps > cur:
                        if ps - cur >= rem:
                            break
                        rem -= ps - cur
                    cur = pe
            return cur + rem
        # Walk the pauses carrying the position (UTC year, business time elapsed in that year)
        # of the cursor, so that every boundary is located only once.
        cur, rem = u, d
        year, f = self._position(u)
        for ps, pe in pauses:
            if pe <= cur:
                continue
            if ps > cur:
                py, pf = self._position(ps)
                available = self._span(year, f, py, pf)
                if available >= rem:
                    break
                rem -= available
            cur = pe
            year, f = self._position(pe)
        return self._locate(year, f + rem)

    def _is_working(self, u: int) -> bool:
        if self._always_open:
            return True
        chunk = self._chunk(bisect_right(_YEAR_STARTS, u))
        i = bisect_right(chunk[0], u) - 1
        return i >= 0 and u < chunk[1][i]


def _micro_to_time(micro: int, *, is_end: bool = False) -> time:
    if is_end and micro == _DAY_US:
        return time.max
    seconds, us = divmod(micro, _US)
    minutes, sec = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return time(hours, minute, sec, us)


# -- conversions --------------------------------------------------------------------------


def _to_us(value: datetime, what: str) -> int:
    # Hot path: one subtraction; the checks below only run when it cannot be done.
    try:
        if value.tzinfo is not None:
            return (value - _EPOCH) // _ONE_US
    except (AttributeError, TypeError):
        pass
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, got {type(value).__name__}")
    raise ValueError(f"{what} must be timezone-aware, got naive {value.isoformat()}")


def _from_us(u: int, zone: ZoneInfo) -> datetime:
    seconds, micro = divmod(u, _US)
    try:
        result = datetime.fromtimestamp(seconds, zone)
    except (OverflowError, OSError, ValueError):
        raise ValueError("instant outside the supported range") from None
    return result.replace(microsecond=micro) if micro else result


def _duration_us(value: timedelta, what: str = "duration") -> int:
    if not isinstance(value, timedelta):
        raise TypeError(f"{what} must be a timedelta, got {type(value).__name__}")
    d = value // _ONE_US
    if d < 0:
        raise ValueError(f"{what} must not be negative, got {value}")
    return d


def _merge_pauses(pauses: Iterable[Pause]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for pause in pauses:
        ps, pe = pause
        a, b = _to_us(ps, "pause start"), _to_us(pe, "pause end")
        if b < a:
            raise ValueError(f"pause ends before it starts: {ps.isoformat()}/{pe.isoformat()}")
        if a < b:
            spans.append((a, b))
    return _merge_spans(spans)


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if len(spans) <= 1:
        return spans
    spans.sort()
    merged = [spans[0]]
    for a, b in spans[1:]:
        la, lb = merged[-1]
        if a <= lb:
            if b > lb:
                merged[-1] = (la, b)
        else:
            merged.append((a, b))
    return merged


# -- public API ---------------------------------------------------------------------------


def add_business_time(
    calendar: BusinessCalendar,
    start: datetime,
    duration: timedelta,
    pauses: Sequence[Pause] = (),
) -> datetime:
    """Return the instant at which ``duration`` of business time (minus pauses) has elapsed after ``start``."""
    u = _to_us(start, "start")
    d = _duration_us(duration)
    zone = calendar._zone
    if d == 0:
        return start.astimezone(zone)
    if pauses:
        return _from_us(calendar._add_paused(u, d, _merge_pauses(pauses)), zone)
    return _from_us(calendar._add(u, d), zone)


def business_time_between(
    calendar: BusinessCalendar,
    start: datetime,
    end: datetime,
    pauses: Sequence[Pause] = (),
) -> timedelta:
    """Return the business time in ``[start, end)`` outside pauses; zero if ``end <= start``."""
    a, b = _to_us(start, "start"), _to_us(end, "end")
    if b <= a:
        return timedelta(0)
    if pauses:
        return timedelta(microseconds=calendar._between_paused(a, b, _merge_pauses(pauses)))
    return timedelta(microseconds=calendar._between(a, b))


def add_working_days(
    calendar: BusinessCalendar,
    start: datetime,
    days: int,
    pauses: Sequence[Pause] = (),
) -> datetime:
    """Return ``start`` plus ``days`` working days, one day being ``calendar.working_day`` of business time."""
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError(f"days must be an int, got {type(days).__name__}")
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    return add_business_time(calendar, start, calendar.working_day * days, pauses)


def is_working_time(calendar: BusinessCalendar, at: datetime) -> bool:
    """Return whether ``at`` lies inside a working period (periods are half-open)."""
    return calendar._is_working(_to_us(at, "at"))


def warning_at(
    calendar: BusinessCalendar,
    started_at: datetime,
    target: timedelta,
    pauses: Sequence[Pause] = (),
    fraction: float = 0.75,
) -> datetime:
    """Return the instant at which ``fraction`` of ``target`` business time has been used."""
    if not fraction >= 0:  # also rejects NaN
        raise ValueError(f"fraction must not be negative, got {fraction}")
    return add_business_time(calendar, started_at, _scale(target, fraction), pauses)


def _scale(target: timedelta, fraction: float) -> timedelta:
    return timedelta(microseconds=round(_duration_us(target, "target") * fraction))


def compute_clock(
    calendar: BusinessCalendar,
    started_at: datetime,
    target: timedelta,
    pauses: Sequence[OpenPause] = (),
    stopped_at: datetime | None = None,
    *,
    now: datetime,
) -> ClockStatus:
    """Return the clock's state, due instant, elapsed and remaining business time at ``now``."""
    s = _to_us(started_at, "started_at")
    n = _to_us(now, "now")
    tgt = _duration_us(target, "target")
    stop = None if stopped_at is None else _to_us(stopped_at, "stopped_at")
    at = n if stop is None else stop
    spans: list[tuple[int, int]] = []
    paused_now = False
    for ps, pe in pauses:
        a = _to_us(ps, "pause start")
        if pe is None:
            b = max(a, at)  # an open pause lasts until the evaluation instant
            if a <= n:
                paused_now = True
        else:
            b = _to_us(pe, "pause end")
            if b < a:
                raise ValueError(f"pause ends before it starts: {ps.isoformat()}/{pe.isoformat()}")
            if a <= n < b:
                paused_now = True
        if a < b:
            spans.append((a, b))
    merged = _merge_spans(spans)
    elapsed = calendar._between_paused(s, at, merged) if at > s else 0
    due = s if tgt == 0 else calendar._add_paused(s, tgt, merged)
    if stop is not None:
        state = ClockState.MET if stop <= due else ClockState.BREACHED
    elif n > due:
        state = ClockState.BREACHED
    elif paused_now:
        state = ClockState.PAUSED
    else:
        state = ClockState.RUNNING
    return ClockStatus(
        state=state,
        due_at=_from_us(due, calendar._zone),
        target=target,
        elapsed=timedelta(microseconds=elapsed),
        remaining=timedelta(microseconds=max(tgt - elapsed, 0)),
        fraction_used=elapsed / tgt if tgt else 1.0,
    )


_SKIP_KIND_BY_DAY = {_HOLIDAY: StepKind.SKIPPED_HOLIDAY, _WEEKEND: StepKind.SKIPPED_WEEKEND}


def _day_segments(calendar: BusinessCalendar, day: date) -> list[tuple[int, int, StepKind]]:
    """Classified, contiguous segments covering one local day."""
    info = calendar._day(day)
    midnight, next_midnight = calendar._wall_to_us(day, 0), calendar._wall_to_us(day, _DAY_US)
    if info.kind in _SKIP_KIND_BY_DAY:
        return [(midnight, next_midnight, _SKIP_KIND_BY_DAY[info.kind])]
    counted = StepKind.USED_MAKEUP_WORKDAY if info.kind == _MAKEUP else StepKind.COUNTED
    segments: list[tuple[int, int, StepKind]] = []
    cursor = midnight
    for index, (s, e) in enumerate(info.intervals):
        gap = StepKind.SKIPPED_BREAK if index else StepKind.SKIPPED_OUTSIDE_HOURS
        segments.append((cursor, s, gap))
        segments.append((s, e, counted))
        cursor = e
    # A day whose periods all vanished in a DST gap is simply outside hours.
    segments.append((cursor, next_midnight, StepKind.SKIPPED_OUTSIDE_HOURS))
    return segments


def explain_due(
    calendar: BusinessCalendar,
    start: datetime,
    duration: timedelta,
    pauses: Sequence[Pause] = (),
) -> list[ExplanationStep]:
    """Return the contiguous timeline from ``start`` to the due instant, step by step."""
    s = _to_us(start, "start")
    d = _duration_us(duration)
    if d == 0:
        return []
    merged = _merge_pauses(pauses)
    due = calendar._add_paused(s, d, merged)
    pause_spans = [(max(a, s), min(b, due)) for a, b in merged if b > s and a < due]

    pieces: list[list[Any]] = []  # [start, end, kind]

    def emit(a: int, b: int, kind: StepKind) -> None:
        if pieces and kind not in _COUNTING_KINDS and pieces[-1][2] == kind and pieces[-1][1] == a:
            pieces[-1][1] = b
        else:
            pieces.append([a, b, kind])

    p = 0
    day, last_day = calendar._local_date(s), calendar._local_date(due)
    while day <= last_day:
        for a, b, kind in _day_segments(calendar, day):
            cur, end = max(a, s), min(b, due)
            while cur < end:
                while p < len(pause_spans) and pause_spans[p][1] <= cur:
                    p += 1
                if p < len(pause_spans) and pause_spans[p][0] <= cur:
                    nxt = min(end, pause_spans[p][1])
                    emit(cur, nxt, StepKind.SKIPPED_PAUSE)
                else:
                    nxt = min(end, pause_spans[p][0]) if p < len(pause_spans) else end
                    emit(cur, nxt, kind)
                cur = nxt
        day += _ONE_DAY

    zone = calendar._zone
    steps: list[ExplanationStep] = []
    for a, b, kind in pieces:
        if kind in _COUNTING_KINDS:
            business = b - a
        elif kind == StepKind.SKIPPED_PAUSE:
            business = calendar._between(a, b)
        else:
            business = 0
        start_dt = _from_us(a, zone)
        steps.append(
            ExplanationStep(
                kind=kind,
                date=start_dt.date(),
                start=start_dt,
                end=_from_us(b, zone),
                duration=timedelta(microseconds=b - a),
                business_time=timedelta(microseconds=business),
            )
        )
    return steps
