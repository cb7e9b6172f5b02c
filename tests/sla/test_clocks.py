"""A ticket's SLA clocks, derived from its history, with time frozen (Django, default policy and calendars)."""

from datetime import datetime, timedelta

import pytest
from django.utils import translation

from itdesk.sla import services as sla_services
from itdesk.sla.models import ClockState
from itdesk.tickets import services
from itdesk.tickets.models import Priority
from tests.sla.helpers import at, clocks, sh, views

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)
M = timedelta(minutes=1)


@pytest.fixture
def p3_monday(alice, service_desk):
    """A P3 request registered by alice on Monday 23 November 2026 at 09:00 (Shanghai)."""
    with at(sh(2026, 11, 23, 9)):
        return services.create_ticket(actor=alice, title="VPN fails", description="Cannot connect")


def test_a_p3_ticket_created_friday_evening_is_due_by_the_working_calendar(alice, service_desk):
    with at(sh(2026, 11, 20, 17, 30)):  # a Friday
        ticket = services.create_ticket(actor=alice, title="Printer jam", description="E05")
    assert ticket.priority.code == "P3"
    rows = clocks(ticket)
    # 30 working minutes fit before 18:00 on Friday; the resolution's 8 working hours run into Monday:
    # 30 min on Friday, then 09:00-12:00 and 13:30-18:00 (the lunch break does not count).
    assert rows["response"].due_at == sh(2026, 11, 20, 18)
    assert rows["response"].warn_at == sh(2026, 11, 20, 17, 52, 30)
    assert rows["escalation"].due_at == sh(2026, 11, 23, 9, 30)
    assert rows["resolution"].due_at == sh(2026, 11, 23, 18)
    assert {row.state for row in rows.values()} == {ClockState.RUNNING}
    with at(sh(2026, 11, 21, 10)):  # Saturday: the weekend does not eat the resolution time
        resolution = views(ticket)["resolution"]
        assert resolution.state == "running"
        assert resolution.remaining == 7 * H + 30 * M
        assert views(ticket)["response"].state == "breached"


def test_the_seven_day_national_day_holiday_and_its_make_up_saturday(alice, service_desk):
    # P4 (3 working days = 22.5 h) from Wednesday 30 September 2026 17:00: one hour that day, 1-7
    # October off, Thursday 8 and Friday 9 October, then the make-up workday Saturday 10 October.
    with at(sh(2026, 9, 30, 17)):
        ticket = services.create_ticket(actor=alice, title="Question", description="?", impact=3, urgency=3)
    assert ticket.priority.code == "P4"
    assert clocks(ticket)["resolution"].due_at == sh(2026, 10, 10, 17)
    with at(sh(2026, 10, 8, 9)):
        explanation = views(ticket)["resolution"].explanation()
    assert any("public holiday (National Day)" in line for line in explanation.steps)
    assert any("make-up workday (National Day)" in line for line in explanation.steps)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_explanation_names_the_year_only_of_days_in_another_year(language, alice, service_desk):
    # P4 (3 working days) from Wednesday 30 December 2026 17:00: it runs into January 2027.
    with at(sh(2026, 12, 30, 17)):
        ticket = services.create_ticket(actor=alice, title="Question", description="?", impact=3, urgency=3)
    with at(sh(2026, 12, 31, 10)), translation.override(language):
        explanation = views(ticket)["resolution"].explanation()
    december = [line for line in explanation.steps if "2027" not in line]
    january = [line for line in explanation.steps if "2027" in line]
    assert december and january
    assert not any("2026" in line for line in december)  # this year's days go without it
    assert (
        "2027" in explanation.summary and "2026" not in explanation.summary
    )  # due in January; from December


