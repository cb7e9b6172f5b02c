"""Replies, internal notes and the timeline."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from itdesk.tickets import services

from .helpers import create, ticket_url


@pytest.fixture
def conversation(alice, agent1, client_for):
    """A ticket with a public reply and an internal note from the desk, and an answer from alice."""
    number = create(client_for(alice))["number"]
    desk = client_for(agent1)
    reply = desk.post(ticket_url(number, "comments/"), {"body": "Which VPN client?"}, format="json")
    assert reply.status_code == 201
    note = desk.post(
        ticket_url(number, "comments/"),
        {"body": "Probably the expired cert", "internal": True},
        format="json",
    )
    assert note.status_code == 201 and note.json()["internal"] is True
    answer = client_for(alice).post(
        ticket_url(number, "comments/"), {"body": "FortiClient 7.2"}, format="json"
    )
    assert answer.status_code == 201
    assert answer.json()["author"] == {"username": "alice", "name": "Alice Wang"}
    return number


@pytest.mark.django_db
def test_the_desk_sees_replies_and_internal_notes(conversation, agent1, client_for):
    bodies = [
        c["body"] for c in client_for(agent1).get(ticket_url(conversation, "comments/")).json()["results"]
    ]
    assert bodies == ["Which VPN client?", "Probably the expired cert", "FortiClient 7.2"]


@pytest.mark.django_db
def test_a_requester_never_sees_an_internal_note(conversation, alice, client_for):
    client = client_for(alice)
    comments = client.get(ticket_url(conversation, "comments/")).json()
    assert [c["body"] for c in comments["results"]] == ["Which VPN client?", "FortiClient 7.2"]
    assert comments["count"] == 2
    events = client.get(ticket_url(conversation, "events/")).json()["results"]
    assert "Probably the expired cert" not in str(events)
    assert [e["kind"] for e in events] == ["created", "comment", "comment"]
    assert all(e["public"] for e in events)


@pytest.mark.django_db
def test_the_desk_timeline_shows_the_internal_note(conversation, agent1, client_for):
    events = client_for(agent1).get(ticket_url(conversation, "events/")).json()["results"]
    note = [e for e in events if e["kind"] == "note"][0]
    assert note["comment"]["body"] == "Probably the expired cert"
    assert note["public"] is False
    assert note["actor"]["username"] == "agent1"


@pytest.mark.django_db
def test_a_requester_cannot_write_an_internal_note(alice, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    response = client.post(
        ticket_url(number, "comments/"), {"body": "secret", "internal": True}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "field_not_allowed"
    assert client.get(ticket_url(number, "comments/")).json()["count"] == 0


@pytest.mark.django_db
def test_an_empty_comment_is_invalid(alice, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    response = client.post(ticket_url(number, "comments/"), {"body": "   "}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "body" in response.json()["fields"]


@pytest.mark.django_db
def test_a_requesters_answer_resumes_a_ticket_waiting_on_her(alice, agent1, client_for):
    client = client_for(alice)
    number = create(client)["number"]
    desk = client_for(agent1)
    desk.post(ticket_url(number, "transition/"), {"to": "diagnosing"}, format="json")
    desk.post(
        ticket_url(number, "transition/"),
        {"to": "waiting_on_requester", "note": "Which client?"},
        format="json",
    )
    client.post(ticket_url(number, "comments/"), {"body": "FortiClient"}, format="json")
    assert client.get(ticket_url(number)).json()["status"] == "diagnosing"


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
@pytest.mark.parametrize("tail", ["comments/", "events/", "attachments/"])
def test_comment_event_and_attachment_lists_do_not_query_per_row(alice, agent1, agent2, client_for, tail):
    ticket = services.create_ticket(actor=alice, title="VPN fails", description="Since 9am")
    number = ticket.number

    def add(count):
        for index in range(count):
            author = (alice, agent1, agent2)[index % 3]
            item = services.NewAttachment(filename=f"log{index}.txt", content=b"line\n")
            services.add_comment(ticket=ticket, actor=author, body=f"message {index}", attachments=[item])

    client = client_for(agent1)
    client.get(ticket_url(number))  # the token's first use reads it from the database; later ones do not
    add(3)
    few = _queries(client, ticket_url(number, tail))
    add(27)
    assert _queries(client, ticket_url(number, tail)) == few
    assert few <= 5
