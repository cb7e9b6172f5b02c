"""Walking a ticket through the standard process with the transition endpoint."""

import pytest

from .helpers import create, ticket_url


def _move(client, number, **body):
    return client.post(ticket_url(number, "transition/"), body, format="json")


@pytest.mark.django_db
def test_the_standard_process_end_to_end(alice, agent1, agent2, network_group, client_for):
    requester, first_line, specialist = client_for(alice), client_for(agent1), client_for(agent2)
    number = create(requester, title="VPN fails", description="Since 9am")["number"]

    response = _move(first_line, number, to="acknowledged")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "acknowledged"
    assert body["assignee"]["username"] == "agent1"  # taking the first step takes the ticket
    assert body["version"] == 2 and response["ETag"] == '"2"'

    assert _move(first_line, number, to="diagnosing", version=2).json()["status"] == "diagnosing"

    response = _move(first_line, number, to="escalated", group="network", note="Tunnel drops: network side")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "escalated"
    assert body["group"] == {"code": "network", "name": "Network"}
    assert body["assignee"] is None

    response = _move(specialist, number, to="resolved", resolution="Renewed the VPN certificate")
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert response.json()["resolution"] == "Renewed the VPN certificate"

    # Alice is offered what she may do now: confirm, or reopen with a reason.
    offered = {move["to"]: move for move in requester.get(ticket_url(number)).json()["allowed_transitions"]}
    assert offered["closed"]["action"] == "confirm"
    assert offered["diagnosing"]["needs"] == ["note"]

    response = _move(requester, number, to="closed")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert response.json()["closed_at"]
    assert response.json()["allowed_transitions"] == []

    desk_timeline = first_line.get(ticket_url(number, "events/")).json()["results"]
    statuses = [e["new_value"] for e in desk_timeline if e["kind"] == "status"]
    assert statuses == ["acknowledged", "diagnosing", "escalated", "resolved", "closed"]
    escalation = [e for e in desk_timeline if e["new_value"] == "escalated"][0]
    assert escalation["actor"]["username"] == "agent1" and escalation["note"] == ""
    # The handover note is an internal note beside the move: the desk sees it, the requester does not.
    handover = [e for e in desk_timeline if e["kind"] == "note"]
    assert "Tunnel drops: network side" in str(handover)
    timeline = requester.get(ticket_url(number, "events/")).json()["results"]
    assert "Tunnel drops: network side" not in str(timeline)
    assert [e["new_value"] for e in timeline if e["kind"] == "status"] == statuses


@pytest.mark.django_db
def test_an_illegal_move_is_409_invalid_transition(alice, agent1, client_for):
    number = create(client_for(alice))["number"]
    response = _move(client_for(agent1), number, to="closed", note="done")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert client_for(alice).get(ticket_url(number)).json()["status"] == "new"


@pytest.mark.django_db
def test_a_requester_cannot_resolve_403_transition_not_permitted(alice, agent1, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    _move(client_for(agent1), number, to="diagnosing")
    response = _move(client, number, to="resolved", resolution="I fixed it myself")
    assert response.status_code == 403
    assert response.json()["code"] == "transition_not_permitted"
    assert client.get(ticket_url(number)).json()["status"] == "diagnosing"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,body,code",
    [
        (["diagnosing"], {"to": "resolved"}, "resolution_required"),
        (["diagnosing"], {"to": "escalated", "note": "needs network"}, "group_required"),
        (["diagnosing"], {"to": "escalated", "group": "network"}, "note_required"),
        (["diagnosing"], {"to": "waiting_on_requester"}, "note_required"),
        ([], {"to": "cancelled"}, "reason_required"),
    ],
)
def test_a_missing_requirement_is_400_with_its_code(
    alice, agent1, network_group, client_for, path, body, code
):
    number = create(client_for(alice))["number"]
    desk = client_for(agent1)
    for status in path:
        assert _move(desk, number, to=status).status_code == 200
    response = _move(desk, number, **body)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["fields"]


@pytest.mark.django_db
def test_an_unknown_status_is_invalid_input(alice, agent1, client_for):
    number = create(client_for(alice))["number"]
    response = _move(client_for(agent1), number, to="flying")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "to" in response.json()["fields"]


@pytest.mark.django_db
def test_a_stale_version_on_a_move_is_409(alice, agent1, client_for):
    number = create(client_for(alice))["number"]
    desk = client_for(agent1)
    assert _move(desk, number, to="acknowledged", version=1).status_code == 200
    response = _move(desk, number, to="diagnosing", version=1)
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    response = desk.post(
        ticket_url(number, "transition/"), {"to": "diagnosing"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert desk.get(ticket_url(number)).json()["status"] == "acknowledged"


@pytest.mark.django_db
def test_a_requester_cannot_reassign_while_moving(alice, agent1, agent2, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    response = _move(client, number, to="cancelled", note="Not needed", assignee="agent2")
    assert response.status_code == 403
    assert response.json()["code"] == "field_not_allowed"
    assert client.get(ticket_url(number)).json()["status"] == "new"


@pytest.mark.django_db
def test_a_requester_cancels_her_request_with_a_reason(alice, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    response = _move(client, number, to="cancelled", note="It works again")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    # A closed ticket can no longer be changed.
    response = client.patch(
        ticket_url(number), {"title": "x", "version": response.json()["version"]}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "ticket_closed"
