"""The requester portal: submitting, following and acting on one's own requests, and nobody else's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from itdesk.tickets import services
from itdesk.tickets.models import Attachment, Ticket


def portal_form(**overrides):
    data = {
        "title": "VPN 连接失败",
        "description": "Error 809 since this morning",
        "impact": "3",
        "urgency": "2",
        "started_at": "2025-03-03T09:15",
        "impact_scope": "Only me",
        "tried": "Restarted the laptop",
        "device_model": "ThinkPad T14",
        "os_version": "Windows 11 23H2",
        "software_version": "FortiClient 7.2",
        "contact_phone": "13800000001",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_submitting_a_request_creates_it_and_shows_its_number_and_response_time(
    client_for, alice, service_desk
):
    client = client_for(alice)
    form_page = client.get(reverse("web:portal-new")).content.decode()
    assert "Password reset" in form_page  # the category tree, labelled in the active language
    screenshot = SimpleUploadedFile("error.png", b"\x89PNG fake image", content_type="image/png")

    response = client.post(
        reverse("web:portal-new"), {**portal_form(), "attachments": [screenshot]}, follow=True
    )

    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == reverse("web:portal-ticket", args=[ticket.number])
    page = response.content.decode()
    assert f"Your request {ticket.number} was submitted" in page
    assert "Expected response time: 30 minutes" in page
    assert ticket.requester == alice and ticket.channel == "portal"
    assert ticket.device_model == "ThinkPad T14" and ticket.tried == "Restarted the laptop"
    assert ticket.started_at is not None and ticket.started_at.hour == 1  # 09:15 in Shanghai is 01:15 UTC
    attachment = Attachment.objects.get(ticket=ticket)
    assert reverse("web:attachment", args=[ticket.number, attachment.pk]) in page


@pytest.mark.django_db
def test_a_request_with_a_category_is_filed_under_it(client_for, alice, service_desk):
    from itdesk.tickets.models import Category

    vpn = Category.objects.get(code="network-vpn")

    client_for(alice).post(reverse("web:portal-new"), portal_form(category=str(vpn.pk)))

    assert Ticket.objects.get().category == vpn


@pytest.mark.django_db
def test_missing_title_shows_an_error_and_creates_nothing(client_for, alice, service_desk):
    response = client_for(alice).post(reverse("web:portal-new"), portal_form(title=""))

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_a_forbidden_file_type_is_refused_with_the_services_message(client_for, alice, service_desk):
    program = SimpleUploadedFile("setup.exe", b"MZ...", content_type="application/octet-stream")

    response = client_for(alice).post(reverse("web:portal-new"), {**portal_form(), "attachments": [program]})

    assert response.status_code == 400
    assert "Files of this type cannot be attached: setup.exe" in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_my_requests_lists_only_mine_newest_first(client_for, alice, bob, make_ticket):
    older = make_ticket(alice, title="Older request")
    newer = make_ticket(alice, title="Newer request")
    make_ticket(bob, title="Bob's secret request")

    page = client_for(alice).get(reverse("web:portal")).content.decode()

    assert page.index(newer.number) < page.index(older.number)
    assert "Bob&#x27;s secret request" not in page and "Bob's secret request" not in page


@pytest.mark.django_db
def test_my_requests_is_paginated(client_for, alice, make_ticket):
    tickets = [make_ticket(alice, title=f"Request {n}") for n in range(27)]
    client = client_for(alice)

    first = client.get(reverse("web:portal")).content.decode()
    second = client.get(reverse("web:portal"), {"page": 2}).content.decode()

    assert tickets[-1].number in first and tickets[0].number not in first
    assert tickets[0].number in second
    assert "Page 2 of 2" in second


@pytest.mark.django_db
def test_someone_elses_request_is_not_found(client_for, alice, bob, make_ticket):
    bobs = make_ticket(bob, title="Bob's laptop")
    client = client_for(alice)

    response = client.get(reverse("web:portal-ticket", args=[bobs.number]))
    assert response.status_code == 404
    assert "Bob" not in response.content.decode()
    assert client.post(reverse("web:portal-reply", args=[bobs.number]), {"body": "hi"}).status_code == 404
    move = client.post(reverse("web:portal-transition", args=[bobs.number]), {"to": "cancelled", "note": "x"})
    assert move.status_code == 404
    assert bobs.comments.count() == 0


@pytest.mark.django_db
def test_requester_never_sees_internal_notes_files_or_events(
    client_for, alice, agent1, network_group, make_ticket
):
    ticket = make_ticket(alice)
    services.add_comment(ticket=ticket, actor=agent1, body="We are looking at it now")
    services.add_comment(
        ticket=ticket,
        actor=agent1,
        body="Internal: the toner supplier is late",
        internal=True,
        attachments=[services.NewAttachment("supplier-quote.pdf", b"%PDF quote")],
    )
    services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    services.transition_ticket(
        ticket=ticket,
        actor=agent1,
        to="escalated",
        group=network_group,
        note="Handover: check switch port 12",
    )

    page = client_for(alice).get(reverse("web:portal-ticket", args=[ticket.number])).content.decode()

    assert "We are looking at it now" in page
    assert "toner supplier" not in page
    assert "supplier-quote.pdf" not in page
    assert "switch port 12" not in page
    assert "Internal" not in page
    assert "Escalated" in page  # the public status change itself is shown


@pytest.mark.django_db
def test_requester_replies_with_a_file(client_for, alice, make_ticket):
    ticket = make_ticket(alice)
    log = SimpleUploadedFile("printer.log", b"E05 jam at tray 2", content_type="text/plain")

    response = client_for(alice).post(
        reverse("web:portal-reply", args=[ticket.number]),
        {"body": "It happens every morning", "attachments": [log]},
    )

    assert response.status_code == 302
    page = client_for(alice).get(response["Location"]).content.decode()
    assert "It happens every morning" in page and "printer.log" in page


@pytest.mark.django_db
def test_an_empty_reply_shows_an_error(client_for, alice, make_ticket):
    ticket = make_ticket(alice)

    response = client_for(alice).post(reverse("web:portal-reply", args=[ticket.number]), {"body": " "})

    assert response.status_code == 400
    assert "Write a message or attach a file." in response.content.decode()


@pytest.mark.django_db
def test_requester_confirms_a_resolved_request(client_for, alice, agent1, make_ticket):
    ticket = make_ticket(alice)
    services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    services.transition_ticket(ticket=ticket, actor=agent1, to="resolved", resolution="Cleared the jam")
    client = client_for(alice)
    page = client.get(reverse("web:portal-ticket", args=[ticket.number])).content.decode()
    assert "Confirm resolved" in page and "Reopen" in page and "Cleared the jam" in page
    assert "Resolve<" not in page  # no desk moves in the portal

    response = client.post(
        reverse("web:portal-transition", args=[ticket.number]), {"to": "closed"}, follow=True
    )

    ticket.refresh_from_db()
    assert ticket.status == "closed"
    assert "the request is now “Closed”" in response.content.decode()


@pytest.mark.django_db
def test_reopening_needs_a_reason(client_for, alice, agent1, make_ticket):
    ticket = make_ticket(alice)
    services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    ticket = services.transition_ticket(
        ticket=ticket, actor=agent1, to="resolved", resolution="Cleared the jam"
    )
    client = client_for(alice)
    url = reverse("web:portal-transition", args=[ticket.number])

    refused = client.post(url, {"to": "diagnosing", "note": ""})

    assert refused.status_code == 400
    assert "This step needs a reason." in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "resolved"

    client.post(url, {"to": "diagnosing", "note": "Jammed again this morning", "version": ticket.version})

    ticket.refresh_from_db()
    assert ticket.status == "diagnosing"


@pytest.mark.django_db
def test_requester_cancels_with_a_reason(client_for, alice, make_ticket):
    ticket = make_ticket(alice)
    client = client_for(alice)

    client.post(
        reverse("web:portal-transition", args=[ticket.number]), {"to": "cancelled", "note": "Fixed itself"}
    )

    ticket.refresh_from_db()
    assert ticket.status == "cancelled"
    page = client.get(reverse("web:portal-ticket", args=[ticket.number])).content.decode()
    assert "Fixed itself" in page
    assert 'action="' + reverse("web:portal-reply", args=[ticket.number]) not in page  # closed: no reply form


@pytest.mark.django_db
def test_requester_cannot_make_a_desk_move(client_for, alice, make_ticket):
    ticket = make_ticket(alice)

    response = client_for(alice).post(
        reverse("web:portal-transition", args=[ticket.number]), {"to": "acknowledged"}
    )

    assert response.status_code == 403
    assert "You are not allowed to move this ticket" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "new"


@pytest.mark.django_db
def test_desk_people_opening_a_portal_link_of_someone_else_go_to_the_desk(
    client_for, alice, agent1, make_ticket
):
    ticket = make_ticket(alice)

    response = client_for(agent1).get(reverse("web:portal-ticket", args=[ticket.number]))

    assert response.status_code == 302 and response["Location"] == reverse(
        "web:desk-ticket", args=[ticket.number]
    )
