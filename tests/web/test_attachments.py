"""Attachment downloads: always a download, never rendered, and only for people who may see the file."""

import pytest
from django.urls import reverse

from itdesk.tickets import services


@pytest.fixture
def files(alice, agent1, make_ticket):
    ticket = make_ticket(
        alice,
        attachments=[
            services.NewAttachment('"><img src=x onerror=alert(1)>.txt', b"<script>alert(1)</script>")
        ],
    )
    public = ticket.attachments.get()
    note = services.add_comment(
        ticket=ticket,
        actor=agent1,
        body="Vendor quote",
        internal=True,
        attachments=[services.NewAttachment("quote.pdf", b"%PDF-1.7 quote")],
    )
    return ticket, public, note.attachments.get()


def url(ticket, attachment):
    return reverse("web:attachment", args=[ticket.number, attachment.pk])


@pytest.mark.django_db
def test_download_is_an_attachment_with_safe_headers(client_for, alice, files):
    ticket, public, _internal = files

    response = client_for(alice).get(url(ticket, public))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "onerror" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.django_db
def test_other_people_get_404(client_for, bob, files):
    ticket, public, _internal = files

    assert client_for(bob).get(url(ticket, public)).status_code == 404


@pytest.mark.django_db
def test_requester_cannot_download_an_internal_file_but_the_desk_can(client_for, alice, agent1, files):
    ticket, _public, internal = files

    assert client_for(alice).get(url(ticket, internal)).status_code == 404
    response = client_for(agent1).get(url(ticket, internal))
    assert response.status_code == 200
    assert 'filename="quote.pdf"' in response["Content-Disposition"]


@pytest.mark.django_db
def test_a_file_under_the_wrong_ticket_number_is_404(client_for, alice, make_ticket, files):
    _ticket, public, _internal = files
    other = make_ticket(alice, title="Another request")

    assert client_for(alice).get(url(other, public)).status_code == 404


@pytest.mark.django_db
def test_the_timeline_links_files_for_download(client_for, alice, files):
    ticket, public, _internal = files

    page = client_for(alice).get(reverse("web:portal-ticket", args=[ticket.number])).content.decode()

    assert f'href="{url(ticket, public)}"' in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;.txt" in page  # the name is escaped, never markup
    assert "<img src=x" not in page
