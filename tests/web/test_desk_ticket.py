"""One ticket on the desk: moves as buttons, desk fields with versions, assignment, replies, registration."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from itdesk.tickets import services
from itdesk.tickets.models import Category, Comment, Priority, Ticket


def move(client, ticket, **data):
    return client.post(reverse("web:desk-transition", args=[ticket.number]), data)


def edit_data(ticket, **changes):
    data = {
        "priority": ticket.priority_id,
        "priority_reason": "",
        "category": ticket.category_id or "",
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "group": ticket.group_id or "",
        "assignee": ticket.assignee_id or "",
        "version": ticket.version,
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_ticket_page_shows_the_registration_and_the_full_timeline(client_for, alice, agent1, make_ticket):
    ticket = make_ticket(
        alice, device_model="ThinkPad T14", impact_scope="Floor 3", contact_phone="13800000009"
    )
    services.add_comment(ticket=ticket, actor=agent1, body="Toner supplier is late", internal=True)
    services.add_comment(ticket=ticket, actor=agent1, body="We are on it")

    page = client_for(agent1).get(reverse("web:desk-ticket", args=[ticket.number])).content.decode()

    assert ticket.number in page and "Printer on floor 3 is jammed" in page
    assert "ThinkPad T14" in page and "Floor 3" in page and "13800000009" in page and "Alice Wang" in page
    note = page[page.index("Toner supplier is late") - 1200 : page.index("Toner supplier is late")]
    assert "is-internal" in note and "Internal" in note
    public = page[page.index("We are on it") - 1200 : page.index("We are on it")]
    assert "tl-kind-comment" in public and "tl-kind-comment is-internal" not in public


@pytest.mark.django_db
def test_the_page_offers_exactly_the_allowed_moves(client_for, alice, agent1, make_ticket):
    ticket = make_ticket(alice)

    page = client_for(agent1).get(reverse("web:desk-ticket", args=[ticket.number])).content.decode()

    for label in ("Acknowledge", "Start diagnosis", "Escalate", "Cancel request"):
        assert f">{label}<" in page
    assert ">Resolve<" not in page  # a new ticket cannot be resolved yet


@pytest.mark.django_db
def test_acknowledge_button_moves_the_ticket_and_takes_it(client_for, alice, agent1, make_ticket):
    ticket = make_ticket(alice)
    client = client_for(agent1)

    response = move(client, ticket, to="acknowledged", version=ticket.version)

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "acknowledged" and ticket.assignee == agent1
    page = client.get(response["Location"]).content.decode()
    assert "Status changed to “Acknowledged”." in page


@pytest.mark.django_db
def test_escalating_needs_a_group_and_a_note(client_for, alice, agent1, network_group, make_ticket):
    ticket = make_ticket(alice)
    client = client_for(agent1)

    refused = move(client, ticket, to="escalated", note="Needs the network team")

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Escalating needs the group to hand the ticket to." in page
    assert '<details class="move" open>' in page  # the escalate form stays open with the answer kept
    assert "Needs the network team" in page
    ticket.refresh_from_db()
    assert ticket.status == "new"

    no_note = move(client, ticket, to="escalated", group=network_group.pk)
    assert no_note.status_code == 400 and "This step needs a note." in no_note.content.decode()


@pytest.mark.django_db
def test_escalating_with_group_assignee_and_note(
    client_for, alice, agent1, agent2, network_group, make_ticket
):
    ticket = make_ticket(alice)
    client = client_for(agent1)
    page = client.get(reverse("web:desk-ticket", args=[ticket.number])).content.decode()
    assert "Handover note" in page and "Internal: the requester does not see this." in page

    response = move(
        client,
        ticket,
        to="escalated",
        group=network_group.pk,
        assignee=agent2.pk,
        note="Switch port 12 flaps",
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.group, ticket.assignee) == ("escalated", network_group, agent2)
    page = client.get(response["Location"]).content.decode()
    handover = page[page.index("Switch port 12 flaps") - 1200 : page.index("Switch port 12 flaps")]
    assert "is-internal" in handover


@pytest.mark.django_db
def test_resolving_needs_a_resolution(client_for, alice, agent1, make_ticket):
    ticket = make_ticket(alice)
    services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    client = client_for(agent1)

    refused = move(client, ticket, to="resolved", resolution="  ")

    assert refused.status_code == 400
    assert "Resolving needs a resolution summary." in refused.content.decode()

    move(client, ticket, to="resolved", resolution="Replaced the fuser unit")

    ticket.refresh_from_db()
    assert ticket.status == "resolved" and ticket.resolution == "Replaced the fuser unit"
    page = client.get(reverse("web:desk-ticket", args=[ticket.number])).content.decode()
    assert "Replaced the fuser unit" in page


@pytest.mark.django_db
def test_a_move_the_ticket_no_longer_allows_is_explained_not_crashed(client_for, alice, agent1, make_ticket):
    ticket = make_ticket(alice)

    response = move(client_for(agent1), ticket, to="closed", note="done")

    assert response.status_code == 409
    assert "This ticket cannot move from “New” to “Closed”." in response.content.decode()


@pytest.mark.django_db
def test_a_move_on_a_stale_page_is_refused(client_for, alice, agent1, make_ticket):
    ticket = make_ticket(alice)
    read_version = ticket.version
    services.transition_ticket(ticket=ticket, actor=agent1, to="acknowledged")

    response = move(client_for(agent1), ticket, to="diagnosing", version=read_version)

    assert response.status_code == 409
    assert "Someone else changed this ticket after you opened it." in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "acknowledged"


@pytest.mark.django_db
def test_saving_desk_fields_on_a_stale_version_overwrites_nothing(
    client_for, alice, agent1, lead1, make_ticket
):
    ticket = make_ticket(alice)
    client = client_for(agent1)
    page = client.get(reverse("web:desk-ticket", args=[ticket.number])).content.decode()
    assert f'name="version" value="{ticket.version}"' in page
    stale = edit_data(ticket, urgency=1)
    hardware = Category.objects.get(code="hardware-printer")
    services.update_ticket(
        ticket=ticket, actor=lead1, changes={"category": hardware}, expected_version=ticket.version
    )

    response = client.post(reverse("web:desk-edit", args=[ticket.number]), stale)

    assert response.status_code == 409
    assert (
        "Someone else changed this ticket after you opened it. Reload it and try again."
        in response.content.decode()
    )
    ticket.refresh_from_db()
    assert ticket.urgency == 2 and ticket.category == hardware
    assert (
        f'name="version" value="{ticket.version}"' in response.content.decode()
    )  # the form now has the fresh one


@pytest.mark.django_db
def test_changing_priority_needs_a_reason(client_for, alice, agent1, make_ticket):
    ticket = make_ticket(alice)
    client = client_for(agent1)
    p1 = Priority.objects.get(code="P1")

    refused = client.post(reverse("web:desk-edit", args=[ticket.number]), edit_data(ticket, priority=p1.pk))

    assert refused.status_code == 400
    assert "Changing the priority needs a reason." in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.priority.code == "P3"

    client.post(
        reverse("web:desk-edit", args=[ticket.number]),
        edit_data(ticket, priority=p1.pk, priority_reason="Whole finance floor cannot print"),
    )

    ticket.refresh_from_db()
    assert ticket.priority == p1
    page = client.get(reverse("web:desk-ticket", args=[ticket.number])).content.decode()
    assert "Whole finance floor cannot print" in page and "P1 Critical" in page


@pytest.mark.django_db
def test_assign_to_me(client_for, alice, agent1, make_ticket):
    ticket = make_ticket(alice)
    client = client_for(agent1)
    page = client.get(reverse("web:desk-ticket", args=[ticket.number])).content.decode()
    assert "Assign to me" in page

    response = client.post(
        reverse("web:desk-assign", args=[ticket.number]), {"version": ticket.version}, follow=True
    )

    ticket.refresh_from_db()
    assert ticket.assignee == agent1
    assert "The ticket is assigned to you." in response.content.decode()
    assert "Assign to me" not in response.content.decode()


@pytest.mark.django_db
def test_reassigning_through_the_desk_fields(client_for, alice, agent1, agent2, make_ticket):
    ticket = make_ticket(alice)

    client_for(agent1).post(
        reverse("web:desk-edit", args=[ticket.number]), edit_data(ticket, assignee=agent2.pk)
    )

    ticket.refresh_from_db()
    assert ticket.assignee == agent2


@pytest.mark.django_db
def test_public_reply_and_internal_note(client_for, alice, agent1, make_ticket):
    ticket = make_ticket(alice)
    client = client_for(agent1)
    url = reverse("web:desk-reply", args=[ticket.number])
    trace = SimpleUploadedFile("trace.txt", b"traceroute output", content_type="text/plain")

    client.post(url, {"body": "Please restart the printer", "internal": "false"})
    client.post(url, {"body": "Probably the fuser", "internal": "true", "attachments": [trace]})

    public, internal = Comment.objects.filter(ticket=ticket).order_by("id")
    assert (public.internal, internal.internal) == (False, True)
    assert internal.attachments.get().internal is True
    requester_page = (
        client_for(alice).get(reverse("web:portal-ticket", args=[ticket.number])).content.decode()
    )
    assert "Please restart the printer" in requester_page
    assert "Probably the fuser" not in requester_page and "trace.txt" not in requester_page


@pytest.mark.django_db
def test_auditor_reads_but_cannot_act(client_for, alice, auditor, make_ticket):
    ticket = make_ticket(alice)
    client = client_for(auditor)

    page = client.get(reverse("web:desk-ticket", args=[ticket.number])).content.decode()
    response = move(client, ticket, to="acknowledged")

    assert "Save changes" not in page and "Add to timeline" not in page and ">Acknowledge<" not in page
    assert response.status_code == 403
    assert "You are not allowed to move this ticket" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "new"


@pytest.mark.django_db
def test_registering_a_phone_request_on_behalf_of_someone(client_for, alice, agent1, agent2, network_group):
    alice.employee_id = "E1001"
    alice.save()
    client = client_for(agent1)
    p2 = Priority.objects.get(code="P2")

    response = client.post(
        reverse("web:desk-new"),
        {
            "channel": "phone",
            "requester": "E1001",
            "title": "Cannot reach the ERP",
            "description": "Called at 10:05",
            "impact": "2",
            "urgency": "2",
            "priority": p2.pk,
            "group": network_group.pk,
            "assignee": agent2.pk,
        },
        follow=True,
    )

    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == reverse("web:desk-ticket", args=[ticket.number])
    assert f"Request {ticket.number} registered for Alice Wang." in response.content.decode()
    assert (ticket.requester, ticket.channel, ticket.priority, ticket.group, ticket.assignee) == (
        alice,
        "phone",
        p2,
        network_group,
        agent2,
    )
    assert ticket.contact_phone == "13800000001"  # the requester's phone when none was given


@pytest.mark.django_db
def test_registering_for_an_unknown_person_is_refused(client_for, agent1):
    response = client_for(agent1).post(
        reverse("web:desk-new"),
        {
            "channel": "walk_in",
            "requester": "nobody",
            "title": "x",
            "description": "y",
            "impact": "3",
            "urgency": "2",
        },
    )

    assert response.status_code == 400
    assert "No active user has this username or employee ID." in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_auditors_cannot_register_requests(client_for, auditor):
    assert client_for(auditor).get(reverse("web:desk-new")).status_code == 403


@pytest.mark.django_db
def test_requester_suggestions_find_people_by_employee_id_or_name(client_for, alice, bob, agent1):
    alice.employee_id = "FN1024"
    alice.save()
    client = client_for(agent1)

    by_id = client.get(reverse("web:desk-people"), {"requester": "FN10"}, headers={"HX-Request": "true"})
    by_name = client.get(reverse("web:desk-people"), {"requester": "Bob"}, headers={"HX-Request": "true"})

    assert '<option value="alice">Alice Wang · FN1024</option>' in by_id.content.decode()
    assert 'value="bob"' in by_name.content.decode() and 'value="alice"' not in by_name.content.decode()


@pytest.mark.django_db
def test_a_long_timeline_does_not_cost_a_query_per_entry(client_for, alice, agent1, make_ticket):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ticket = make_ticket(alice)
    client = client_for(agent1)

    def add_replies(count):
        for n in range(count):
            services.add_comment(
                ticket=ticket,
                actor=agent1 if n % 2 else alice,
                body=f"Message {n}",
                internal=bool(n % 2),
                attachments=[services.NewAttachment(f"log-{n}.txt", b"log")],
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("web:desk-ticket", args=[ticket.number])).status_code == 200
        return len(captured)

    add_replies(2)
    few = queries()
    add_replies(12)

    assert queries() == few