def test_a_higher_priority_retargets_without_losing_the_time_spent(alice, agent1, service_desk):
    with at(sh(2026, 11, 20, 17, 30)):
        ticket = services.create_ticket(actor=alice, title="ERP slow", description="whole team")
    with at(sh(2026, 11, 23, 9)):  # Monday: the desk finds the whole team is affected
        services.update_ticket(
            ticket=ticket, actor=agent1, changes={"priority": Priority.objects.get(code="P2")}, reason="team"
        )
        resolution = views(ticket)["resolution"]
    # P2 resolves within 4 hours around the clock. Friday's 30 working minutes stay spent, the weekend
    # (not working time under P3) is not charged after the fact: 3.5 h left from Monday 09:00.
    assert resolution.clock.due_at == sh(2026, 11, 23, 12, 30)
    assert resolution.state == "running"
    assert resolution.elapsed == 30 * M and resolution.remaining == 3 * H + 30 * M
    with at(sh(2026, 11, 23, 12)):
        explanation = views(ticket)["resolution"].explanation()
    assert any("the priority changed" in line and "24x7" in line for line in explanation.steps)
    assert "Target 4 hours" in explanation.summary


def test_waiting_on_the_requester_pauses_every_clock_and_the_reply_resumes_them(p3_monday, alice, agent1):
    ticket = p3_monday
    with at(sh(2026, 11, 23, 9, 10)):
        services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    with at(sh(2026, 11, 23, 10)):
        services.transition_ticket(ticket=ticket, actor=agent1, to="waiting_on_requester", note="Which VPN?")
    with at(sh(2026, 11, 23, 10, 45)):
        waiting = views(ticket)
        assert waiting["resolution"].state == "paused"
        assert waiting["resolution"].remaining == 7 * H  # 09:00-10:00 used, nothing since
        assert waiting["escalation"].state == "paused"
    with at(sh(2026, 11, 24, 9)):  # still paused the next morning: nothing more used
        assert views(ticket)["resolution"].remaining == 7 * H
    with at(sh(2026, 11, 24, 10)):
        services.add_comment(ticket=ticket, actor=alice, body="The office VPN")
    rows = clocks(ticket)
    assert rows["resolution"].state == ClockState.RUNNING
    # 1 h used on Monday, 7 h left from Tuesday 10:00: 10:00-12:00, 13:30-18:00 (6.5 h), Wednesday 09:30.
    assert rows["resolution"].due_at == sh(2026, 11, 25, 9, 30)
    assert rows["resolution"].pauses[0][2] == "waiting_on_requester"


def test_a_priority_change_while_paused_keeps_the_paused_time_out(p3_monday, agent1):
    ticket = p3_monday
    with at(sh(2026, 11, 23, 9, 30)):
        services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    with at(sh(2026, 11, 23, 10)):
        services.transition_ticket(ticket=ticket, actor=agent1, to="waiting_on_requester", note="Which VPN?")
    with at(sh(2026, 11, 23, 11)):
        services.update_ticket(
            ticket=ticket, actor=agent1, changes={"priority": Priority.objects.get(code="P2")}, reason="VIP"
        )
    with at(sh(2026, 11, 23, 14)):
        services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    # 1 h used before the pause (on working time), 3 h left on P2's 24x7 calendar from 14:00.
    assert clocks(ticket)["resolution"].due_at == sh(2026, 11, 23, 17)


def test_resolving_stops_the_clock_and_reopening_restarts_it_where_it_stopped(p3_monday, alice, agent1):
    ticket = p3_monday
    with at(sh(2026, 11, 23, 9, 5)):
        services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    with at(sh(2026, 11, 23, 11)):
        services.transition_ticket(ticket=ticket, actor=agent1, to="resolved", resolution="Reset profile")
    rows = clocks(ticket)
    assert rows["resolution"].state == ClockState.MET and rows["resolution"].stopped_at == sh(
        2026, 11, 23, 11
    )
    # No reply within 30 minutes: the resolution is the first answer, 90 minutes late.
    assert rows["response"].state == ClockState.BREACHED
    assert rows["response"].stopped_at == sh(2026, 11, 23, 11)
    with at(sh(2026, 11, 23, 14)):
        services.transition_ticket(ticket=ticket, actor=alice, to="diagnosing", note="Still broken")
    resolution = clocks(ticket)["resolution"]
    assert resolution.state == ClockState.RUNNING and resolution.stopped_at is None
    # 2 h used before the resolution; 6 h left from 14:00: 4 h today, 2 h on Tuesday morning.
    assert resolution.due_at == sh(2026, 11, 24, 11)
    [(start, end, reason)] = resolution.pauses
    assert (datetime.fromisoformat(start), datetime.fromisoformat(end), reason) == (
        sh(2026, 11, 23, 11),
        sh(2026, 11, 23, 14),
        "resolved",
    )


