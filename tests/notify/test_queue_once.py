"""Queueing a ticket's notification: once per key, in the caller's transaction, for a handful of queries."""

import pytest
from django.db import connection, transaction

from itdesk.notifications.models import OutboxMessage
from itdesk.notifications.preferences import set_preferences
from itdesk.notifications.services import queue_email
from itdesk.tickets import notify, services
from itdesk.tickets.models import Ticket, TicketEvent


@pytest.mark.django_db(transaction=True)
def test_a_repeated_key_is_queued_once_and_the_callers_transaction_still_commits(alice, service_desk):
    with transaction.atomic():
        first = queue_email(dedupe_key="k-1", recipient="a@example.test", subject="first", body_text="x")
        again = queue_email(dedupe_key="k-1", recipient="a@example.test", subject="second", body_text="y")
        # The transaction goes on after the duplicate: more writes, then a real commit.
        ticket = services.create_ticket(actor=alice, title="Printer jammed", description="Floor 3")
        event = TicketEvent.objects.filter(ticket=ticket).get()
        notify.notify_ticket_event(ticket, "received", event_id=event.pk)  # the same event again
    assert first is not None and again is None
    assert OutboxMessage.objects.get(dedupe_key="k-1").subject == "first"
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert OutboxMessage.objects.filter(ticket_id=ticket.pk, event="received").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_ticket_leaves_no_message(alice, service_desk):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_ticket(actor=alice, title="Printer jammed", description="Floor 3")
        assert OutboxMessage.objects.filter(event="received").count() == 1
        raise RuntimeError("the caller fails after queueing")
    assert not Ticket.objects.exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_received_mail_costs_one_preference_read_and_one_insert(
    alice, service_desk, django_assert_num_queries
):
    ticket = services.create_ticket(actor=alice, title="Printer jammed", description="Floor 3")
    event = TicketEvent.objects.filter(ticket=ticket).get()
    OutboxMessage.objects.all().delete()
    savepoint = 0 if connection.vendor == "sqlite" else 2
    with transaction.atomic(), django_assert_num_queries(2 + savepoint):
        notify.notify_ticket_event(ticket, "received", event_id=event.pk, clocks=[])
    assert OutboxMessage.objects.filter(ticket_id=ticket.pk, recipient=alice.email).count() == 1


@pytest.mark.django_db
def test_a_preference_saved_a_moment_ago_is_honoured_by_the_next_ticket(alice, service_desk):
    services.create_ticket(actor=alice, title="First", description="x")
    set_preferences(user=alice, choices={"received": []})  # optional: may be switched off
    second = services.create_ticket(actor=alice, title="Second", description="x")
    assert not OutboxMessage.objects.filter(ticket_id=second.pk).exists()
    set_preferences(user=alice, choices={"received": ["email"]})
    third = services.create_ticket(actor=alice, title="Third", description="x")
    assert OutboxMessage.objects.filter(ticket_id=third.pk, event="received").count() == 1
