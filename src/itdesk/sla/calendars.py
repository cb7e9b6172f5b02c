"""Business calendars built from their rows once, and cached per calendar id and version.

Building a calendar reads its periods and days (two queries) and the engine then caches each year's
working intervals inside the object, so a process builds each calendar once, not once per ticket. Every
edit of a calendar or its rows bumps `Calendar.version` (and `updated_at`), which retires the cached object.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import F
from django.utils import timezone

from itdesk.sla.engine import BusinessCalendar, CalendarError
from itdesk.sla.models import Calendar, CalendarDay, DayKind, WorkingPeriod


@dataclass(frozen=True)
class LoadedCalendar:
    """A calendar row's engine object, with what explanations need (names of its special days)."""

    id: int
    name: str
    #: (version, updated_at) of the row it was built from.
    version: tuple[int, datetime]
    engine: BusinessCalendar
    is_24x7: bool
    day_names: dict[date, tuple[str, str]] = field(default_factory=dict)  # date -> (English, Chinese)


class CalendarUnusable(Exception):
    """A calendar's rows do not make a valid calendar (e.g. overlapping periods)."""


_cache: dict[int, LoadedCalendar] = {}
_lock = threading.Lock()


def build(calendar: Calendar) -> LoadedCalendar:
    """Build the engine calendar of a row from its periods and days (no cache)."""
    if calendar.is_24x7:
        engine = BusinessCalendar.twenty_four_seven(calendar.timezone)
        return LoadedCalendar(calendar.pk, calendar.name, _version(calendar), engine, True)
    week: list[list[tuple[time, time]]] = [[] for _ in range(7)]
    for period in WorkingPeriod.objects.filter(calendar=calendar).order_by("weekday", "start"):
        week[period.weekday].append((period.start, period.end_of_day))
    holidays, workdays, names = [], [], {}
    for day in CalendarDay.objects.filter(calendar=calendar):
        (holidays if day.kind == DayKind.HOLIDAY else workdays).append(day.date)
        names[day.date] = (day.name_en, day.name_zh)
    try:
        engine = BusinessCalendar(calendar.timezone, week, holidays, workdays, calendar.workday_template)
    except CalendarError as exc:
        raise CalendarUnusable(f"{calendar.name}: {exc}") from None
    return LoadedCalendar(calendar.pk, calendar.name, _version(calendar), engine, False, names)


def _version(calendar: Calendar) -> tuple[int, datetime]:
    # The time stamp too: a change rolled back after a process built the calendar inside its
    # transaction must not let a later change with the same version number hit that build.
    return (calendar.version, calendar.updated_at)


def loaded(calendar: Calendar) -> LoadedCalendar:
    """The engine calendar of a row, from the process cache when the row's version has not changed."""
    cached = _cache.get(calendar.pk)
    if cached is not None and cached.version == _version(calendar):
        return cached
    fresh = build(calendar)
    with _lock:
        _cache[calendar.pk] = fresh
    return fresh


def loaded_by_id(ids: Iterable[int]) -> dict[int, LoadedCalendar]:
    """Engine calendars for several ids, reading only the rows' versions when all are cached."""
    wanted = {pk for pk in ids if pk is not None}
    if not wanted:
        return {}
    return {row.pk: loaded(row) for row in Calendar.objects.filter(pk__in=wanted)}


def touch(calendar_id: int) -> None:
    """Mark a calendar changed, so every process rebuilds it on next use."""
    Calendar.objects.filter(pk=calendar_id).update(version=F("version") + 1, updated_at=timezone.now())


def clear_cache() -> None:
    """Forget every built calendar (tests)."""
    with _lock:
        _cache.clear()