def test_first_response_is_met_by_the_acknowledgement(p3_monday, agent1):
    with at(sh(2026, 11, 23, 9, 20)):
        services.transition_ticket(ticket=p3_monday, actor=agent1, to="acknowledged")
    response = clocks(p3_monday)["response"]
    assert response.state == ClockState.MET and response.stopped_at == sh(2026, 11, 23, 9, 20)


def test_a_late_public_reply_records_the_breach_once(p3_monday, agent1):
    with at(sh(2026, 11, 23, 9, 40)):
        services.add_comment(ticket=p3_monday, actor=agent1, body="Looking into it")
        services.add_comment(ticket=p3_monday, actor=agent1, body="Still looking")
    response = clocks(p3_monday)["response"]
    assert response.state == ClockState.BREACHED and response.stopped_at == sh(2026, 11, 23, 9, 40)
    assert p3_monday.events.filter(kind="sla_breach", field="response").count() == 1


def test_only_the_desks_first_public_reply_meets_the_response_target(p3_monday, alice, agent1):
    with at(sh(2026, 11, 23, 9, 5)):
        services.add_comment(ticket=p3_monday, actor=alice, body="Any news?")
        services.add_comment(ticket=p3_monday, actor=agent1, body="checking the VPN logs", internal=True)
    assert clocks(p3_monday)["response"].state == ClockState.RUNNING
    with at(sh(2026, 11, 23, 9, 10)):
        services.add_comment(ticket=p3_monday, actor=agent1, body="We are on it")
    response = clocks(p3_monday)["response"]
    assert response.state == ClockState.MET and response.stopped_at == sh(2026, 11, 23, 9, 10)
    assert clocks(p3_monday)["resolution"].state == ClockState.RUNNING


def test_escalation_is_met_by_the_escalate_move_and_never_fires_at_creation(p3_monday, agent1, network_group):
    escalation = views(p3_monday)["escalation"]
    assert escalation.state == "running" and escalation.clock.due_at == sh(2026, 11, 23, 10)
    with at(sh(2026, 11, 23, 9, 40)):
        services.transition_ticket(ticket=p3_monday, actor=agent1, to="diagnosing")
        services.transition_ticket(
            ticket=p3_monday, actor=agent1, to="escalated", group=network_group, note="network team"
        )
    escalation = clocks(p3_monday)["escalation"]
    assert escalation.state == ClockState.MET and escalation.stopped_at == sh(2026, 11, 23, 9, 40)


def test_a_ticket_registered_straight_into_a_specialist_group_has_no_escalation_clock(
    alice, agent1, service_desk, network_group
):
    with at(sh(2026, 11, 23, 9)):
        ticket = services.create_ticket(
            actor=agent1, requester=alice, title="Switch down", description="floor 2", group=network_group
        )
    assert set(clocks(ticket)) == {"response", "resolution"}


def test_handing_a_ticket_to_a_specialist_group_without_escalating_stops_the_escalation_clock(
    p3_monday, agent1, network_group
):
    with at(sh(2026, 11, 23, 9, 50)):
        services.update_ticket(ticket=p3_monday, actor=agent1, changes={"group": network_group})
    escalation = clocks(p3_monday)["escalation"]
    assert escalation.state == ClockState.MET and escalation.stopped_at == sh(2026, 11, 23, 9, 50)


