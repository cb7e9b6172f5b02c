"""What every message looks up: ITDesk's own addresses (cached per process), the sender and the ticket."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from itdesk.channels.mail.models import InboundMessage, Mailbox
from itdesk.channels.mail.services.ingest import ingest_message
from itdesk.tickets.models import Comment, Ticket
from tests.factories import UserFactory
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db


def test_a_mailbox_added_later_is_recognised_as_our_own_address(alice, mailbox):
    assert ingest_message(raw=make_mail(), mailbox=mailbox).action == "created"  # the addresses are cached
    Mailbox.objects.create(name="facilities", address="Facilities@example.test", kind="pipe")
    looped = make_mail(sender="Facilities <facilities@example.test>", subject="Forwarded")
    assert ingest_message(raw=looped, mailbox=mailbox).reason == "own_mail"
    assert Ticket.objects.count() == 1


def test_a_mailbox_address_changed_or_deleted_is_no_longer_our_own(alice, mailbox, desk):
    other = Mailbox.objects.create(name="facilities", address="facilities@example.test", kind="pipe")
    first = make_mail(sender="facilities@example.test", subject="Loop")
    assert ingest_message(raw=first, mailbox=mailbox).reason == "own_mail"
    other.address = "rooms@example.test"
    other.save()
    renamed = make_mail(sender="facilities@example.test", subject="Broken chair")
    assert ingest_message(raw=renamed, mailbox=mailbox).action == "created"
    assert ingest_message(raw=make_mail(sender="rooms@example.test"), mailbox=mailbox).reason == "own_mail"
    other.delete()
    freed = make_mail(sender="rooms@example.test", subject="Projector")
    assert ingest_message(raw=freed, mailbox=mailbox).action == "created"


def test_the_mailbox_list_is_not_read_again_for_every_message(alice, mailbox):
    ingest_message(raw=make_mail(), mailbox=mailbox)
    with CaptureQueriesContext(connection) as queries:
        result = ingest_message(raw=make_mail(subject="Second printer"), mailbox=mailbox)
    assert result.action == "created"
    mailbox_table = connection.ops.quote_name(Mailbox._meta.db_table)
    assert not [q["sql"] for q in queries.captured_queries if mailbox_table in q["sql"]]


def test_the_sender_is_found_whatever_the_case_of_the_address_active_account_first(mailbox, desk):
    UserFactory(username="alice-old", email="ALICE@example.test", is_active=False)
    alice = UserFactory(username="alice", email="Alice@Example.test")
    result = ingest_message(raw=make_mail(sender="Alice Wang <alice@EXAMPLE.test>"), mailbox=mailbox)
    assert result.action == "created"
    assert Ticket.objects.get(number=result.ticket_number).requester == alice


def test_a_reply_from_the_requester_and_from_a_desk_agent_land_on_the_ticket(alice, agent1, mailbox):
    number = ingest_message(raw=make_mail(), mailbox=mailbox).ticket_number
    own = make_mail(subject=f"Re: [{number}] Printer", body="Still jammed.")
    assert ingest_message(raw=own, mailbox=mailbox).action == "appended"
    agent = make_mail(sender=f"Agent <{agent1.email}>", subject=f"Re: [{number}] Printer", body="On my way.")
    assert ingest_message(raw=agent, mailbox=mailbox).action == "appended"
    comments = Comment.objects.filter(ticket__number=number).order_by("id")
    assert [(c.author, c.body) for c in comments] == [(alice, "Still jammed."), (agent1, "On my way.")]
    assert set(InboundMessage.objects.values_list("ticket__number", flat=True)) == {number}
