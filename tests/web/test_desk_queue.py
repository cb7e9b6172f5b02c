"""The desk's queues: the right tickets in each, filters, sorting, htmx refresh and a constant query count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from itdesk.tickets import services
from itdesk.tickets.models import Category


def numbers(response) -> list[str]:
    """Ticket numbers in the queue table, in the order shown."""
    return re.findall(r'<tr data-number="([^"]+)"', response.content.decode())


def tab_count(response, queue: str) -> int:
    match = re.search(
        rf'data-queue="{queue}">\s*[^<]*<span class="count">(\d+)</span>', response.content.decode()
    )
    assert match, f"no count on the {queue} tab"
    return int(match.group(1))


@pytest.fixture
def tickets(alice, bob, agent1, agent2, network_group, make_ticket):
    """A small desk: one new, one mine, one in the network group, one closed."""
    fresh = make_ticket(alice, title="Fresh printer jam")
    mine = make_ticket(bob, title="Outlook stuck in outbox", impact=1, urgency=1)
    services.transition_ticket(ticket=mine, actor=agent1, to="acknowledged")  # takes it
    network = make_ticket(alice, title="VPN error 809", category=Category.objects.get(code="network-vpn"))
    services.transition_ticket(ticket=network, actor=agent1, to="diagnosing")
    services.transition_ticket(
        ticket=network, actor=agent1, to="escalated", group=network_group, assignee=agent2, note="Port check"
    )
    done = make_ticket(bob, title="Password reset done")
    services.transition_ticket(ticket=done, actor=agent1, to="cancelled", note="Duplicate")
    return {"fresh": fresh, "mine": mine, "network": network, "done": done}


@pytest.mark.django_db
def test_each_queue_shows_its_tickets_with_counts(client_for, agent1, tickets):
    client = client_for(agent1)
    url = reverse("web:desk")

    new = client.get(url, {"queue": "new"})
    mine = client.get(url, {"queue": "mine"})
    group = client.get(url, {"queue": "group"})
    open_ = client.get(url, {"queue": "open"})
    everything = client.get(url, {"queue": "all"})

    assert numbers(new) == [tickets["fresh"].number]
    assert numbers(mine) == [tickets["mine"].number]
    assert set(numbers(group)) == {tickets["fresh"].number, tickets["mine"].number}  # service desk's
    assert set(numbers(open_)) == {tickets["fresh"].number, tickets["mine"].number, tickets["network"].number}
    assert tickets["done"].number in numbers(everything)
    assert (
        tab_count(new, "new"),
        tab_count(new, "mine"),
        tab_count(new, "group"),
        tab_count(new, "open"),
    ) == (
        1,
        1,
        2,
        3,
    )


@pytest.mark.django_db
def test_the_table_shows_what_an_agent_needs(client_for, agent1, tickets):
    page = client_for(agent1).get(reverse("web:desk"), {"queue": "open"}).content.decode()

    row = page[page.index(f'data-number="{tickets["network"].number}"') :]
    row = row[: row.index("</tr>")]
    assert "VPN error 809" in row and "Alice Wang" in row and "VPN" in row
    assert "Escalated" in row and "Network" in row and "Agent2" in row
    assert "badge-blue" in row and "P3" in row  # P3 is blue, escalated is orange
    assert 'badge-orange" data-status="escalated"' in row


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params,expected",
    [
        ({"status": "escalated"}, ["network"]),
        ({"priority": "P1"}, ["mine"]),
        ({"category": "network"}, ["network"]),  # a parent category finds its sub-categories
        ({"group": "network"}, ["network"]),
        ({"assignee": "agent2"}, ["network"]),
        ({"assignee": "-"}, ["fresh"]),
        ({"q": "outlook"}, ["mine"]),
        ({"status": "escalated", "priority": "P1"}, []),
    ],
)
def test_filters_narrow_the_queue(client_for, agent1, tickets, params, expected):
    response = client_for(agent1).get(reverse("web:desk"), {"queue": "open", **params})

    assert sorted(numbers(response)) == sorted(tickets[name].number for name in expected)
    if not expected:
        assert "No ticket in this queue matches the filters." in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_filter_value_is_ignored(client_for, agent1, tickets):
    response = client_for(agent1).get(
        reverse("web:desk"), {"queue": "open", "priority": "P9", "sort": "bogus"}
    )

    assert response.status_code == 200
    assert len(numbers(response)) == 3


@pytest.mark.django_db
def test_sorting_by_priority_and_by_creation(client_for, agent1, tickets):
    client = client_for(agent1)

    by_priority = numbers(client.get(reverse("web:desk"), {"queue": "open", "sort": "priority"}))
    oldest_first = numbers(client.get(reverse("web:desk"), {"queue": "open", "sort": "created"}))
    newest_first = numbers(client.get(reverse("web:desk"), {"queue": "open", "sort": "-created"}))

    assert by_priority[0] == tickets["mine"].number  # P1
    assert oldest_first == [tickets["fresh"].number, tickets["mine"].number, tickets["network"].number]
    assert newest_first == list(reversed(oldest_first))


@pytest.mark.django_db
def test_htmx_gets_only_the_table(client_for, agent1, tickets):
    response = client_for(agent1).get(
        reverse("web:desk"), {"queue": "open", "status": "new"}, headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert "<html" not in page
    assert 'id="queue-table"' in page and 'hx-swap-oob="true"' in page
    assert numbers(response) == [tickets["fresh"].number]


@pytest.mark.django_db
def test_the_full_page_wires_the_filters_to_htmx(client_for, agent1, tickets):
    page = client_for(agent1).get(reverse("web:desk")).content.decode()

    assert 'hx-target="#queue-table"' in page
    assert "web/vendor/htmx.min.js" in page


@pytest.mark.django_db
def test_the_queue_is_paginated(client_for, agent1, alice, make_ticket):
    made = [make_ticket(alice, title=f"Request {n}") for n in range(30)]
    client = client_for(agent1)

    first = numbers(client.get(reverse("web:desk"), {"queue": "open"}))
    second = numbers(client.get(reverse("web:desk"), {"queue": "open", "page": 2}))

    assert len(first) == 25 and len(second) == 5
    assert set(first) | set(second) == {t.number for t in made}


def _queries_for_queue(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("web:desk"), {"queue": "open", "sort": "priority"})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_a_queue_page_runs_the_same_number_of_queries_for_3_or_25_tickets(
    client_for, agent1, agent2, alice, bob, network_group, make_ticket
):
    client = client_for(agent1)

    def add(count):
        for n in range(count):
            ticket = make_ticket(
                alice if n % 2 else bob, title=f"Ticket {n}", category=Category.objects.first()
            )
            if n % 3 == 0:
                services.transition_ticket(ticket=ticket, actor=agent1, to="acknowledged")
            if n % 3 == 1:
                services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
                services.transition_ticket(
                    ticket=ticket,
                    actor=agent1,
                    to="escalated",
                    group=network_group,
                    assignee=agent2,
                    note="x",
                )

    add(3)
    few = _queries_for_queue(client)
    add(22)
    many = _queries_for_queue(client)

    assert few == many


@pytest.mark.django_db
def test_auditors_read_the_queues(client_for, auditor, tickets):
    response = client_for(auditor).get(reverse("web:desk"), {"queue": "open"})

    assert response.status_code == 200
    assert len(numbers(response)) == 3


@pytest.mark.django_db
def test_a_large_queue_count_is_remembered_briefly_and_small_ones_never(
    client_for, agent1, alice, make_ticket, settings
):
    from django.core.cache import cache

    settings.ITDESK_EXACT_COUNT_BELOW = 3  # "large" from three tickets on, for the test
    client = client_for(agent1)
    url = reverse("web:desk")
    make_ticket(alice, title="Printer jam")
    make_ticket(alice, title="VPN error 809")
    assert tab_count(client.get(url, {"queue": "open"}), "open") == 2  # small: exact every time
    make_ticket(alice, title="Outlook stuck")
    assert tab_count(client.get(url, {"queue": "open"}), "open") == 3  # now large: remembered
    make_ticket(alice, title="Blue screen")
    assert tab_count(client.get(url, {"queue": "open"}), "open") == 3  # up to ITDESK_LARGE_COUNT_SECONDS old
    cache.clear()  # as when those seconds have passed
    assert tab_count(client.get(url, {"queue": "open"}), "open") == 4
