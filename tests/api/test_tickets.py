"""Creating, reading, listing and changing tickets through the API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from itdesk.tickets import services
from itdesk.tickets.models import Category, Ticket

from .helpers import TICKETS, create, ticket_url


@pytest.mark.django_db
def test_a_requester_creates_a_ticket_with_only_a_title_and_a_description(alice, client_for, service_desk):
    client = client_for(alice)
    response = client.post(TICKETS, {"title": "VPN fails", "description": "Since 9am"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["number"].startswith("IT")
    assert body["status"] == "new"
    assert body["version"] == 1
    assert body["priority"] == {"code": "P3", "label": "Medium"}
    assert body["group"] == {"code": "service-desk", "name": "Service desk"}
    assert body["requester"] == {"username": "alice", "name": "Alice Wang"}
    assert body["assignee"] is None
    assert body["channel"] == "api"
    assert body["contact_phone"] == "13800000001"
    assert response["ETag"] == '"1"'
    assert response["Location"].endswith(ticket_url(body["number"]))
    # A requester can cancel her own new request; nothing else.
    assert [move["to"] for move in body["allowed_transitions"]] == ["cancelled"]
    assert body["allowed_transitions"][0]["needs"] == ["note"]


@pytest.mark.django_db
def test_a_requester_may_describe_the_problem_in_detail(alice, client_for):
    body = create(
        client_for(alice),
        category="network-vpn",
        impact=1,
        urgency=1,
        contact_email="alice.home@example.test",
        started_at="2025-03-03T09:00:00+08:00",
        impact_scope="The whole sales team",
        tried="Restarted the laptop",
        device_model="ThinkPad X1",
        os_version="Windows 11 23H2",
        software_version="FortiClient 7.2",
    )
    assert body["category"]["code"] == "network-vpn"
    assert body["priority"]["code"] == "P1"  # high impact x high urgency
    assert body["tried"] == "Restarted the laptop"
    assert body["started_at"].startswith("2025-03-03T09:00:00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field,value",
    [
        ("priority", "P1"),
        ("assignee", "agent1"),
        ("group", "network"),
        ("channel", "phone"),
        ("requester", "bob"),
    ],
)
def test_a_requester_cannot_set_desk_fields(alice, bob, agent1, network_group, client_for, field, value):
    response = client_for(alice).post(
        TICKETS, {"title": "Urgent!", "description": "Please hurry", field: value}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "field_not_allowed"
    assert response.json()["fields"] == [field]
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_the_desk_registers_a_request_on_behalf_of_a_requester(
    alice, agent1, agent2, network_group, client_for
):
    body = create(
        client_for(agent1),
        requester="alice",
        channel="phone",
        priority="P2",
        group="network",
        assignee="agent2",
    )
    assert body["requester"]["username"] == "alice"
    assert body["channel"] == "phone"
    assert body["priority"]["code"] == "P2"
    assert body["group"]["code"] == "network"
    assert body["assignee"] == {"username": "agent2", "name": "Agent2"}
    # Alice sees it as hers.
    assert client_for(alice).get(ticket_url(body["number"])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field,value", [("priority", "P9"), ("group", "no-such-group"), ("assignee", "nobody"), ("impact", 7)]
)
def test_unknown_codes_are_invalid_input(agent1, client_for, field, value):
    response = client_for(agent1).post(
        TICKETS, {"title": "t", "description": "d", field: value}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


@pytest.mark.django_db
def test_category_codes_come_from_the_intake_cache_and_follow_the_admins_changes(alice, client_for):
    client = client_for(alice)
    create(client, category="network-vpn")  # fills the process cache
    with CaptureQueriesContext(connection) as queries:
        body = create(client, category="network-wifi")
    assert body["category"]["code"] == "network-wifi"
    assert not [q for q in queries if '"tickets_category"' in q["sql"]]

    # Retired in the admin: the next request is refused at once, in this process too.
    wifi = Category.objects.get(code="network-wifi")
    wifi.is_active = False
    wifi.save()
    response = client.post(
        TICKETS, {"title": "t", "description": "d", "category": "network-wifi"}, format="json"
    )
    assert response.status_code == 400
    assert "category" in response.json()["fields"]
    # Added in the admin: usable straight away.
    Category.objects.create(code="network-5g", name_en="5G", name_zh="5G")
    assert create(client, category="network-5g")["category"]["code"] == "network-5g"
    response = client.post(TICKETS, {"title": "t", "description": "d", "category": "no-such"}, format="json")
    assert response.status_code == 400 and response.json()["fields"]["category"]


@pytest.mark.django_db
def test_a_missing_title_is_reported_by_field(alice, client_for):
    response = client_for(alice).post(TICKETS, {"description": "d"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "title" in response.json()["fields"]


@pytest.mark.django_db
def test_assigning_a_requester_is_refused_by_the_service(agent1, bob, client_for):
    response = client_for(agent1).post(
        TICKETS, {"title": "t", "description": "d", "assignee": "bob"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["fields"]["assignee"]


@pytest.mark.django_db
def test_another_requesters_ticket_does_not_exist_for_alice(alice, bobs_ticket, client_for):
    client = client_for(alice)
    number = bobs_ticket.number
    for method, tail, data in [
        ("get", "", None),
        ("patch", "", {"title": "mine now", "version": 1}),
        ("get", "comments/", None),
        ("post", "comments/", {"body": "hello"}),
        ("get", "events/", None),
        ("get", "attachments/", None),
        ("post", "transition/", {"to": "cancelled", "note": "not needed"}),
    ]:
        response = getattr(client, method)(ticket_url(number, tail), data, format="json")
        assert response.status_code == 404, (method, tail)
        assert response.json()["code"] == "not_found"
    assert client.get(TICKETS).json()["count"] == 0
    assert client.get(TICKETS, {"requester": "bob"}).json()["count"] == 0
    bobs_ticket.refresh_from_db()
    assert bobs_ticket.title == "Bob's printer" and bobs_ticket.status == "new"


@pytest.mark.django_db
def test_an_unknown_number_is_404(agent1, client_for):
    response = client_for(agent1).get(ticket_url("IT000"))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# ---------------------------------------------------------------- list, filters, ordering


@pytest.fixture
def mixed_tickets(alice, bob, agent1, agent2, network_group):
    """Four tickets that differ in status, priority, category, group, assignee and requester."""
    vpn = Category.objects.get(code="network-vpn")
    printer = Category.objects.get(code="hardware-printer")
    new = services.create_ticket(actor=alice, title="new one", description="d", category=printer)
    acked = services.create_ticket(actor=alice, title="acked", description="d", impact=1, urgency=1)
    services.transition_ticket(ticket=acked, actor=agent1, to="acknowledged")
    escalated = services.create_ticket(actor=bob, title="escalated", description="d", category=vpn)
    services.transition_ticket(
        ticket=escalated, actor=agent1, to="escalated", group=network_group, assignee=agent2, note="network"
    )
    resolved = services.create_ticket(actor=bob, title="resolved", description="d")
    services.transition_ticket(ticket=resolved, actor=agent1, to="diagnosing")
    services.transition_ticket(ticket=resolved, actor=agent1, to="resolved", resolution="done")
    return {"new": new, "acked": acked, "escalated": escalated, "resolved": resolved}


def _titles(client, **params):
    response = client.get(TICKETS, params)
    assert response.status_code == 200, response.json()
    return sorted(row["title"] for row in response.json()["results"])


@pytest.mark.django_db
def test_list_filters(mixed_tickets, agent1, agent2, client_for):
    client = client_for(agent1)
    assert _titles(client) == ["acked", "escalated", "new one", "resolved"]
    assert _titles(client, status="new") == ["new one"]
    assert _titles(client, status="new,acknowledged") == ["acked", "new one"]
    assert client.get(f"{TICKETS}?status=new&status=resolved").json()["count"] == 2
    assert _titles(client, priority="P1") == ["acked"]
    assert _titles(client, category="network-vpn") == ["escalated"]
    assert _titles(client, group="network") == ["escalated"]
    assert _titles(client, group="service-desk") == ["acked", "new one", "resolved"]
    assert _titles(client, assignee="agent2") == ["escalated"]
    assert _titles(client, requester="bob") == ["escalated", "resolved"]
    assert _titles(client, requester="bob", status="resolved") == ["resolved"]


@pytest.mark.django_db
def test_list_queues(mixed_tickets, agent1, agent2, client_for):
    assert _titles(client_for(agent1), queue="new") == ["new one"]
    assert _titles(client_for(agent1), queue="mine") == ["acked"]  # resolved is no longer active
    assert _titles(client_for(agent2), queue="mine") == ["escalated"]
    assert _titles(client_for(agent2), queue="group") == ["escalated"]
    assert _titles(client_for(agent1), queue="group") == ["acked", "new one"]
    assert _titles(client_for(agent1), queue="open") == ["acked", "escalated", "new one"]
    assert _titles(client_for(agent1), queue="all") == ["acked", "escalated", "new one", "resolved"]


@pytest.mark.django_db
def test_bad_filter_values_are_invalid_input(agent1, client_for):
    client = client_for(agent1)
    for params in ({"queue": "everything"}, {"status": "new,flying"}, {"ordering": "title"}):
        response = client.get(TICKETS, params)
        assert response.status_code == 400, params
        assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_a_requester_lists_only_her_own_tickets(mixed_tickets, alice, client_for):
    assert _titles(client_for(alice)) == ["acked", "new one"]
    assert _titles(client_for(alice), queue="open") == ["acked", "new one"]


@pytest.mark.django_db
def test_list_ordering(mixed_tickets, agent1, client_for):
    client = client_for(agent1)
    newest_first = [row["title"] for row in client.get(TICKETS).json()["results"]]
    assert newest_first == ["resolved", "escalated", "acked", "new one"]
    oldest_first = [row["title"] for row in client.get(TICKETS, {"ordering": "created_at"}).json()["results"]]
    assert oldest_first == newest_first[::-1]
    by_priority = [
        row["priority"]["code"] for row in client.get(TICKETS, {"ordering": "priority"}).json()["results"]
    ]
    assert by_priority == sorted(by_priority) and by_priority[0] == "P1"
    services.update_ticket(ticket=mixed_tickets["new"], actor=agent1, changes={"title": "new one, edited"})
    recently_changed = client.get(TICKETS, {"ordering": "-updated_at"}).json()["results"]
    assert recently_changed[0]["title"] == "new one, edited"


@pytest.mark.django_db
def test_list_pages(alice, client_for):
    for index in range(5):
        services.create_ticket(actor=alice, title=f"t{index}", description="d")
    client = client_for(alice)
    first = client.get(TICKETS, {"page_size": 2}).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["next"]
    third = client.get(TICKETS, {"page_size": 2, "page": 3}).json()
    assert [row["title"] for row in third["results"]] == ["t0"]


def _make_tickets(count, requesters, agents, groups):
    categories = list(Category.objects.all()[:5])
    for index in range(count):
        ticket = services.create_ticket(
            actor=agents[index % len(agents)],
            requester=requesters[index % len(requesters)],
            title=f"ticket {index}",
            description="d",
            category=categories[index % len(categories)],
            group=groups[index % len(groups)],
            assignee=agents[index % len(agents)],
        )
        services.add_comment(ticket=ticket, actor=requesters[index % len(requesters)], body="more detail")


def _list_queries(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(TICKETS, {"page_size": 100, **params})
    assert response.status_code == 200
    return len(queries), response.json()["count"]


@pytest.mark.django_db
@pytest.mark.parametrize("queue", ["all", "open", "group", "mine"])
def test_a_list_page_costs_the_same_queries_for_3_or_30_tickets(
    alice, bob, agent1, lead1, service_desk, network_group, client_for, queue
):
    agents, groups = [agent1, lead1], [service_desk, network_group]
    desk = client_for(agent1)
    desk.get(TICKETS)  # the token's first use reads it from the database; later ones do not
    _make_tickets(3, [alice, bob], agents, groups)
    few, few_count = _list_queries(desk, queue=queue, ordering="priority")
    _make_tickets(27, [alice, bob], agents, groups)
    many, many_count = _list_queries(desk, queue=queue, ordering="priority")
    assert many_count > few_count
    assert many == few
    assert many <= 3  # the accounts' version (for the remembered token), count, page


@pytest.mark.django_db
def test_a_requesters_list_page_costs_the_same_queries_for_3_or_30_tickets(
    alice, agent1, service_desk, client_for, django_assert_max_num_queries
):
    client = client_for(alice)
    _make_tickets(3, [alice], [agent1], [service_desk])
    few, _count = _list_queries(client)
    _make_tickets(27, [alice], [agent1], [service_desk])
    with django_assert_max_num_queries(few):
        assert client.get(TICKETS, {"page_size": 100}).json()["count"] == 30


# ---------------------------------------------------------------- detail and changes


@pytest.mark.django_db
def test_the_detail_carries_the_version_as_etag(alice, agent1, client_for):
    number = create(client_for(alice))["number"]
    response = client_for(agent1).get(ticket_url(number))
    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    assert body["version"] == 1
    moves = {move["to"]: move for move in body["allowed_transitions"]}
    assert set(moves) == {"acknowledged", "diagnosing", "escalated", "cancelled"}
    assert moves["escalated"]["needs"] == ["group", "note"]
    assert moves["acknowledged"] == {
        "to": "acknowledged",
        "action": "acknowledge",
        "label": "Acknowledge",
        "needs": [],
    }


@pytest.mark.django_db
def test_patch_with_the_version_read_in_the_body(alice, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    response = client.patch(ticket_url(number), {"title": "VPN fails on Wi-Fi", "version": 1}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "VPN fails on Wi-Fi"
    assert response.json()["version"] == 2
    assert response["ETag"] == '"2"'


@pytest.mark.django_db
def test_patch_with_if_match(alice, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    etag = client.get(ticket_url(number))["ETag"]
    response = client.patch(ticket_url(number), {"tried": "Rebooted"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["tried"] == "Rebooted"
    assert response["ETag"] == '"2"'


@pytest.mark.django_db
def test_a_stale_version_in_the_body_is_409(alice, agent1, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    client_for(agent1).patch(ticket_url(number), {"urgency": 1, "version": 1}, format="json")
    response = client.patch(ticket_url(number), {"title": "overwrite", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert response.json()["current_version"] == 2
    assert client.get(ticket_url(number)).json()["title"] == "VPN fails"


@pytest.mark.django_db
def test_a_stale_if_match_is_409(alice, agent1, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    client_for(agent1).patch(ticket_url(number), {"urgency": 1}, format="json", HTTP_IF_MATCH='"1"')
    response = client.patch(ticket_url(number), {"title": "overwrite"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert client.get(ticket_url(number)).json()["title"] == "VPN fails"


@pytest.mark.django_db
def test_body_version_and_if_match_must_agree(alice, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    response = client.patch(
        ticket_url(number), {"title": "x", "version": 1}, format="json", HTTP_IF_MATCH='"7"'
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"


@pytest.mark.django_db
@pytest.mark.parametrize("if_match", [None, "*"])
def test_patch_without_a_version_is_428(alice, client_for, if_match):
    client = client_for(alice)
    number = create(client)["number"]
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    response = client.patch(ticket_url(number), {"title": "blind write"}, format="json", **headers)
    assert response.status_code == 428
    assert response.json()["code"] == "version_required"
    assert client.get(ticket_url(number)).json()["title"] == "VPN fails"


@pytest.mark.django_db
def test_a_malformed_if_match_is_invalid(alice, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    response = client.patch(ticket_url(number), {"title": "x"}, format="json", HTTP_IF_MATCH="yesterday")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_a_requester_cannot_change_desk_fields(alice, agent1, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    for field, value in [("priority", "P1"), ("assignee", "agent1"), ("group", "service-desk")]:
        response = client.patch(ticket_url(number), {field: value, "version": 1}, format="json")
        assert response.status_code == 403, field
        assert response.json()["code"] == "field_not_allowed"
    assert client.get(ticket_url(number)).json()["priority"]["code"] == "P3"


@pytest.mark.django_db
def test_changing_the_priority_needs_a_reason(alice, agent1, client_for):
    number = create(client_for(alice))["number"]
    desk = client_for(agent1)
    response = desk.patch(ticket_url(number), {"priority": "P1", "version": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    response = desk.patch(
        ticket_url(number), {"priority": "P1", "reason": "The CEO is affected", "version": 1}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["priority"] == {"code": "P1", "label": "Critical"}
    events = client_for(alice).get(ticket_url(number, "events/")).json()["results"]
    change = [e for e in events if e["field"] == "priority"][0]
    assert (change["old_value"], change["new_value"], change["note"]) == ("P3", "P1", "The CEO is affected")


@pytest.mark.django_db
def test_put_is_not_offered(alice, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    response = client.put(ticket_url(number), {"title": "x", "description": "y"}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.django_db
def test_a_body_that_is_not_an_object_is_invalid(alice, client_for):
    response = client_for(alice).post(TICKETS, ["title", "description"], format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.django_db
def test_a_write_may_ask_for_a_minimal_answer(alice, agent1, client_for):
    """`Prefer: return=minimal` (RFC 7240): the number, version, status and URL, and the ticket is there."""
    client = client_for(alice)
    response = client.post(
        TICKETS,
        {"title": "Printer jam", "description": "Floor 3"},
        format="json",
        HTTP_PREFER="return=minimal",
    )
    assert response.status_code == 201
    assert response["Preference-Applied"] == "return=minimal"
    body = response.json()
    assert set(body) == {"number", "version", "status", "url"}
    assert body["status"] == "new" and body["version"] == 1
    assert response["Location"].endswith(ticket_url(body["number"]))
    assert response["ETag"] == '"1"'
    full = client.get(ticket_url(body["number"])).json()
    assert full["title"] == "Printer jam"
    assert full["sla"], "the clocks were computed as for any other ticket"

    changed = client_for(agent1).patch(
        ticket_url(body["number"]),
        {"impact": 2, "version": 1},
        format="json",
        HTTP_PREFER="return=minimal",
    )
    assert changed.status_code == 200
    assert changed.json()["version"] == 2 and "title" not in changed.json()


SAME_AFTERWARDS = ("kind", "state", "due_at", "warn_at", "started_at", "target_seconds", "calendar", "policy")


@pytest.mark.django_db
@pytest.mark.parametrize("creator", ["alice", "agent1"])
def test_the_answer_to_a_create_shows_the_clocks_it_just_started_without_reading_them_back(
    creator, alice, agent1, client_for, service_desk
):
    client = client_for(alice if creator == "alice" else agent1)
    data = {"title": "VPN fails", "description": "Since 9am"}
    if creator == "agent1":
        data["requester"] = "alice"
    with CaptureQueriesContext(connection) as queries:
        response = client.post(TICKETS, data, format="json")
    assert response.status_code == 201, response.json()
    reads = [q["sql"] for q in queries if "sla_ticketclock" in q["sql"] and not q["sql"].startswith("INSERT")]
    assert reads == []
    answered = response.json()["sla"]
    shown = client.get(ticket_url(response.json()["number"])).json()["sla"]
    assert [[clock[key] for key in SAME_AFTERWARDS] for clock in answered] == [
        [clock[key] for key in SAME_AFTERWARDS] for clock in shown
    ]
    kinds = [clock["kind"] for clock in answered]
    # The requester is shown when she will hear back and when it will be solved; the desk sees every clock.
    assert kinds == (
        ["response", "resolution"] if creator == "alice" else ["response", "escalation", "resolution"]
    )


@pytest.mark.django_db
def test_list_counts_are_exact_below_the_threshold_and_remembered_above(
    alice, bob, agent1, client_for, settings
):
    settings.ITDESK_EXACT_COUNT_BELOW = 3
    for title in ("Printer jam", "VPN error 809", "Outlook stuck"):
        services.create_ticket(actor=alice, title=title, description="…")
    services.create_ticket(actor=bob, title="Bob's monitor", description="…")
    desk, bobs = client_for(agent1), client_for(bob)
    assert desk.get(TICKETS, {"queue": "open"}).json()["count"] == 4
    assert bobs.get(TICKETS).json()["count"] == 1
    services.create_ticket(actor=bob, title="Bob's keyboard", description="…")
    assert desk.get(TICKETS, {"queue": "open"}).json()["count"] == 4  # large: a few seconds old at most
    assert desk.get(TICKETS, {"queue": "open", "priority": "P3"}).json()["count"] == 5  # another query
    assert bobs.get(TICKETS).json()["count"] == 2  # small: exact every time
    assert len(desk.get(TICKETS, {"queue": "open", "page_size": 50}).json()["results"]) == 5  # rows live
