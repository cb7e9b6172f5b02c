"""Calendars as data: the seeded defaults, China's official holidays, desk warnings, the build cache, the admin."""

from datetime import date, time, timedelta

import chinese_calendar
import pytest
from django.core import checks

from itdesk.sla import calendars, services
from itdesk.sla.engine import is_working_time
from itdesk.sla.models import Calendar, CalendarDay, DaySource, Policy, PolicyTarget, WorkingPeriod
from itdesk.sla.selectors import calendar_warnings
from itdesk.tickets import services as ticket_services
from tests.sla.helpers import at, sh

pytestmark = pytest.mark.django_db


@pytest.fixture
def working():
    return Calendar.objects.get(name="China working hours")


def _days(year):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def test_the_default_calendars_and_policy_are_seeded(working):
    periods = [(p.weekday, p.start, p.end) for p in WorkingPeriod.objects.filter(calendar=working)]
    assert periods == [
        (d, s, e) for d in range(5) for s, e in [(time(9), time(12)), (time(13, 30), time(18))]
    ]
    assert working.timezone == "Asia/Shanghai" and not working.is_24x7
    years = set(CalendarDay.objects.filter(calendar=working).values_list("date__year", flat=True))
    assert {2025, 2026} <= years
    assert Calendar.objects.get(name="24x7").is_24x7
    policy = Policy.objects.get(is_default=True)
    targets = {
        (t.priority.code, t.kind): (t.amount, t.unit, t.calendar.name if t.calendar else None)
        for t in PolicyTarget.objects.filter(policy=policy).select_related("priority", "calendar")
    }
    assert targets[("P1", "response")] == (5, "minutes", "24x7")
    assert targets[("P1", "resolution")] == (2, "hours", "24x7")
    assert targets[("P2", "resolution")] == (4, "hours", "24x7")
    assert targets[("P3", "resolution")] == (8, "hours", None)
    assert targets[("P4", "resolution")] == (3, "days", None)
    assert {targets[(p, "escalation")][:2] for p in ("P1", "P2", "P3", "P4")} == {(1, "hours")}


def test_the_2026_import_works_exactly_the_days_chinesecalendar_says(working):
    CalendarDay.objects.filter(calendar=working).delete()
    result = services.import_holidays(calendar=working, year=2026)
    assert (result.holidays, result.workdays) == (33, 6)
    engine = calendars.loaded(Calendar.objects.get(pk=working.pk)).engine
    for day in _days(2026):
        ten_am = sh(day.year, day.month, day.day, 10)
        assert is_working_time(engine, ten_am) == chinese_calendar.is_workday(day), day
    names = dict(CalendarDay.objects.filter(calendar=working, date__year=2026).values_list("date", "name_zh"))
    assert names[date(2026, 10, 1)] == "国庆节" and names[date(2026, 10, 10)] == "国庆节"


def test_reimporting_keeps_the_days_an_administrator_added_by_hand(working):
    CalendarDay.objects.filter(calendar=working, date=date(2026, 5, 5)).delete()
    CalendarDay.objects.create(
        calendar=working, date=date(2026, 5, 5), kind="workday", name_en="Audit day", name_zh="审计日"
    )
    result = services.import_holidays(calendar=working, year=2026)
    assert result.kept_manual == 1
    day = CalendarDay.objects.get(calendar=working, date=date(2026, 5, 5))
    assert (day.kind, day.source, day.name_en) == ("workday", DaySource.MANUAL, "Audit day")
    assert CalendarDay.objects.filter(calendar=working, date__year=2026).count() == 39


def test_the_desk_is_warned_when_next_years_holidays_are_missing(working):
    [message] = calendar_warnings(date(2026, 12, 1))
    assert "“China working hours” has no holidays for 2027" in message
    assert "itdesk sla import-holidays --year 2027" in message
    assert calendar_warnings(date(2026, 6, 1)) == []  # next year's schedule is not published before autumn
    CalendarDay.objects.create(
        calendar=working, date=date(2027, 1, 1), kind="holiday", name_en="New Year's Day", name_zh="元旦"
    )
    assert calendar_warnings(date(2026, 12, 1)) == []


def test_the_desk_is_warned_when_this_years_holidays_are_missing(working):
    CalendarDay.objects.filter(calendar=working, date__year=2026).delete()
    assert [m for m in calendar_warnings(date(2026, 3, 1)) if "for 2026" in m]


def test_the_warning_is_also_a_system_check_on_the_database():
    with at(sh(2026, 12, 1, 10)):
        found = checks.run_checks(databases=["default"], tags=[checks.Tags.database])
    assert [w.id for w in found if "2027" in w.msg] == ["itdesk_sla.W001"]


