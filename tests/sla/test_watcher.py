"""The SLA watcher: warnings and breaches fire exactly once each, with the policy's actions, whatever the
retries and concurrent workers."""

import threading

import pytest
from django.db import connection

from itdesk.notifications.models import OutboxMessage
from itdesk.sla.models import ClockState, Policy
from itdesk.sla.watcher import run_watcher
from itdesk.tickets import services
from itdesk.tickets.models import TicketEvent
from tests.sla.helpers import at, clocks, sh

MONDAY_9 = sh(2026, 11, 23, 9)


@pytest.fixture
def ticket(alice, agent1, lead1, service_desk):
    """A P3 request from Monday 09:00, taken by agent1 at 09:05; the service desk is led by lead1."""
    service_desk.lead = lead1
    service_desk.save()
    with at(MONDAY_9):
        ticket = services.create_ticket(actor=alice, title="VPN fails", description="Cannot connect")
    with at(sh(2026, 11, 23, 9, 5)):
        services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    return ticket


def sla_events(ticket, kind=None):
    events = TicketEvent.objects.filter(ticket=ticket, kind__in=["sla_warning", "sla_breach"])
    return list(events.filter(kind=kind) if kind else events)


def watch(moment):
    with at(moment):
        return run_watcher()


@pytest.mark.django_db
def test_nothing_fires_before_the_warning_time(ticket):
    report = watch(sh(2026, 11, 23, 9, 22))  # response warns at 75 % of 30 min: 09:22:30
    assert (report.warnings, report.breaches) == (0, 0)
    assert sla_events(ticket) == []


@pytest.mark.django_db
def test_warning_then_breach_each_once_however_often_the_watcher_runs(ticket, agent1, lead1):
    first, again = watch(sh(2026, 11, 23, 9, 23)), watch(sh(2026, 11, 23, 9, 24))
    assert (first.warnings, again.warnings) == (1, 0)
    [warning] = sla_events(ticket, "sla_warning")
    assert warning.field == "response" and not warning.public
    assert "75% of the target used" in warning.note and f"notified {agent1.email}" in warning.note
    assert clocks(ticket)["response"].warned_at == sh(2026, 11, 23, 9, 23)

    for minute in (31, 31, 32):
        watch(sh(2026, 11, 23, 9, minute))
    [breach] = sla_events(ticket, "sla_breach")
    assert breach.field == "response" and "target breached" in breach.note
    assert clocks(ticket)["response"].state == ClockState.BREACHED
    # Assignee warned once, assignee and group lead told of the breach once; retries change nothing.
    recipients = sorted(
        OutboxMessage.objects.filter(dedupe_key__startswith="sla:").values_list("recipient", "subject")
    )
    assert [r for r, _s in recipients] == sorted([agent1.email, agent1.email, lead1.email])
    assert sum("SLA breached" in subject for _r, subject in recipients) == 2


@pytest.mark.django_db
def test_a_clock_found_overdue_breaches_without_a_late_warning(ticket):
    report = watch(sh(2026, 11, 23, 9, 40))  # the watcher was down until after the response was due
    assert (report.warnings, report.breaches) == (0, 1)
    assert [e.kind for e in sla_events(ticket)] == ["sla_breach"]
    assert "09:30" in sla_events(ticket)[0].note  # the due time in the desk's zone (Shanghai), not UTC
    report = watch(sh(2026, 11, 23, 9, 50))  # escalation (due 10:00) warns at 09:45
    assert (report.warnings, report.breaches) == (1, 0)
    assert [(e.kind, e.field) for e in sla_events(ticket)] == [
        ("sla_breach", "response"),
        ("sla_warning", "escalation"),
    ]


@pytest.mark.django_db
def test_a_paused_clock_neither_warns_nor_breaches(ticket, agent1):
    with at(sh(2026, 11, 23, 9, 10)):
        services.add_comment(ticket=ticket, actor=agent1, body="On it")  # response met
        services.transition_ticket(ticket=ticket, actor=agent1, to="waiting_on_requester", note="Which VPN?")
    report = watch(sh(2026, 11, 25, 9))
    assert (report.warnings, report.breaches) == (0, 0)
    assert {c.state for c in clocks(ticket).values()} == {ClockState.MET, ClockState.PAUSED}


@pytest.mark.django_db
def test_raising_the_priority_on_breach_happens_once(ticket, agent1):
    Policy.objects.update(breach_raise_priority=True, breach_notify_assignee=False, breach_notify_lead=False)
    watch(sh(2026, 11, 23, 9, 31))
    watch(sh(2026, 11, 23, 9, 31))
    ticket.refresh_from_db()
    assert ticket.priority.code == "P2"
    [change] = TicketEvent.objects.filter(ticket=ticket, kind="field", field="priority")
    assert (change.old_value, change.new_value, change.actor) == ("P3", "P2", None)
    assert "SLA breach on the First response target" in change.note
    assert "raised the priority to P2" in sla_events(ticket, "sla_breach")[0].note
    # The resolution clock was re-targeted to P2 (4 h around the clock) without losing its 31 minutes.
    assert clocks(ticket)["resolution"].due_at == sh(2026, 11, 23, 13)


@pytest.mark.django_db
def test_a_breached_escalation_target_escalates_to_the_categorys_group(ticket, network_group, alice, agent1):
    from itdesk.tickets.models import Category

    Category.objects.filter(code="network").update(default_group=network_group)
    services.update_ticket(
        ticket=ticket, actor=None, changes={"category": Category.objects.get(code="network")}
    )
    Policy.objects.update(breach_escalate=True)
    watch(sh(2026, 11, 23, 10, 1))  # the escalation target (1 working hour) is breached
    # The response target breaches in the same pass and its actions escalate first; the escalation
    # target then stops (late) and is recorded as breached: the ticket is escalated once.
    notes = [e.note for e in sla_events(ticket, "sla_breach")]
    assert sum("escalated to Network" in note for note in notes) == 1
    ticket.refresh_from_db()
    assert ticket.status == "escalated" and ticket.group == network_group
    assert ticket.events.filter(kind="status", new_value="escalated").count() == 1
    move = ticket.events.filter(kind="status").last()
    assert move.actor is None and move.new_value == "escalated"
    from itdesk.tickets import selectors

    # The desk sees ITDesk's own handover note (no author); the requester sees the move, not the note.
    [handover] = [c for c in selectors.comments_for(agent1, ticket) if c.internal]
    assert handover.author is None and "Escalated automatically" in handover.body
    assert not [c for c in selectors.comments_for(alice, ticket) if "Escalated automatically" in c.body]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_record_each_breach_once(alice, agent1, lead1, service_desk):
    service_desk.lead = lead1
    service_desk.save()
    with at(MONDAY_9):
        tickets = [
            services.create_ticket(actor=alice, title=f"VPN {i}", description="down") for i in range(5)
        ]
    moment = sh(2026, 11, 23, 9, 31)  # every response target breached
    barrier, reports, errors = threading.Barrier(2), [], []

    def worker():
        try:
            barrier.wait()
            reports.append(run_watcher(now=moment))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    with at(moment):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors, errors
    assert sum(report.breaches for report in reports) == 5
    for ticket in tickets:
        assert len(sla_events(ticket, "sla_breach")) == 1
        # No one assigned yet: the group's address and its lead, once each.
        messages = OutboxMessage.objects.filter(ticket_id=ticket.pk, dedupe_key__startswith="sla:")
        assert sorted(messages.values_list("recipient", flat=True)) == [lead1.email, service_desk.email]
