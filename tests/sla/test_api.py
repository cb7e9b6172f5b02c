"""SLA in the REST API: the ticket detail's `sla` list, /tickets/{number}/sla/, ordering=breach."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from itdesk.tickets import services
from tests.sla.helpers import at, sh

pytestmark = pytest.mark.django_db
TICKETS = "/api/v1/tickets/"


@pytest.fixture
def client_for():
    def make(user):
        token, _created = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def ticket(alice, service_desk):
    with at(sh(2026, 11, 20, 17, 30)):  # Friday evening, P3
        return services.create_ticket(actor=alice, title="Printer jam", description="E05")


def test_the_ticket_detail_carries_each_targets_clock(ticket, agent1, client_for):
    with at(sh(2026, 11, 23, 10)):  # Monday 10:00: 1.5 of the 8 working hours used
        body = client_for(agent1).get(f"{TICKETS}{ticket.number}/").json()
    sla = {clock["kind"]: clock for clock in body["sla"]}
    assert list(sla) == ["response", "escalation", "resolution"]
    resolution = sla["resolution"]
    assert resolution["state"] == "running" and resolution["state_label"] == "Running"
    assert resolution["due_at"] == "2026-11-23T18:00:00+08:00"
    assert resolution["remaining_seconds"] == 6.5 * 3600
    assert resolution["elapsed_seconds"] == 1.5 * 3600 and resolution["target_seconds"] == 8 * 3600
    assert resolution["calendar"] == "China working hours" and resolution["policy"] == "Standard"
    assert resolution["explanation"].startswith("Target 8 hours on “China working hours” (Asia/Shanghai)")
    assert "Sat November 21 – Sun November 22: days off, not counted" in resolution["explanation_steps"]
    assert sla["response"]["state"] == "breached" and sla["response"]["remaining_seconds"] < 0
    assert sla["escalation"]["state"] == "breached"


def test_the_sla_endpoint_shows_a_requester_only_response_and_resolution(
    ticket, alice, bob, agent1, client_for
):
    with at(sh(2026, 11, 20, 17, 40)):
        mine = client_for(alice).get(f"{TICKETS}{ticket.number}/sla/")
        desk = client_for(agent1).get(f"{TICKETS}{ticket.number}/sla/")
        other = client_for(bob).get(f"{TICKETS}{ticket.number}/sla/")
    assert [clock["kind"] for clock in mine.json()] == ["response", "resolution"]
    assert [clock["kind"] for clock in desk.json()] == ["response", "escalation", "resolution"]
    assert desk.json()[0]["state"] == "running" and desk.json()[0]["remaining_seconds"] == 20 * 60
    assert other.status_code == 404 and other.json()["code"] == "not_found"


def test_the_explanation_follows_the_callers_language(ticket, agent1, client_for):
    with at(sh(2026, 11, 23, 10)):
        body = client_for(agent1).get(f"{TICKETS}{ticket.number}/sla/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert "星期五" in body[0]["explanation"]  # Friday, in Django's own Chinese


def test_a_paused_clock_is_reported_paused_with_its_time_left(ticket, agent1, client_for):
    with at(sh(2026, 11, 23, 9)):
        services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
        services.transition_ticket(ticket=ticket, actor=agent1, to="waiting_on_requester", note="Model?")
    with at(sh(2026, 11, 24, 15)):
        [resolution] = [
            c
            for c in client_for(agent1).get(f"{TICKETS}{ticket.number}/sla/").json()
            if c["kind"] == "resolution"
        ]
    assert resolution["state"] == "paused"
    assert resolution["remaining_seconds"] == 7.5 * 3600  # 30 min used on Friday, frozen since Monday 09:00
    # If it resumed now: 15:00-18:00 today, then 09:00-12:00 and 13:30-15:00 on Wednesday.
    assert resolution["due_at"] == "2026-11-25T15:00:00+08:00"


def test_the_list_orders_by_time_to_breach(alice, agent1, service_desk, client_for):
    with at(sh(2026, 11, 23, 9)):
        services.create_ticket(actor=alice, title="later", description="P4", impact=3, urgency=3)
        services.create_ticket(actor=alice, title="sooner", description="P3")
        done = services.create_ticket(actor=alice, title="done", description="P3")
        services.transition_ticket(ticket=done, actor=agent1, to="diagnosing")
        services.transition_ticket(ticket=done, actor=agent1, to="resolved", resolution="fixed")
    with at(sh(2026, 11, 23, 8)):
        services.create_ticket(actor=alice, title="overdue", description="P1", impact=1, urgency=1)
    with at(sh(2026, 11, 23, 9, 10)):
        rows = client_for(agent1).get(TICKETS, {"ordering": "breach"}).json()["results"]
    assert [row["title"] for row in rows] == ["overdue", "sooner", "later", "done"]
    assert "sla" not in rows[0]  # the list stays one query per page; the detail carries the clocks