def test_a_calendar_is_built_once_per_version(working, django_assert_num_queries):
    calendars.clear_cache()
    first = calendars.loaded(working)
    with django_assert_num_queries(0):
        assert calendars.loaded(working) is first
    CalendarDay.objects.create(
        calendar=working, date=date(2026, 11, 23), kind="holiday", name_en="x", name_zh="x"
    )
    fresh = Calendar.objects.get(pk=working.pk)
    assert fresh.version > working.version
    rebuilt = calendars.loaded(fresh)
    assert rebuilt is not first and date(2026, 11, 23) in rebuilt.engine.holidays


def test_an_unusable_calendar_is_reported_and_does_not_stop_the_desk(working, alice, service_desk):
    WorkingPeriod.objects.create(calendar=working, weekday=0, start=time(11), end=time(14))  # overlaps
    assert any("“China working hours” cannot be used" in m for m in calendar_warnings(date(2026, 3, 1)))
    with at(sh(2026, 11, 23, 9)):
        created = ticket_services.create_ticket(actor=alice, title="still works", description="x")
    assert created.number


@pytest.fixture
def admin_client_signed_in(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True, role="admin"))
    return client


def _calendar_form(calendar, periods):
    data = {
        "name": calendar.name,
        "timezone": calendar.timezone,
        "workday_template": 0,
        "warn_missing_holidays": "on",
        "periods-TOTAL_FORMS": str(len(periods)),
        "periods-INITIAL_FORMS": "0",
        "days-TOTAL_FORMS": "0",
        "days-INITIAL_FORMS": "0",
    }
    for index, (weekday, start, end) in enumerate(periods):
        data.update(
            {
                f"periods-{index}-weekday": weekday,
                f"periods-{index}-start": start,
                f"periods-{index}-end": end,
            }
        )
    return data


def test_the_admin_refuses_overlapping_working_periods(admin_client_signed_in):
    calendar = Calendar(name="Shenzhen plant", timezone="Asia/Shanghai")
    response = admin_client_signed_in.post(
        "/admin/sla/calendar/add/", _calendar_form(calendar, [(0, "08:00", "12:00"), (0, "11:00", "17:00")])
    )
    assert response.status_code == 200
    assert "overlap" in response.content.decode()
    assert not Calendar.objects.filter(name="Shenzhen plant").exists()
    response = admin_client_signed_in.post(
        "/admin/sla/calendar/add/", _calendar_form(calendar, [(0, "08:00", "12:00"), (0, "13:00", "00:00")])
    )
    assert response.status_code == 302
    engine = calendars.loaded(Calendar.objects.get(name="Shenzhen plant")).engine
    assert engine.working_day == timedelta(hours=15)  # 00:00 as an end is midnight


def test_the_admin_action_imports_the_official_holidays(admin_client_signed_in, working):
    CalendarDay.objects.filter(calendar=working).delete()
    with at(sh(2026, 12, 1, 10)):
        response = admin_client_signed_in.post(
            "/admin/sla/calendar/",
            {"action": "import_official_holidays", "_selected_action": [working.pk]},
            follow=True,
        )
    text = response.content.decode()
    assert "2026 loaded (33 holidays, 6 make-up workdays)" in text
    assert "not 2027" in text
    assert CalendarDay.objects.filter(calendar=working, date__year=2026).count() == 39


def test_the_sla_admin_pages_open(admin_client_signed_in, working, alice, service_desk):
    with at(sh(2026, 11, 23, 9)):
        ticket_services.create_ticket(actor=alice, title="VPN", description="down")
    policy = Policy.objects.get(is_default=True)
    for path in (
        "/admin/sla/calendar/",
        f"/admin/sla/calendar/{working.pk}/change/",
        "/admin/sla/calendarday/",
        "/admin/sla/policy/",
        f"/admin/sla/policy/{policy.pk}/change/",
        "/admin/sla/policyrule/",
        "/admin/sla/ticketclock/",
    ):
        response = admin_client_signed_in.get(path)
        assert response.status_code == 200, path
    assert "China working hours" in admin_client_signed_in.get("/admin/sla/ticketclock/").content.decode()


def test_recompute_retargets_open_tickets_after_a_target_changed(alice, service_desk):
    from io import StringIO

    from django.core.management import call_command

    from itdesk.sla.models import TicketClock

    with at(sh(2026, 11, 23, 9)):
        ticket = ticket_services.create_ticket(actor=alice, title="VPN", description="down")
    PolicyTarget.objects.filter(priority__code="P3", kind="resolution").update(amount=4)
    out = StringIO()
    with at(sh(2026, 11, 23, 10)):
        call_command("sla", "recompute", stdout=out)
    assert out.getvalue() == "1 open ticket(s) recomputed\n"
    assert TicketClock.objects.get(ticket=ticket, kind="resolution").due_at == sh(2026, 11, 23, 14, 30)
