"""Tests of the calendar file format and the pure ``itdesk sla due`` helper (no Django)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from itdesk.sla.calendar_file import (
    CalendarFileError,
    due_from_cli,
    load_calendar,
    parse_calendar,
    parse_duration,
    parse_instant,
    parse_pause,
)
from itdesk.sla.engine import BusinessCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE_DAY = [["09:00", "12:00"], ["13:30", "18:00"]]

# Test data as specified for this suite (Oct 1-7 off, make-up days Sep 27 and Oct 10, 2026).
CN_FILE: dict[str, Any] = {
    "_comment": "test calendar",
    "timezone": "Asia/Shanghai",
    "week": {"mon": OFFICE_DAY, "tue": OFFICE_DAY, "wed": OFFICE_DAY, "thu": OFFICE_DAY, "fri": OFFICE_DAY},
    "holidays": [f"2026-10-0{day}" for day in range(1, 8)],
    "workdays": ["2026-09-27", "2026-10-10"],
}
CN_TEXT = json.dumps(CN_FILE)


def with_changes(**changes: Any) -> dict[str, Any]:
    data = dict(CN_FILE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@pytest.fixture(scope="module")
def cn() -> BusinessCalendar:
    return parse_calendar(CN_FILE)


def test_parse_calendar(cn: BusinessCalendar) -> None:
    assert cn.timezone == "Asia/Shanghai"
    assert cn.week[0] == ((time(9), time(12)), (time(13, 30), time(18)))
    assert cn.week[5] == cn.week[6] == ()  # missing weekdays have no work
    assert date(2026, 10, 1) in cn.holidays
    assert cn.workdays == frozenset({date(2026, 9, 27), date(2026, 10, 10)})
    assert cn.workday_template == 0
    assert load_calendar(CN_TEXT) == cn


def test_parse_calendar_template_seconds_and_midnight() -> None:
    cal = parse_calendar(
        {
            "timezone": "UTC",
            "week": {"sat": [["08:00:30", "24:00"]], "sun": []},
            "workdays": ["2026-09-28"],
            "workday_template": "sat",
        }
    )
    assert cal.week[5] == ((time(8, 0, 30), time.max),)
    assert cal.workday_template == 5
    assert cal.working_day == timedelta(hours=15, minutes=59, seconds=30)


def test_twenty_four_seven_file() -> None:
    every_day = {name: [["00:00", "24:00"]] for name in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    cal = parse_calendar({"timezone": "Europe/Berlin", "week": every_day})
    assert cal == BusinessCalendar.twenty_four_seven("Europe/Berlin")
    assert cal.always_open


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "the calendar must be a JSON object"),
        (with_changes(timezone=None), "missing 'timezone'"),
        (with_changes(timezone="Asia/Beijing"), "unknown time zone 'Asia/Beijing'"),
        (with_changes(timezone=8), "timezone must be a string"),
        (with_changes(week=None), "missing 'week'"),
        (with_changes(week=[OFFICE_DAY]), "week must be an object"),
        (with_changes(week={"monday": OFFICE_DAY}), "week: unknown weekday 'monday'"),
        (with_changes(week={"mon": "09:00-18:00"}), "week.mon must be a list"),
        (with_changes(week={"mon": [["09:00"]]}), "week.mon[0]: a period must be a [start, end] pair"),
        (with_changes(week={"mon": [["9:00", "12:00"]]}), "week.mon[0]: '9:00' is not a time"),
        (with_changes(week={"mon": [["09:00", "25:00"]]}), "week.mon[0]: '25:00' is not a valid time of day"),
        (with_changes(week={"mon": [["09:60", "12:00"]]}), "'09:60' is not a valid time of day"),
        (with_changes(week={"mon": [["24:00", "24:00"]]}), "24:00 is only allowed as the end of a period"),
        (
            with_changes(week={"mon": [["18:00", "09:00"]]}),
            "mon: working period 18:00-09:00 does not end after it starts",
        ),
        (
            with_changes(week={"mon": [["09:00", "12:30"], ["12:00", "18:00"]]}),
            "mon: working periods 09:00-12:30 and 12:00-18:00 overlap",
        ),
        (
            with_changes(week={"mon": [["13:30", "18:00"], ["09:00", "12:00"]]}),
            "mon: working periods are not in order",
        ),
        (with_changes(week={}), "the weekly schedule has no working periods"),
        (with_changes(holidays="2026-10-01"), "holidays must be a list"),
        (with_changes(holidays=["2026-02-30"]), "holidays[0]: '2026-02-30' is not a valid date"),
        (with_changes(holidays=["2026/10/01"]), "holidays[0]: '2026/10/01' is not a date"),
        (with_changes(workdays=["20261010"]), "workdays[0]: '20261010' is not a date"),
        (
            with_changes(workdays=["2026-10-01"]),
            "2026-10-01 is listed both as a holiday and as a make-up workday",
        ),
        (with_changes(workday_template="Monday"), "workday_template: unknown weekday 'Monday'"),
        (with_changes(workday_template="sun"), "workday_template sun has no working periods"),
        (with_changes(timezone_name="UTC"), "unknown key 'timezone_name'"),
    ],
)
def test_invalid_calendar_files(data: Any, message: str) -> None:
    with pytest.raises(CalendarFileError) as excinfo:
        parse_calendar(data)
    assert message in str(excinfo.value)
    assert "\n" not in str(excinfo.value)
    assert isinstance(excinfo.value, ValueError)


def test_invalid_json() -> None:
    with pytest.raises(CalendarFileError, match=r"not valid JSON \(line 1, column 2"):
        load_calendar("{timezone: 1}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("8h", timedelta(hours=8)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        (" 1h 30m ", timedelta(hours=1, minutes=30)),
        ("45s", timedelta(seconds=45)),
        ("0m", timedelta(0)),
        ("3d", timedelta(hours=22, minutes=30)),  # three 7.5-hour working days
        ("1d4h", timedelta(hours=11, minutes=30)),
        ("2d1h15m10s", timedelta(hours=16, minutes=15, seconds=10)),
    ],
)
def test_parse_duration(cn: BusinessCalendar, text: str, expected: timedelta) -> None:
    assert parse_duration(text, cn) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5m", "is negative"),
        ("- 1h", "is negative"),
        ("", "is not understood"),
        ("30", "is not understood"),
        ("1.5h", "is not understood"),
        ("30m1h", "is not understood"),
        ("5x", "is not understood"),
        ("1h1h", "is not understood"),
        ("PT30M", "is not understood"),
        ("999999999999d", "is too large"),
    ],
)
def test_invalid_durations(cn: BusinessCalendar, text: str, message: str) -> None:
    with pytest.raises(CalendarFileError, match=message):
        parse_duration(text, cn)


def test_working_days_need_template_hours() -> None:
    cal = parse_calendar({"timezone": "UTC", "week": {"tue": [["09:00", "17:00"]]}})
    assert parse_duration("2h", cal) == timedelta(hours=2)
    with pytest.raises(CalendarFileError, match="working days are undefined"):
        parse_duration("1d", cal)


def test_parse_instant(cn: BusinessCalendar) -> None:
    assert parse_instant("2026-09-30T17:00", cn) == datetime(2026, 9, 30, 17, tzinfo=SHANGHAI)
    assert parse_instant("2026-09-30T09:00:00Z", cn) == datetime(2026, 9, 30, 17, tzinfo=SHANGHAI)
    assert parse_instant("2026-09-30 11:00+02:00", cn) == datetime(2026, 9, 30, 17, tzinfo=SHANGHAI)
    with pytest.raises(CalendarFileError, match="is not an ISO 8601 date-time"):
        parse_instant("30/09/2026 17:00", cn)


def test_parse_instant_in_dst_gap_and_fold() -> None:
    ny = parse_calendar({"timezone": "America/New_York", "week": {"mon": [["09:00", "17:00"]]}})
    with pytest.raises(CalendarFileError, match="does not exist in America/New_York"):
        parse_instant("2026-03-08T02:30", ny)
    assert parse_instant("2026-11-01T01:30", ny).utcoffset() == timedelta(hours=-4)  # first occurrence


def test_parse_pause(cn: BusinessCalendar) -> None:
    start, end = parse_pause("2026-09-30T11:00/2026-10-09T09:30+08:00", cn)
    assert start == datetime(2026, 9, 30, 11, tzinfo=SHANGHAI)
    assert end == datetime(2026, 10, 9, 9, 30, tzinfo=SHANGHAI)
    with pytest.raises(CalendarFileError, match="must be START/END"):
        parse_pause("2026-09-30T11:00", cn)
    with pytest.raises(CalendarFileError, match="ends before it starts"):
        parse_pause("2026-09-30T11:00/2026-09-30T10:00", cn)


def test_due_from_cli() -> None:
    assert due_from_cli(CN_TEXT, "2026-09-30T17:00", "2h", []) == "2026-10-08T10:00:00+08:00"
    assert due_from_cli(CN_TEXT, "2026-09-30T09:00Z", "2h", []) == "2026-10-08T10:00:00+08:00"
    assert due_from_cli(CN_TEXT, "2026-09-25T17:00", "2h", []) == "2026-09-27T10:00:00+08:00"
    assert due_from_cli(CN_TEXT, "2026-09-29T10:00", "3d", []) == "2026-10-09T10:00:00+08:00"
    assert due_from_cli(CN_TEXT, "2026-09-21T11:00", "1h30m", []) == "2026-09-21T14:00:00+08:00"
    assert (
        due_from_cli(CN_TEXT, "2026-09-30T10:00", "4h", ["2026-09-30T11:00/2026-10-09T09:30"])
        == "2026-10-09T14:00:00+08:00"
    )
    assert due_from_cli(CN_TEXT, "2026-10-03T22:15", "0m", []) == "2026-10-03T22:15:00+08:00"


@pytest.mark.parametrize(
    ("text", "start", "target", "pauses", "message"),
    [
        ("not json", "2026-09-30T17:00", "2h", [], "not valid JSON"),
        (CN_TEXT, "yesterday", "2h", [], "is not an ISO 8601 date-time"),
        (CN_TEXT, "2026-09-30T17:00", "-2h", [], "is negative"),
        (CN_TEXT, "2026-09-30T17:00", "2h", ["2026-09-30T18:00"], "must be START/END"),
        (CN_TEXT, "9998-12-31T00:00", "99999d", [], "outside the supported range"),
    ],
)
def test_due_from_cli_errors(text: str, start: str, target: str, pauses: list[str], message: str) -> None:
    with pytest.raises(CalendarFileError, match=message) as excinfo:
        due_from_cli(text, start, target, pauses)
    assert "\n" not in str(excinfo.value)
