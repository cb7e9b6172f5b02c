"""SLA on the pages: the ticket's SLA card, the queue's time to breach, timeline alerts, the calendar banner.

Time is frozen (Asia/Shanghai wall-clock instants) so due times and time left are exact; the calendar is
the seeded "China working hours" (09:00-12:00, 13:30-18:00, Monday to Friday) and the default policy.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from itdesk.sla.models import Calendar, CalendarDay
from itdesk.sla.watcher import run_watcher
from itdesk.tickets import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(month, day, hour, minute=0, second=0):
    """An instant in 2026 given as Shanghai wall-clock time."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=SHANGHAI)


def at(moment):
    return time_machine.travel(moment, tick=False)


def text(html: str) -> str:
    """What a reader sees: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def sla_item(page: str, kind: str) -> str:
    """The text of one target in the SLA card."""
    match = re.search(
        rf'<li class="sla-item[^"]*" data-sla-kind="{kind}".*?</li>\s*(?=<li class="sla-item|</ul>)',
        page,
        re.S,
    )
    assert match, f"no {kind} target in the SLA card"
    return match.group(0)


def queue_rows(page: str) -> dict[str, str]:
    """Queue rows by ticket number, in the order shown (dicts keep it)."""
    return {number: row for row, number in re.findall(r'(<tr data-number="([^"]+)".*?</tr>)', page, re.S)}


@pytest.fixture
def friday_p3(alice, service_desk):
    """A P3 request alice sent on Friday 20 November 2026 at 17:30, half an hour before the desk closes."""
    with at(sh(11, 20, 17, 30)):
        return services.create_ticket(actor=alice, title="Printer jam", description="E05 on floor 3")


# ---------------------------------------------------------------- the SLA card


def test_the_desk_sees_every_target_with_due_time_time_left_and_why(client_for, agent1, friday_p3):
    with at(sh(11, 20, 17, 40)):
        page = client_for(agent1).get(reverse("web:desk-ticket", args=[friday_p3.number])).content.decode()

    response, escalation, resolution = (sla_item(page, k) for k in ("response", "escalation", "resolution"))
    # 30 working minutes from 17:30 end at closing time; the hour to escalate and the 8 working hours
    # to resolve run on into Monday, skipping the weekend and Monday's lunch break.
    assert "First response" in text(response) and "Due Fri November 20 18:00" in text(response)
    assert "20 min working time left" in text(response) and "Running" in text(response)
    assert "Escalation to a specialist group" in text(escalation)
    assert "Due Mon November 23 09:30" in text(escalation) and "50 min working time left" in text(escalation)
    assert "Due Mon November 23 18:00" in text(resolution)
    assert "7 h 50 min working time left" in text(resolution)
    assert 'datetime="2026-11-23T18:00:00+08:00"' in resolution
    why = text(resolution[resolution.index("<details") :])
    assert "Why is it due then?" in why
    assert (
        "Target 8 hours on “China working hours” (Asia/Shanghai), counted from Fri November 20 17:30" in why
    )
    assert "Fri November 20: counted 17:30–18:00 (30 min)" in why
    assert "Sat November 21 – Sun November 22: days off, not counted" in why
    assert (
        "Mon November 23: counted 09:00–12:00, 13:30–18:00 (7 h 30 min); break 12:00–13:30 not counted" in why
    )


def test_the_requester_sees_response_and_resolution_but_not_the_escalation_target(
    client_for, alice, friday_p3
):
    with at(sh(11, 20, 17, 40)):
        page = client_for(alice).get(reverse("web:portal-ticket", args=[friday_p3.number])).content.decode()

    assert "Due Fri November 20 18:00" in text(sla_item(page, "response"))
    resolution = text(sla_item(page, "resolution"))
    assert "Due Mon November 23 18:00" in resolution and "7 h 50 min working time left" in resolution
    assert "Sat November 21 – Sun November 22: days off, not counted" in resolution
    assert 'data-sla-kind="escalation"' not in page
    assert "Escalation to a specialist group" not in page and "09:30" not in text(page)


def test_a_desk_member_sees_only_the_requester_targets_on_their_own_request_in_the_portal(
    client_for, agent1, service_desk
):
    with at(sh(11, 20, 17, 30)):
        own = services.create_ticket(actor=agent1, title="My monitor flickers", description="Since today")
        page = client_for(agent1).get(reverse("web:portal-ticket", args=[own.number])).content.decode()

    assert 'data-sla-kind="response"' in page and 'data-sla-kind="resolution"' in page
    assert 'data-sla-kind="escalation"' not in page


def test_states_read_at_risk_breached_paused_and_met_with_their_colours(client_for, agent1, friday_p3):
    client = client_for(agent1)
    url = reverse("web:desk-ticket", args=[friday_p3.number])

    with at(sh(11, 20, 17, 55)):  # past 75 % of the 30 minutes
        at_risk = sla_item(client.get(url).content.decode(), "response")
    with at(sh(11, 23, 9, 10)):  # Monday: the response is 10 working minutes late
        breached = sla_item(client.get(url).content.decode(), "response")
        services.transition_ticket(ticket=friday_p3, actor=agent1, to="acknowledged")  # answers, late
    with at(sh(11, 23, 9, 20)):
        services.transition_ticket(ticket=friday_p3, actor=agent1, to="diagnosing")
        services.transition_ticket(
            ticket=friday_p3, actor=agent1, to="waiting_on_requester", note="Which printer exactly?"
        )
    with at(sh(11, 23, 10)):
        page = client.get(url).content.decode()

    assert 'data-sla-state="warning"' in at_risk and "badge-amber" in at_risk and "At risk" in text(at_risk)
    assert "5 min working time left" in text(at_risk)
    assert 'data-sla-state="breached"' in breached and "badge-red" in breached
    assert "Breached" in text(breached) and "overdue by 10 min" in text(breached)
    late = sla_item(page, "response")
    assert "badge-red" in late and "reached 10 min late" in text(late)
    resolution = sla_item(page, "resolution")
    assert 'data-sla-state="paused"' in resolution and "Paused" in text(resolution)
    # Paused at 09:20 with 7 h 10 min left: resumed now (10:00) it would end at 18:40 -> Tuesday 09:40.
    assert "Due if resumed now Tue November 24 09:40" in text(resolution)
    assert "paused (waiting on the requester)" in text(resolution)


def test_the_card_reads_in_chinese(client_for, friday_p3):
    xiaoming = UserFactory(username="xiaoming", role="agent", language="zh-hans")

    with at(sh(11, 20, 17, 40)):
        page = client_for(xiaoming).get(reverse("web:desk-ticket", args=[friday_p3.number])).content.decode()

    resolution = text(sla_item(page, "resolution"))
    assert "服务级别（SLA）" in page
    assert "剩余工作时间 7小时50分钟" in resolution and "计时中" in resolution
    assert "到期时间是怎么算的？" in resolution and "休息日，不计时" in resolution
    assert "working time left" not in page and "Why is it due then?" not in page


# ---------------------------------------------------------------- the queue


@pytest.fixture
def friday_queue(alice, bob, service_desk):
    """Three open tickets on Friday afternoon: an overdue P4, a P1 close to its response time, a fresh P3."""
    with at(sh(11, 20, 16)):
        overdue = services.create_ticket(
            actor=bob, title="Old question", description="?", impact=3, urgency=3
        )
    with at(sh(11, 20, 17, 30)):
        fresh = services.create_ticket(actor=alice, title="Printer jam", description="E05")
    with at(sh(11, 20, 17, 42)):
        urgent = services.create_ticket(actor=alice, title="ERP down", description="all", impact=1, urgency=1)
    assert (overdue.priority.code, fresh.priority.code, urgent.priority.code) == ("P4", "P3", "P1")
    return {"overdue": overdue, "fresh": fresh, "urgent": urgent}


def test_working_queues_are_sorted_by_time_to_breach_with_badges_and_row_colours(
    client_for, agent1, friday_queue
):
    # 17:46: the P4's first response was due at 17:00, the P1's is due at 17:47 (5 min around the clock,
    # at risk since 17:45:45), the P3's at 18:00.
    with at(sh(11, 20, 17, 46)):
        page = client_for(agent1).get(reverse("web:desk")).content.decode()

    rows = queue_rows(page)
    assert list(rows) == [friday_queue[n].number for n in ("overdue", "urgent", "fresh")]
    overdue, urgent, fresh = rows.values()
    assert 'class="sla-row-breached"' in overdue and 'data-sla-state="breached"' in overdue
    assert "Breached" in text(overdue) and "Breached Response overdue by 46 min" in text(overdue)
    assert 'class="sla-row-warning"' in urgent and "At risk" in text(urgent)
    assert "At risk Response 1 min left" in text(urgent)  # P1 counts around the clock: no "working time"
    assert "sla-row-" not in fresh and "Running" in text(fresh)
    assert "Running Response 14 min working time left" in text(fresh)
    assert 'title="First response: due Fri November 20 18:00"' in fresh
    assert re.search(r"Time to breach\s*<span class=\"sort-mark\">▲</span>", page)


def test_each_queue_has_its_default_order_and_time_to_breach_can_be_chosen(client_for, agent1, friday_queue):
    client = client_for(agent1)
    newest_first = [friday_queue[n].number for n in ("urgent", "fresh", "overdue")]
    most_urgent_first = [friday_queue[n].number for n in ("overdue", "urgent", "fresh")]

    with at(sh(11, 20, 17, 46)):
        orders = {
            queue: list(queue_rows(client.get(reverse("web:desk"), {"queue": queue}).content.decode()))
            for queue in ("new", "group", "open", "all")
        }
        all_by_breach = list(
            queue_rows(client.get(reverse("web:desk"), {"queue": "all", "sort": "breach"}).content.decode())
        )
        open_by_creation = list(
            queue_rows(
                client.get(reverse("web:desk"), {"queue": "open", "sort": "-created"}).content.decode()
            )
        )

    assert orders["new"] == orders["group"] == orders["open"] == most_urgent_first
    assert orders["all"] == newest_first  # mostly history: newest first
    assert all_by_breach == most_urgent_first
    assert open_by_creation == newest_first


def test_a_ticket_without_a_counting_clock_goes_last_and_shows_a_dash(client_for, agent1, friday_queue):
    with at(sh(11, 20, 17, 44)):
        services.transition_ticket(ticket=friday_queue["overdue"], actor=agent1, to="acknowledged")
        services.transition_ticket(ticket=friday_queue["overdue"], actor=agent1, to="diagnosing")
        services.transition_ticket(
            ticket=friday_queue["overdue"], actor=agent1, to="resolved", resolution="Answered by phone"
        )
        page = client_for(agent1).get(reverse("web:desk"), {"queue": "all"}).content.decode()
        breach_order = client_for(agent1).get(reverse("web:desk"), {"queue": "all", "sort": "breach"})

    assert list(queue_rows(breach_order.content.decode()))[-1] == friday_queue["overdue"].number
    resolved = queue_rows(page)[friday_queue["overdue"].number]
    assert re.search(r'<td class="cell-sla"><span class="muted">—</span></td>', resolved)
    assert "sla-row-" not in resolved


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("web:desk"))  # the default: open, by time to breach
    assert response.status_code == 200
    return len(captured)


def test_the_queue_runs_the_same_number_of_queries_for_3_or_25_tickets_in_every_sla_state(
    client_for, agent1, alice, service_desk
):
    client = client_for(agent1)

    def add(count, start_minute):
        for n in range(count):
            with at(sh(11, 20, 15, start_minute + n)):
                ticket = services.create_ticket(
                    actor=alice, title=f"Ticket {n}", description="x", impact=1 + n % 3, urgency=1 + n % 3
                )
                if n % 4 == 1:
                    services.transition_ticket(ticket=ticket, actor=agent1, to="acknowledged")
                if n % 4 == 2:
                    services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
                    services.transition_ticket(
                        ticket=ticket, actor=agent1, to="waiting_on_requester", note="Which one?"
                    )

    add(3, 0)
    with at(sh(11, 20, 17, 50)):
        run_watcher()
        few = _queue_queries(client)
    add(22, 3)
    with at(sh(11, 20, 17, 50)):
        run_watcher()
        many = _queue_queries(client)

    assert few == many


# ---------------------------------------------------------------- the timeline


def test_warnings_and_breaches_appear_in_the_desk_timeline_only(client_for, agent1, alice, friday_queue):
    with at(sh(11, 20, 17, 46)):
        report = run_watcher()
    assert report.breaches >= 1 and report.warnings >= 1

    with at(sh(11, 20, 17, 50)):
        overdue = client_for(agent1).get(reverse("web:desk-ticket", args=[friday_queue["overdue"].number]))
        urgent = client_for(agent1).get(reverse("web:desk-ticket", args=[friday_queue["urgent"].number]))
        portal = client_for(alice).get(reverse("web:portal-ticket", args=[friday_queue["urgent"].number]))

    breach = overdue.content.decode()
    breach_entry = breach[breach.index("tl-kind-sla_breach") :]
    breach_entry = breach_entry[: breach_entry.index("</li>")]
    assert "SLA breached : first response was due 17:00" in text(breach_entry)
    assert "target breached" in text(breach_entry)  # the watcher's note, with what it did
    assert (
        "is-internal"
        in breach[breach.index("tl-kind-sla_breach") - 40 : breach.index("tl-kind-sla_breach") + 60]
    )
    warning = urgent.content.decode()
    warning_entry = warning[warning.index("tl-kind-sla_warning") :]
    assert "SLA warning : first response due 17:47" in text(warning_entry[: warning_entry.index("</li>")])
    public = portal.content.decode()
    assert "tl-kind-sla_" not in public and "SLA warning" not in public


def test_an_alert_about_another_day_gives_the_date(client_for, agent1, friday_p3):
    # Monday 09:25: the first response was due on Friday; the escalation (due 09:30) is at risk.
    with at(sh(11, 23, 9, 25)):
        run_watcher()
        page = client_for(agent1).get(reverse("web:desk-ticket", args=[friday_p3.number])).content.decode()

    entries = re.findall(r"tl-kind-sla_(?:warning|breach).*?</li>", page, re.S)
    assert any("first response was due Fri November 20 18:00" in text(e) for e in entries)
    assert any("escalation to a specialist group due 09:30" in text(e) for e in entries)


# ---------------------------------------------------------------- the calendar banner


@pytest.fixture
def no_holidays_this_year():
    """The working calendar lost its 2026 holidays (as if nobody imported them)."""
    calendar = Calendar.objects.get(name="China working hours")
    CalendarDay.objects.filter(calendar=calendar, date__year=2026).delete()
    return calendar


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)


def test_leads_and_administrators_are_told_when_a_calendar_misses_a_year(
    client_for, admin_user, lead1, agent1, alice, no_holidays_this_year, friday_p3
):
    with at(sh(6, 1, 10)):  # before October only the current year is checked
        admin_queue = client_for(admin_user).get(reverse("web:desk")).content.decode()
        admin_ticket = client_for(admin_user).get(reverse("web:desk-ticket", args=[friday_p3.number]))
        lead_queue = client_for(lead1).get(reverse("web:desk")).content.decode()
        agent_queue = client_for(agent1).get(reverse("web:desk")).content.decode()
        portal = client_for(alice).get(reverse("web:portal")).content.decode()

    banner = admin_queue[admin_queue.index('id="calendar-warnings"') :]
    banner = text(banner[: banner.index("</div>")])
    assert "SLA calendars need attention" in banner
    assert "The calendar “China working hours” has no holidays for 2026" in banner
    assert f'href="{reverse("admin:sla_calendar_changelist")}"' in admin_queue
    assert "Open the business calendars" in banner
    assert 'id="calendar-warnings"' in admin_ticket.content.decode()
    assert (
        "has no holidays for 2026" in lead_queue and "An administrator can load the schedule." in lead_queue
    )
    assert reverse("admin:sla_calendar_changelist") not in lead_queue
    assert 'id="calendar-warnings"' not in agent_queue and 'id="calendar-warnings"' not in portal


def test_no_banner_when_the_holidays_are_loaded(client_for, admin_user, service_desk):
    with at(sh(6, 1, 10)):
        page = client_for(admin_user).get(reverse("web:desk")).content.decode()

    assert 'id="calendar-warnings"' not in page