def test_cancelling_stops_the_clocks_without_an_outcome(p3_monday, alice):
    with at(sh(2026, 11, 23, 9, 10)):
        services.transition_ticket(ticket=p3_monday, actor=alice, to="cancelled", note="Works now")
    assert {row.state for row in clocks(p3_monday).values()} == {ClockState.CANCELLED}
    assert {view.state for view in views(p3_monday).values()} == {"cancelled"}


def test_approval_pauses_only_when_the_policy_says_so(p3_monday, agent1, manager1):
    from itdesk.sla.models import Policy

    ticket = p3_monday
    with at(sh(2026, 11, 23, 9, 10)):
        services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
        services.transition_ticket(ticket=ticket, actor=agent1, to="planning")
    with at(sh(2026, 11, 23, 10)):
        services.transition_ticket(ticket=ticket, actor=agent1, to="awaiting_approval", note="Reinstall")
    with at(sh(2026, 11, 23, 11)):
        services.transition_ticket(ticket=ticket, actor=manager1, to="in_progress")
    running_through = clocks(ticket)["resolution"].due_at
    for policy in Policy.objects.all():  # as the admin does: one save per policy, then the recompute job
        policy.pause_on_approval = True
        policy.save()
    with at(sh(2026, 11, 23, 11, 5)):
        sla_services.recompute_clocks(ticket_ids=[ticket.pk])
    assert clocks(ticket)["resolution"].due_at == running_through + H


def test_a_policy_rule_by_department_chooses_another_policy(alice, service_desk):
    from itdesk.sla.models import Calendar, Policy, PolicyRule, PolicyTarget
    from tests.factories import DepartmentFactory

    alice.department = DepartmentFactory(code="finance", name="Finance")
    alice.save()
    vip = Policy.objects.create(name="Finance", calendar=Calendar.objects.get(name="24x7"))
    PolicyTarget.objects.create(
        policy=vip, priority=Priority.objects.get(code="P3"), kind="resolution", amount=2, unit="hours"
    )
    PolicyRule.objects.create(position=1, policy=vip, department=alice.department)
    with at(sh(2026, 11, 21, 10)):  # a Saturday: the 24x7 calendar counts it
        ticket = services.create_ticket(actor=alice, title="Payroll", description="export fails")
    rows = clocks(ticket)
    assert set(rows) == {"resolution"}
    assert rows["resolution"].policy == vip and rows["resolution"].due_at == sh(2026, 11, 21, 12)


def test_the_ticket_keeps_its_nearest_due_time_for_the_queues(p3_monday, agent1):
    from itdesk.tickets.models import Ticket

    def stored():
        return Ticket.objects.values_list("sla_next_due", flat=True).get(pk=p3_monday.pk)

    # New: the response (09:30) comes first among response, escalation and resolution.
    assert stored() == sh(2026, 11, 23, 9, 30) == min(c.due_at for c in clocks(p3_monday).values())
    with at(sh(2026, 11, 23, 9, 10)):
        services.transition_ticket(ticket=p3_monday, actor=agent1, to="acknowledged")  # response met
    assert stored() == min(c.due_at for c in clocks(p3_monday).values() if c.kind != "response")
    with at(sh(2026, 11, 23, 9, 20)):
        services.transition_ticket(ticket=p3_monday, actor=agent1, to="diagnosing")
        services.transition_ticket(
            ticket=p3_monday, actor=agent1, to="waiting_on_requester", note="Which VPN?"
        )
    paused = clocks(p3_monday)["resolution"]
    assert paused.state == ClockState.PAUSED
    counting = [c.due_at for c in clocks(p3_monday).values() if c.state == ClockState.RUNNING]
    assert stored() == (min(counting) if counting else None)  # a paused clock is not counting down
    with at(sh(2026, 11, 23, 11)):
        services.transition_ticket(ticket=p3_monday, actor=agent1, to="diagnosing", note="Answered")
        services.transition_ticket(ticket=p3_monday, actor=agent1, to="resolved", resolution="Profile reset")
    assert stored() is None  # nothing left counting: last in "most urgent first"
