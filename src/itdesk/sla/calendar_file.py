"""Parsing of JSON calendar files, durations, instants and pauses (pure, stdlib only).

Calendar file format::

    {
      "timezone": "Asia/Shanghai",
      "week": {"mon": [["09:00", "12:00"], ["13:30", "18:00"]], "sat": [], "sun": []},
      "holidays": ["2026-10-01", "2026-10-02"],
      "workdays": ["2026-10-10"],
      "workday_template": "mon"
    }

* ``timezone`` and ``week`` are required; a weekday missing from ``week`` has no work.
* Times are ``HH:MM`` or ``HH:MM:SS``; ``24:00`` is allowed as a period end (end of day).
* ``holidays`` and ``workdays`` are lists of ``YYYY-MM-DD`` dates; ``workday_template``
  (default ``mon``) is the weekday whose periods make-up workdays use.
* Keys starting with ``_`` are ignored (use them for comments); other unknown keys are errors.

Every problem raises :class:`CalendarFileError` with a one-line human-readable reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from itdesk.sla.engine import WEEKDAY_NAMES, BusinessCalendar, CalendarError, add_business_time

__all__ = [
    "CalendarFileError",
    "due_from_cli",
    "load_calendar",
    "parse_calendar",
    "parse_duration",
    "parse_instant",
    "parse_pause",
]

_KNOWN_KEYS = frozenset({"timezone", "week", "holidays", "workdays", "workday_template"})
_TIME_RE = re.compile(r"(\d{2}):(\d{2})(?::(\d{2}))?")
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DURATION_RE = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


class CalendarFileError(ValueError):
    """A calendar file, duration, instant or pause could not be understood."""


def _parse_time(value: object, where: str, *, is_end: bool) -> time:
    if not isinstance(value, str) or not (match := _TIME_RE.fullmatch(value)):
        raise CalendarFileError(f"{where}: {value!r} is not a time (expected HH:MM or HH:MM:SS)")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour == 24 and minute == 0 and second == 0:
        if not is_end:
            raise CalendarFileError(f"{where}: 24:00 is only allowed as the end of a period")
        return time.max
    if hour > 23 or minute > 59 or second > 59:
        raise CalendarFileError(f"{where}: {value!r} is not a valid time of day")
    return time(hour, minute, second)


def _parse_date(value: object, where: str) -> date:
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise CalendarFileError(f"{where}: {value!r} is not a date (expected YYYY-MM-DD)")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CalendarFileError(f"{where}: {value!r} is not a valid date") from None


def _parse_dates(data: Mapping[str, Any], key: str) -> list[date]:
    values = data.get(key, [])
    if not isinstance(values, list):
        raise CalendarFileError(f"{key} must be a list of YYYY-MM-DD dates")
    return [_parse_date(value, f"{key}[{index}]") for index, value in enumerate(values)]


def parse_calendar(data: Mapping[str, Any]) -> BusinessCalendar:
    """Build a :class:`BusinessCalendar` from a decoded calendar file."""
    if not isinstance(data, Mapping):
        raise CalendarFileError("the calendar must be a JSON object")
    unknown = sorted(k for k in data if not (isinstance(k, str) and (k in _KNOWN_KEYS or k.startswith("_"))))
    if unknown:
        raise CalendarFileError(f"unknown key {unknown[0]!r} (expected {', '.join(sorted(_KNOWN_KEYS))})")
    if "timezone" not in data:
        raise CalendarFileError("missing 'timezone' (an IANA name such as 'Asia/Shanghai')")
    timezone = data["timezone"]
    if not isinstance(timezone, str):
        raise CalendarFileError(f"timezone must be a string, got {timezone!r}")
    if "week" not in data:
        raise CalendarFileError("missing 'week' (working periods per weekday)")
    week_data = data["week"]
    if not isinstance(week_data, Mapping):
        raise CalendarFileError("week must be an object mapping mon..sun to lists of periods")
    week: dict[str, list[tuple[time, time]]] = {}
    for name, periods in week_data.items():
        if name not in WEEKDAY_NAMES:
            raise CalendarFileError(f"week: unknown weekday {name!r} (expected {', '.join(WEEKDAY_NAMES)})")
        if not isinstance(periods, list):
            raise CalendarFileError(f"week.{name} must be a list of [start, end] pairs")
        parsed: list[tuple[time, time]] = []
        for index, period in enumerate(periods):
            where = f"week.{name}[{index}]"
            if not isinstance(period, list) or len(period) != 2:
                raise CalendarFileError(f"{where}: a period must be a [start, end] pair, got {period!r}")
            parsed.append(
                (_parse_time(period[0], where, is_end=False), _parse_time(period[1], where, is_end=True))
            )
        week[name] = parsed
    holidays = _parse_dates(data, "holidays")
    workdays = _parse_dates(data, "workdays")
    template = data.get("workday_template", "mon")
    if template not in WEEKDAY_NAMES:
        raise CalendarFileError(
            f"workday_template: unknown weekday {template!r} (expected {', '.join(WEEKDAY_NAMES)})"
        )
    try:
        return BusinessCalendar(timezone, week, holidays, workdays, template)
    except CalendarError as exc:
        raise CalendarFileError(str(exc)) from None


def load_calendar(text: str) -> BusinessCalendar:
    """Parse the JSON text of a calendar file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CalendarFileError(
            f"calendar file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    return parse_calendar(data)


def parse_duration(text: str, calendar: BusinessCalendar) -> timedelta:
    """Parse ``30m``, ``8h``, ``3d``, ``1h30m``...; ``d`` means working days of ``calendar``."""
    if not isinstance(text, str):
        raise CalendarFileError(f"duration must be a string, got {text!r}")
    compact = "".join(text.split())
    if compact.startswith("-"):
        raise CalendarFileError(f"duration {text!r} is negative")
    match = _DURATION_RE.fullmatch(compact)
    if not compact or not match:
        raise CalendarFileError(
            f"duration {text!r} is not understood (use whole numbers with d, h, m, s in that order, e.g. 1h30m or 3d)"
        )
    days, hours, minutes, seconds = (int(group) if group else 0 for group in match.groups())
    try:
        result = timedelta(hours=hours, minutes=minutes, seconds=seconds)
        if days:
            try:
                result += calendar.working_day * days
            except CalendarError as exc:
                raise CalendarFileError(str(exc)) from None
    except OverflowError:
        raise CalendarFileError(f"duration {text!r} is too large") from None
    return result


def parse_instant(text: str, calendar: BusinessCalendar) -> datetime:
    """Parse an ISO 8601 instant; one without offset is wall-clock time in the calendar's zone."""
    if not isinstance(text, str):
        raise CalendarFileError(f"instant must be a string, got {text!r}")
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CalendarFileError(
            f"{text!r} is not an ISO 8601 date-time (e.g. 2026-10-09T09:30+08:00)"
        ) from None
    if value.tzinfo is not None:
        return value
    zone = calendar.zone
    aware = value.replace(tzinfo=zone)  # fold=0: an ambiguous wall time means its first occurrence
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
        raise CalendarFileError(
            f"{text!r} does not exist in {calendar.timezone} (skipped by a daylight-saving change)"
        )
    return aware


def parse_pause(text: str, calendar: BusinessCalendar) -> tuple[datetime, datetime]:
    """Parse a ``START/END`` pair of ISO 8601 instants (naive ones use the calendar's zone)."""
    if not isinstance(text, str) or text.count("/") != 1:
        raise CalendarFileError(f"pause {text!r} must be START/END, two ISO 8601 date-times")
    first, second = text.split("/")
    start, end = parse_instant(first, calendar), parse_instant(second, calendar)
    if end.astimezone(UTC) < start.astimezone(UTC):  # same-zone comparison would ignore DST folds
        raise CalendarFileError(f"pause {text!r} ends before it starts")
    return start, end


def due_from_cli(calendar_json_text: str, start: str, target: str, pauses: list[str]) -> str:
    """Return the due instant (ISO 8601 with offset) for ``itdesk sla due``."""
    calendar = load_calendar(calendar_json_text)
    start_at = parse_instant(start, calendar)
    duration = parse_duration(target, calendar)
    spans = [parse_pause(pause, calendar) for pause in pauses]
    try:
        due = add_business_time(calendar, start_at, duration, spans)
    except ValueError as exc:
        raise CalendarFileError(str(exc)) from None
    return due.isoformat()
