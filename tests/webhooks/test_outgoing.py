"""Outgoing webhooks: a real receiver on 127.0.0.1 verifies the signature the way a consumer would."""

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from itdesk.channels.webhooks import dispatch, services
from itdesk.channels.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from itdesk.channels.webhooks.signing import sign, verify
from itdesk.core.errors import ValidationFailed
from itdesk.tickets import services as tickets
from tests.webhooks.receiver import running_receiver

pytestmark = pytest.mark.django_db


def _create(actor, on_commit, **fields):
    with on_commit(execute=True):
        return tickets.create_ticket(
            actor=actor, title="VPN 连接失败", description="Cannot connect", **fields
        )


def test_a_new_ticket_reaches_the_receiver_signed(
    alice, service_desk, receiver, endpoint_for, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver)
    ticket = _create(alice, django_capture_on_commit_callbacks)

    assert len(receiver.accepted) == 1
    call = receiver.accepted[0]
    assert call.signature_ok
    assert call.headers["x-itdesk-event"] == "ticket.created"
    assert call.headers["content-type"].startswith("application/json")
    body = call.json
    assert body["event"] == "ticket.created"
    assert body["ticket"]["number"] == ticket.number
    assert body["ticket"]["title"] == "VPN 连接失败"
    assert body["ticket"]["status"] == "new"
    assert body["ticket"]["priority"] == "P3"
    assert body["ticket"]["url"].endswith(f"/desk/{ticket.number}/")
    assert body["actor"]["username"] == "alice"
    assert body["event_id"] == ticket.events.get(kind="created").pk
    delivery = WebhookDelivery.objects.get()
    assert call.headers["x-itdesk-delivery"] == str(delivery.pk)
    assert delivery.endpoint == endpoint
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.response_status == 200 and delivery.attempts == 1
    assert delivery.duration_ms is not None and delivery.delivered_at is not None


def test_a_receiver_with_the_wrong_secret_refuses_and_the_delivery_stays_pending(
    alice, service_desk, receiver, endpoint_for, django_capture_on_commit_callbacks
):
    endpoint_for(receiver)
    receiver.secret = "not-the-secret"
    _create(alice, django_capture_on_commit_callbacks)
    assert receiver.accepted == [] and receiver.calls[0].rejected == "bad signature"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.response_status == 401 and delivery.last_error == "HTTP 401"


def test_endpoints_hear_only_the_events_they_subscribed_to(
    alice, agent1, service_desk, endpoint_for, django_capture_on_commit_callbacks
):
    with running_receiver() as status_only, running_receiver() as everything, running_receiver() as internal:
        endpoint_for(status_only, events=["ticket.status_changed"], name="status")
        endpoint_for(everything, name="all")
        endpoint_for(internal, events=["ticket.commented"], include_internal=True, name="notes")
        ticket = _create(alice, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            tickets.transition_ticket(ticket=ticket, actor=agent1, to="acknowledged")
            tickets.add_comment(ticket=ticket, actor=agent1, body="Please restart the client")
            tickets.add_comment(ticket=ticket, actor=agent1, body="Password is in the vault", internal=True)

    assert [c.json["event"] for c in status_only.accepted] == ["ticket.status_changed"]
    change = status_only.accepted[0].json["change"]
    assert (change["old"], change["new"]) == ("new", "acknowledged")

    heard = [c.json["event"] for c in everything.accepted]
    assert heard.count("ticket.created") == 1 and "ticket.status_changed" in heard
    assert "ticket.assigned" in heard  # acknowledging an unassigned ticket takes it
    comments = [
        c.json["comment"]["body"] for c in everything.accepted if c.json["event"] == "ticket.commented"
    ]
    assert comments == ["Please restart the client"]  # the internal note stays inside

    notes = [(c.json["comment"]["body"], c.json["comment"]["internal"]) for c in internal.accepted]
    assert notes == [("Please restart the client", False), ("Password is in the vault", True)]


def test_inactive_endpoints_and_writes_without_endpoints_send_nothing(
    alice, service_desk, receiver, endpoint_for, django_capture_on_commit_callbacks
):
    endpoint = endpoint_for(receiver)
    services.update_endpoint(endpoint=endpoint, active=False)
    _create(alice, django_capture_on_commit_callbacks)
    assert receiver.calls == [] and not WebhookDelivery.objects.exists()


def test_a_ticket_write_with_no_endpoint_costs_one_tiny_query(alice, service_desk, django_assert_num_queries):
    ticket = tickets.create_ticket(actor=alice, title="warm up", description="x")
    event = ticket.events.get()
    dispatch.active_endpoints()  # the process cache is warm after the first event
    with django_assert_num_queries(1):
        dispatch.on_ticket_event(event)


def test_a_failed_attempt_is_retried_with_back_off_and_delivered_once(
    alice, service_desk, endpoint_for, django_capture_on_commit_callbacks
):
    with running_receiver(statuses=[500]) as receiver:
        endpoint_for(receiver)
        _create(alice, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
        assert delivery.response_status == 500 and delivery.response_body == "receiver error"
        assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=20)
        assert services.deliver_due() == 0  # not due yet

        with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=True):
            assert services.deliver_due() == 1
            assert services.deliver_due() == 0  # delivered is final

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2
    assert len(receiver.calls) == 2 and len(receiver.accepted) == 1
    # every attempt is signed afresh, so the consumer's freshness check passes on a late retry
    assert receiver.calls[0].headers["x-itdesk-timestamp"] != receiver.calls[1].headers["x-itdesk-timestamp"]


