"""The admin pages: secrets shown once, URLs checked, test events, the delivery log and its retry action."""

import pytest

from itdesk.channels.webhooks.models import DeliveryStatus, InboundSource, WebhookDelivery, WebhookEndpoint
from tests.webhooks.receiver import running_receiver

pytestmark = pytest.mark.django_db

ADD = "/admin/webhooks/webhookendpoint/add/"
ENDPOINTS = "/admin/webhooks/webhookendpoint/"


def _form(url, **extra):
    return {
        "name": "Chat bridge",
        "url": url,
        "event_types": ["ticket.created", "ticket.status_changed"],
        "active": "on",
        **extra,
    }


def test_adding_an_endpoint_shows_its_secret_once(admin_client, allow_loopback):
    with running_receiver() as receiver:
        response = admin_client.post(ADD, _form(receiver.url))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    assert endpoint.event_types == ["ticket.created", "ticket.status_changed"]
    assert endpoint.created_by is not None
    page = admin_client.get(f"{ENDPOINTS}{endpoint.pk}/change/").content.decode()
    assert endpoint.secret not in page  # write-only afterwards


@pytest.mark.parametrize("url", ["http://169.254.169.254/", "http://10.0.0.1/hook", "http://localhost:8080/"])
def test_the_admin_form_refuses_internal_urls(admin_client, settings, url):
    settings.ITDESK_OUTBOUND_ALLOWLIST = []
    response = admin_client.post(ADD, _form(url))
    assert response.status_code == 200
    assert "not a public address" in response.content.decode() or "metadata" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_regenerate_and_send_test_actions(admin_client, receiver, endpoint_for):
    endpoint = endpoint_for(receiver)
    response = admin_client.post(
        ENDPOINTS, {"action": "send_test_event", "_selected_action": [endpoint.pk]}, follow=True
    )
    assert "test event delivered" in response.content.decode()
    assert receiver.accepted[0].json["event"] == "webhook.test"

    old = endpoint.secret
    response = admin_client.post(
        ENDPOINTS, {"action": "regenerate_secret", "_selected_action": [endpoint.pk]}
    )
    new = WebhookEndpoint.objects.get().secret
    assert new != old and new in response.content.decode()


def test_the_delivery_log_lists_filters_and_retries(
    admin_client, alice, service_desk, endpoint_for, django_capture_on_commit_callbacks, settings
):
    from itdesk.tickets import services as tickets

    settings.ITDESK_WEBHOOK_MAX_ATTEMPTS = 1
    with running_receiver(statuses=[500]) as receiver:
        endpoint_for(receiver)
        with django_capture_on_commit_callbacks(execute=True):
            tickets.create_ticket(actor=alice, title="x", description="y")
        delivery = WebhookDelivery.objects.get()
        log = admin_client.get(
            "/admin/webhooks/webhookdelivery/", {"status__exact": "failed"}
        ).content.decode()
        assert "HTTP 500" in log and "ticket.created" in log
        detail = admin_client.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/")
        assert detail.status_code == 200 and "receiver error" in detail.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(
                "/admin/webhooks/webhookdelivery/", {"action": "retry_now", "_selected_action": [delivery.pk]}
            )
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_adding_an_inbound_source_shows_its_token_once(admin_client, agent1):
    response = admin_client.post(
        "/admin/webhooks/inboundsource/add/",
        {
            "name": "Zabbix",
            "slug": "zabbix",
            "requester": agent1.pk,
            "impact": 2,
            "urgency": 2,
            "active": "on",
        },
    )
    assert response.status_code == 200
    token = response.content.decode().split("<code")[1].split(">", 1)[1].split("<")[0]
    assert token.startswith("itdin_")
    source = InboundSource.objects.get()
    assert token not in source.token_hash
    from itdesk.channels.webhooks.inbound import authenticate

    assert authenticate("zabbix", token) == source
