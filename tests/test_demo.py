"""`itdesk demo`: the demo organisation, its seven logins and tickets in every state, idempotently."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from itdesk.accounts.models import Department, Membership, SupportGroup, User
from itdesk.notifications.models import OutboxMessage
from itdesk.tickets.choices import Status
from itdesk.tickets.models import Category, Comment, Ticket, TicketEvent

DEMO_USERS = {
    "admin": "admin",
    "agent1": "agent",
    "agent2": "agent",
    "lead1": "lead",
    "manager1": "approver",
    "alice": "requester",
    "bob": "requester",
}


def run_demo(*args):
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def printed_passwords(output):
    """The username -> password pairs of the printed login table."""
    pairs = {}
    for line in output.splitlines():
        match = re.match(r"^\s+(\S+)\s.*\s(\S+)$", line)
        if match and match.group(1) in DEMO_USERS:
            pairs[match.group(1)] = match.group(2)
    return pairs


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Department, SupportGroup, Membership, User, Ticket, TicketEvent, Comment, OutboxMessage)
    }


@pytest.mark.django_db
def test_demo_creates_the_seven_logins_with_their_roles_and_groups():
    run_demo("--password", "demo-Pass-123")

    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS)}
    assert {name: u.role for name, u in users.items()} == DEMO_USERS
    assert users["admin"].is_staff and users["admin"].is_superuser
    assert not any(users[name].is_staff for name in DEMO_USERS if name != "admin")
    assert users["alice"].display_name == "王小丽" and users["alice"].language == "zh-hans"
    assert users["bob"].language == "en"
    assert users["alice"].department != users["bob"].department
    assert all(u.email.endswith("@example.com") and u.employee_id and u.phone for u in users.values())

    service_desk = SupportGroup.objects.get(code="service-desk")
    assert service_desk.is_first_line and service_desk.lead == users["lead1"]
    assert Membership.objects.get(user=users["agent1"], group=service_desk).tier == "L1"
    assert Membership.objects.get(user=users["agent2"], group__code="network").tier == "L2"
    assert Membership.objects.get(user=users["lead1"], group=service_desk).tier == "L3"
    assert Category.objects.get(code="network-vpn").default_group.code == "network"
    assert Department.objects.get(code="finance").parent.code == "hq"


@pytest.mark.django_db
def test_demo_tickets_cover_every_state_with_a_consistent_history():
    output = run_demo("--password", "demo-Pass-123")

    tickets = Ticket.objects.filter(requester__username__in=["alice", "bob"])
    assert 30 <= tickets.count() <= 40
    assert set(tickets.values_list("status", flat=True)) == set(Status.values)
    assert f"Tickets created: {tickets.count()}" in output
    assert tickets.filter(priority__code="P1").exists()
    assert Comment.objects.filter(internal=True).exists() and Comment.objects.filter(internal=False).exists()
    assert TicketEvent.objects.filter(field="priority").exclude(note="").exists()
    assert TicketEvent.objects.filter(
        kind="status", new_value="in_progress", actor__username="manager1"
    ).exists()

    now = timezone.now()
    for ticket in tickets:
        # What people did, in the order they did it; SLA entries are the system's and dated by their clock.
        events = list(ticket.events.exclude(kind__startswith="sla_").order_by("id"))
        assert events[0].kind == "created" and events[0].created_at == ticket.created_at
        times = [event.created_at for event in events]
        assert times == sorted(times) and times[-1] <= now, ticket.title
        assert times[-1] <= ticket.updated_at, ticket.title
    for breach in TicketEvent.objects.filter(kind="sla_breach"):
        clock = breach.ticket.sla_clocks.get(kind=breach.field)
        assert breach.created_at == clock.due_at == clock.breached_at
    # Back-dated over weeks, so queues and reports look lived-in.
    oldest = tickets.order_by("created_at").first()
    assert (now - oldest.created_at).days >= 14


@pytest.mark.django_db
def test_running_the_demo_twice_changes_nothing():
    first_output = run_demo()
    before = counts()

    second_output = run_demo()

    assert counts() == before
    assert "already exist" in second_output
    assert printed_passwords(first_output).keys() == set(DEMO_USERS)
    assert set(printed_passwords(second_output).values()) == {"(unchanged)"}


@pytest.mark.django_db
def test_password_option_sets_every_demo_login(client):
    run_demo()
    run_demo("--password", "Shared-demo-42")

    for username in DEMO_USERS:
        assert client.login(username=username, password="Shared-demo-42"), username
        client.logout()


@pytest.mark.django_db
def test_printed_random_passwords_let_each_account_sign_in(client):
    passwords = printed_passwords(run_demo())

    assert passwords.keys() == set(DEMO_USERS)
    assert len(set(passwords.values())) == len(DEMO_USERS)
    for username, password in passwords.items():
        assert len(password) >= 12
        assert client.login(username=username, password=password), username
        client.logout()
    assert not client.login(username="alice", password="wrong-password")