def test_a_delivery_gives_up_after_the_maximum_attempts(
    alice, service_desk, endpoint_for, django_capture_on_commit_callbacks, settings
):
    settings.ITDESK_WEBHOOK_MAX_ATTEMPTS = 3
    with running_receiver(statuses=[503, 503, 503, 503]) as receiver:
        endpoint_for(receiver)
        _create(alice, django_capture_on_commit_callbacks)
        for minutes in (1, 3):
            with time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=True):
                services.deliver_due()
        with time_machine.travel(timezone.now() + timedelta(hours=2), tick=True):
            assert services.deliver_due() == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert len(receiver.calls) == 3


def test_a_dead_workers_lease_expires_and_the_sweep_sends_it(
    alice, service_desk, receiver, endpoint_for, django_capture_on_commit_callbacks
):
    endpoint_for(receiver)
    receiver.statuses = [500]
    _create(alice, django_capture_on_commit_callbacks)
    # a worker claimed it and died mid-send: the row is stuck in "sending" under a lease
    WebhookDelivery.objects.update(
        status=DeliveryStatus.SENDING, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert services.deliver_due() == 0
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=True):
        assert services.deliver_due() == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def test_retry_now_makes_a_failed_delivery_due_again(
    alice, service_desk, endpoint_for, django_capture_on_commit_callbacks, settings
):
    settings.ITDESK_WEBHOOK_MAX_ATTEMPTS = 1
    with running_receiver(statuses=[500]) as receiver:
        endpoint_for(receiver)
        _create(alice, django_capture_on_commit_callbacks)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.FAILED
        with django_capture_on_commit_callbacks(execute=True):
            assert services.retry_now(delivery_ids=[delivery.pk]) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and len(receiver.accepted) == 1


@pytest.mark.django_db(transaction=True)
def test_a_slow_receiver_never_holds_up_the_ticket_write(alice, service_desk, endpoint_for, settings):
    """With a real queue, the write only writes rows; the worker's send is cut at the timeout."""
    from huey.contrib.djhuey import HUEY

    settings.ITDESK_WEBHOOK_TIMEOUT = 1
    with running_receiver(delay=4.0) as receiver:
        endpoint_for(receiver)
        HUEY.immediate = False
        try:
            HUEY.flush()
            started = time.monotonic()
            ticket = tickets.create_ticket(actor=alice, title="Printer jammed", description="Floor 3")
            write_seconds = time.monotonic() - started
            assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
            assert receiver.calls == []  # nothing was sent during the write

            started = time.monotonic()
            while (task := HUEY.dequeue()) is not None:  # what a worker does
                HUEY.execute(task)
            worker_seconds = time.monotonic() - started
        finally:
            HUEY.flush()
            HUEY.immediate = True
    assert write_seconds < 1.5, write_seconds  # far below the receiver's 4 s
    assert worker_seconds < 3.0, worker_seconds  # bounded by the 1 s timeout, not the receiver
    delivery = WebhookDelivery.objects.get()
    assert delivery.ticket_id == ticket.pk
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert delivery.last_error.startswith("delivery_failed")


