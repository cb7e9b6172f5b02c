"""`itdesk sla`: due, explain, watch, import-holidays."""

import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from itdesk.tickets import services
from tests.sla.helpers import at, sh

CALENDAR = {
    "timezone": "Asia/Shanghai",
    "week": {day: [["09:00", "12:00"], ["13:30", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": [f"2026-10-0{day}" for day in range(1, 8)],
    "workdays": ["2026-10-10"],
}


@pytest.fixture
def calendar_file(tmp_path):
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps(CALENDAR), encoding="utf-8")
    return path


def run(*args):
    """Call the command and return what it printed."""
    from io import StringIO

    out = StringIO()
    call_command("sla", *args, stdout=out)
    return out.getvalue()


def test_due_prints_the_due_instant_with_its_offset(calendar_file):
    assert run("due", "--calendar", str(calendar_file), "--start", "2026-11-20T17:30", "--target", "8h") == (
        "2026-11-23T18:00:00+08:00\n"
    )
    # Wednesday 17:00 + 3 working days: the week-long holiday, then the make-up Saturday.
    out = run("due", "--calendar", str(calendar_file), "--start", "2026-09-30T17:00+08:00", "--target", "3d")
    assert out == "2026-10-10T17:00:00+08:00\n"


def test_due_skips_pauses(calendar_file):
    out = run(
        "due",
        "--calendar",
        str(calendar_file),
        "--start",
        "2026-11-23T09:00+08:00",
        "--target",
        "1h",
        "--pause",
        "2026-11-23T09:30+08:00/2026-11-23T14:00+08:00",
    )
    assert out == "2026-11-23T14:30:00+08:00\n"


@pytest.mark.parametrize(
    ("change", "args", "reason"),
    [
        ({"timezone": "Mars/Olympus"}, (), "unknown time zone 'Mars/Olympus'"),
        ({"week": {"mon": [["09:00", "12:00"], ["11:00", "18:00"]]}}, (), "overlap"),
        ({}, ("--target=-1h",), "is negative"),
        ({}, ("--start", "yesterday"), "is not an ISO 8601 date-time"),
        ({}, ("--pause", "2026-11-23T10:00/2026-11-23T09:00"), "ends before it starts"),
    ],
)
def test_due_refuses_bad_input_with_a_one_line_reason(tmp_path, change, args, reason):
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps({**CALENDAR, **change}), encoding="utf-8")
    options = {"--start": "2026-11-23T09:00", "--target": "1h"}
    extra = list(args)
    for flag in ("--start", "--target"):
        if not any(arg.split("=")[0] == flag for arg in extra):
            extra += [flag, options[flag]]
    with pytest.raises(CommandError) as info:
        run("due", "--calendar", str(path), *extra)
    assert reason in str(info.value) and "\n" not in str(info.value)


def test_due_from_the_command_line_exits_non_zero_on_a_missing_file(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "itdesk.config.settings", "ITDESK_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "itdesk", "sla", "due", "--calendar", str(tmp_path / "nope.json"),
         "--start", "2026-11-23T09:00", "--target", "1h"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"CommandError: cannot read calendar file {tmp_path / 'nope.json'}: No such file or directory"
    ]


def test_a_negative_target_written_as_a_separate_word_gets_the_one_line_reason(tmp_path):
    calendar = tmp_path / "calendar.json"
    calendar.write_text('{"timezone": "Asia/Shanghai", "week": {"mon": [["09:00", "18:00"]]}}')
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "itdesk.config.settings", "ITDESK_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "itdesk", "sla", "due", "--calendar", str(calendar),
         "--start", "2026-11-23T09:00", "--target", "-2h"],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == ["CommandError: duration '-2h' is negative"]


@pytest.mark.django_db
def test_explain_prints_each_targets_due_time_state_and_reasons(alice, agent1, service_desk):
    with at(sh(2026, 11, 20, 17, 30)):
        ticket = services.create_ticket(actor=alice, title="Printer jam", description="E05")
    with at(sh(2026, 11, 20, 17, 40)):
        services.transition_ticket(ticket=ticket, actor=agent1, to="acknowledged")
    with at(sh(2026, 11, 23, 10)):
        out = run("explain", ticket.number)
    assert f"{ticket.number} Printer jam" in out
    assert "First response: Met, due 2026-11-20T18:00+08:00" in out
    assert "Met at Fri November 20 17:40, with 20 min to spare." in out
    assert "Resolution: Running, due 2026-11-23T18:00+08:00" in out
    assert "- Sat November 21 – Sun November 22: days off, not counted" in out
    assert (
        "- Mon November 23: counted 09:00–12:00, 13:30–18:00 (7 h 30 min); break 12:00–13:30 not counted"
        in out
    )


@pytest.mark.django_db
def test_explain_an_unknown_ticket_is_an_error():
    with pytest.raises(CommandError, match="no ticket numbered IT000"):
        run("explain", "IT000")


@pytest.mark.django_db
def test_watch_runs_one_pass(alice, service_desk):
    with at(sh(2026, 11, 23, 9)):
        ticket = services.create_ticket(actor=alice, title="VPN", description="down")
    with at(sh(2026, 11, 23, 9, 31)):
        assert "0 warning(s), 1 breach(es)" in run("watch")
        assert "0 warning(s), 0 breach(es)" in run("watch")
    assert ticket.events.filter(kind="sla_breach").count() == 1


@pytest.mark.django_db
def test_import_holidays_for_a_year_the_package_does_not_know_says_what_to_do():
    with pytest.raises(CommandError, match="not 2099. Add 2099 by hand"):
        run("import-holidays", "--year", "2099")
    with pytest.raises(CommandError, match="no calendar named 'Mars'"):
        run("import-holidays", "--year", "2026", "--calendar", "Mars")


@pytest.mark.django_db
def test_import_holidays_reports_what_it_loaded():
    out = run("import-holidays", "--year", "2026", "--calendar", "China working hours")
    assert out == "China working hours: 2026: 33 holidays, 6 make-up workdays; 0 open ticket(s) recomputed\n"
