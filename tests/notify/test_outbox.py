"""Threading headers, and the outbox against a real SMTP server that goes down and comes back:
nothing lost, nothing sent twice."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from itdesk.channels.mail import msgid
from itdesk.notifications import services as outbox
from itdesk.notifications.models import OutboxMessage
from itdesk.tickets import services
from tests.factories import UserFactory


def act(capture, fn, **kwargs):
    with capture(execute=True):
        return fn(**kwargs)


@pytest.mark.django_db
def test_every_mail_about_a_ticket_is_one_signed_thread(
    smtp, settings, alice, agent1, service_desk, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    ticket = act(capture, services.create_ticket, actor=alice, title="Printer jam", description="E05")
    act(capture, services.transition_ticket, ticket=ticket, actor=agent1, to="acknowledged")
    act(capture, services.add_comment, ticket=ticket, actor=agent1, body="On my way")

    received, acknowledged, reply = smtp.to(alice.email)
    root = received["Message-ID"]
    assert msgid.ticket_from_message_id(root, secret=settings.SECRET_KEY) == ticket.number
    assert root.endswith("@desk.example.test>")  # the domain of DEFAULT_FROM_EMAIL
    assert received["In-Reply-To"] is None
    for message in (acknowledged, reply):
        own = message["Message-ID"]
        assert own != root and msgid.ticket_from_message_id(own, secret=settings.SECRET_KEY) == ticket.number
        assert message["In-Reply-To"] == root and message["References"] == root
    for message in (received, acknowledged, reply):
        assert message["Reply-To"] == "helpdesk@desk.example.test"
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["X-ITDesk-Ticket"] == ticket.number
        assert message["From"] == "ITDesk <itdesk@desk.example.test>"
    # Someone else's secret cannot have made these ids.
    assert msgid.ticket_from_message_id(root, secret="another secret") is None


@pytest.mark.django_db
def test_smtp_down_the_mail_waits_then_goes_exactly_once_with_the_same_message_id(
    smtp, settings, alice, service_desk, django_capture_on_commit_callbacks
):
    smtp.stop()  # the mail server is down
    before = timezone.now()
    ticket = act(
        django_capture_on_commit_callbacks,
        services.create_ticket,
        actor=alice,
        title="VPN",
        description="down",
    )
    message = OutboxMessage.objects.get(ticket_id=ticket.pk)
    assert message.status == "pending" and message.attempts == 1
    assert message.next_attempt_at >= before + timedelta(seconds=29)  # back-off: tried again later
    assert "Connection refused" in message.last_error or "Error" in message.last_error
    assert outbox.deliver_due() == 0  # not due yet: nothing is hammered
    stored_id = message.headers["Message-ID"]

    smtp.start()  # back, on the same port
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        assert outbox.deliver_due() == 1
        assert outbox.deliver_due() == 0
        assert outbox.deliver(message.pk) is False  # a late job for it does nothing either
    [sent] = smtp.to(alice.email)
    assert len(smtp.envelopes) == 1
    assert sent["Message-ID"] == stored_id  # stable across retries
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 2 and message.last_error == ""


@pytest.mark.django_db
def test_after_the_last_attempt_a_message_is_failed_and_the_admin_can_retry_it(
    smtp, settings, alice, service_desk, client, django_capture_on_commit_callbacks
):
    settings.ITDESK_OUTBOX_MAX_ATTEMPTS = 2
    smtp.stop()
    ticket = act(
        django_capture_on_commit_callbacks,
        services.create_ticket,
        actor=alice,
        title="VPN",
        description="down",
    )
    message = OutboxMessage.objects.get(ticket_id=ticket.pk)
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        outbox.deliver_due()
    message.refresh_from_db()
    assert message.status == "failed" and message.attempts == 2

    smtp.start()
    admin = UserFactory(username="root", is_staff=True, is_superuser=True, role="admin")
    client.force_login(admin)
    changelist = reverse("admin:notifications_outboxmessage_changelist")
    page = client.get(changelist, {"status__exact": "failed", "channel": "email"})
    assert page.status_code == 200 and message.subject in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "retry_now", ACTION_CHECKBOX_NAME: [message.pk]})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "sent" and len(smtp.to(alice.email)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_at_once_send_each_message_once(smtp, alice, service_desk):
    smtp.stop()
    for i in range(6):
        services.create_ticket(actor=alice, title=f"Request {i}", description="x")  # queued; delivery fails
    smtp.start()
    OutboxMessage.objects.update(status="pending", next_attempt_at=timezone.now() - timedelta(seconds=1))
    barrier, errors = threading.Barrier(2), []

    def worker():
        try:
            barrier.wait()
            outbox.deliver_due()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(smtp.envelopes) == 6
    assert sorted(m["Subject"].strip()[-9:] for m in smtp.messages) == [f"Request {i}" for i in range(6)]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_worker_that_died_mid_send_is_taken_over_after_its_lease_and_says_so(
    smtp, alice, service_desk, django_capture_on_commit_callbacks
):
    smtp.stop()
    ticket = act(
        django_capture_on_commit_callbacks, services.create_ticket, actor=alice, title="VPN", description="x"
    )
    smtp.start()
    message = OutboxMessage.objects.get(ticket_id=ticket.pk)
    # A worker claims it and dies before recording anything: the row stays "sending" under its lease.
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox._claim(message.pk) is not None
    assert outbox.deliver_due() == 0  # held by the lease: no second worker sends it meanwhile
    with time_machine.travel(timezone.now() + outbox.sending_lease() + timedelta(seconds=1)):
        assert outbox.deliver_due() == 1
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 3
    assert "may have been sent" in message.last_error  # at least once: the desk can see the risk
    assert len(smtp.envelopes) == 1