# ---------------------------------------------------------------- SSRF


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/hook",
        "http://localhost/hook",
        "ftp://example.com/",
    ],
)
def test_internal_endpoint_urls_are_refused_at_save(url, settings):
    settings.ITDESK_OUTBOUND_ALLOWLIST = []
    with pytest.raises(ValidationFailed) as refused:
        services.create_endpoint(name="bad", url=url)
    assert "url" in refused.value.fields
    assert not WebhookEndpoint.objects.exists()


def test_a_redirect_to_a_private_address_is_refused_at_send(
    alice, service_desk, endpoint_for, django_capture_on_commit_callbacks
):
    with running_receiver(redirect_to="http://10.0.0.1/internal") as receiver:
        endpoint_for(receiver)
        _create(alice, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("unsafe_destination") and "10.0.0.1" in delivery.last_error
    assert len(receiver.calls) == 1


def test_the_destination_is_checked_again_at_every_send(
    alice, service_desk, receiver, endpoint_for, django_capture_on_commit_callbacks, settings
):
    settings.ITDESK_OUTBOUND_ALLOWLIST = ["localhost"]
    endpoint_for(receiver, url=f"http://localhost:{receiver.port}/hook")
    settings.ITDESK_OUTBOUND_ALLOWLIST = []  # the administrator withdrew the exception
    _create(alice, django_capture_on_commit_callbacks)
    assert receiver.calls == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_error.startswith("unsafe_destination") and "127.0.0.1" in delivery.last_error


# ---------------------------------------------------------------- endpoints and signatures


def test_the_secret_is_encrypted_at_rest_and_can_be_regenerated(receiver, endpoint_for):
    from django.db import connection

    endpoint = endpoint_for(receiver)
    old = endpoint.secret
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        stored = cursor.fetchone()[0]
    assert old not in stored and stored.startswith("fernet:")
    new = services.regenerate_secret(endpoint=endpoint)
    assert new != old and WebhookEndpoint.objects.get().secret == new


def test_send_test_event(receiver, endpoint_for):
    endpoint = endpoint_for(receiver)
    delivery = services.send_test_event(endpoint=endpoint)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert receiver.accepted[0].headers["x-itdesk-event"] == "webhook.test"
    receiver.statuses = [500]
    assert services.send_test_event(endpoint=endpoint).status == DeliveryStatus.FAILED


def test_signature_recipe():
    body = b'{"event":"ticket.created"}'
    signature = sign("whsec_x", 1700000000, body)
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert verify("whsec_x", "1700000000", body, signature, now=1700000100)
    assert not verify("whsec_x", "1700000000", body, signature, now=1700000000 + 301)  # stale
    assert not verify("whsec_y", "1700000000", body, signature, now=1700000000)
    assert not verify("whsec_x", "1700000000", body + b" ", signature, now=1700000000)


@pytest.mark.parametrize(
    "kind, field, expected",
    [
        ("created", "", "ticket.created"),
        ("status", "status", "ticket.status_changed"),
        ("comment", "", "ticket.commented"),
        ("note", "", "ticket.commented"),
        ("field", "priority", "ticket.priority_changed"),
        ("field", "assignee", "ticket.assigned"),
        ("field", "group", "ticket.assigned"),
        ("field", "title", "ticket.updated"),
        ("attachment", "", "ticket.attachment_added"),
        ("sla_warning", "resolution", "ticket.sla_warning"),
        ("sla_breach", "response", "ticket.sla_breached"),
    ],
)
def test_ticket_event_kinds_map_to_webhook_event_names(kind, field, expected):
    assert dispatch.event_type_for(kind, field) == expected
