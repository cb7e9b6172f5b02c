"""Preferences: who gets what on which channel; the settings page (CSRF enforced), the API, and the
desk's "Notifications" panel."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from itdesk.core.errors import ValidationFailed
from itdesk.notifications import registry
from itdesk.notifications.models import NotificationPreference, OutboxMessage
from itdesk.notifications.preferences import set_preferences
from itdesk.tickets import services
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

CHAT = "testchat"  # a chat channel of this test: a person's address there is their IM handle


@pytest.fixture
def chat(monkeypatch):
    """Register a chat channel like the IM apps do; what it was asked to send is recorded."""
    sent = []
    monkeypatch.setitem(registry._senders, CHAT, sent.append)
    monkeypatch.setitem(registry._addresses, CHAT, lambda user: user.im_handle or None)
    return sent


def act(capture, fn, **kwargs):
    with capture(execute=True):
        return fn(**kwargs)


def test_an_optional_notification_switched_off_is_not_sent(
    smtp, alice, agent1, service_desk, django_capture_on_commit_callbacks
):
    set_preferences(user=alice, choices={"acknowledged": [], "received": []})
    capture = django_capture_on_commit_callbacks
    ticket = act(capture, services.create_ticket, actor=alice, title="VPN", description="x")
    act(capture, services.transition_ticket, ticket=ticket, actor=agent1, to="acknowledged")
    act(capture, services.add_comment, ticket=ticket, actor=agent1, body="Looking at it")
    subjects = [m["Subject"] for m in smtp.to(alice.email)]
    assert len(subjects) == 1 and "New reply" in subjects[0]


def test_a_mandatory_notification_cannot_be_switched_off(alice):
    with pytest.raises(ValidationFailed) as info:
        set_preferences(user=alice, choices={"resolved": [], "closed": []})
    assert "resolved" in info.value.fields and "closed" not in info.value.fields
    assert not NotificationPreference.objects.exists()  # nothing half-saved
    with pytest.raises(ValidationFailed):
        set_preferences(user=alice, choices={"sla_breach": ["email"]})  # not a desk person's kind for alice


def test_a_chat_channel_without_an_identity_falls_back_to_email(
    chat, smtp, alice, agent1, service_desk, django_capture_on_commit_callbacks
):
    set_preferences(user=alice, choices={"reply": [CHAT]})
    capture = django_capture_on_commit_callbacks
    ticket = act(capture, services.create_ticket, actor=alice, title="VPN", description="x")
    act(capture, services.add_comment, ticket=ticket, actor=agent1, body="Please restart")
    assert [m["Subject"].split("]")[1].strip() for m in smtp.to(alice.email)] == [
        "We received your request: VPN",
        "New reply: VPN",
    ]
    assert chat == []
    reply = OutboxMessage.objects.get(event="reply")
    assert (reply.channel, reply.recipient, reply.status) == ("email", alice.email, "sent")


def test_a_chat_channel_with_an_identity_gets_it_there_and_email_too_when_chosen(
    chat, smtp, alice, agent1, service_desk, django_capture_on_commit_callbacks
):
    alice.im_handle = "alice-chat-id"
    alice.save()
    set_preferences(user=alice, choices={"reply": [CHAT], "acknowledged": ["email", CHAT]})
    capture = django_capture_on_commit_callbacks
    ticket = act(capture, services.create_ticket, actor=alice, title="VPN", description="x")
    act(capture, services.transition_ticket, ticket=ticket, actor=agent1, to="acknowledged")
    act(capture, services.add_comment, ticket=ticket, actor=agent1, body="Please restart")
    assert sorted((m.event, m.recipient) for m in chat) == [
        ("acknowledged", "alice-chat-id"),
        ("reply", "alice-chat-id"),
    ]
    assert "Please restart" in [m for m in chat if m.event == "reply"][0].body_text
    assert all(m.body_html == "" and m.headers == {} for m in chat)  # no mail headers on a chat
    mailed = sorted(m["Subject"].split("]")[1].strip().split(":")[0] for m in smtp.to(alice.email))
    assert mailed == ["We received your request", "Your request has been acknowledged"]


def _csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _ticked(page: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    return " checked" in tag


def test_the_settings_page_saves_with_a_real_csrf_token_and_refuses_without(alice):
    client = _csrf_client(alice)
    url = reverse("web:portal-notifications")
    page = client.get(url).content.decode()
    assert "Notification settings" in page and 'name="received:email"' in page
    assert 'name="sla_breach:email"' not in page  # a requester does not see the desk's kinds
    keep = ["received", "waiting_on_requester", "reply", "resolved", "closed"]  # acknowledged etc. off
    form = {f"{key}:email": "1" for key in keep}
    assert client.post(url, form).status_code == 403  # no token: refused
    response = client.post(url, {**form, "csrfmiddlewaretoken": _token(page)})
    assert response.status_code == 302 and response["Location"] == url
    stored = dict(NotificationPreference.objects.filter(user=alice).values_list("event", "channels"))
    assert stored["acknowledged"] == [] and stored["received"] == ["email"]
    page = client.get(url).content.decode()
    assert "Your notification settings are saved." in page
    assert not _ticked(page, "acknowledged:email") and _ticked(page, "received:email")


def test_the_settings_page_refuses_switching_off_a_mandatory_one(alice):
    client = _csrf_client(alice)
    url = reverse("web:portal-notifications")
    token = _token(client.get(url).content.decode())
    response = client.post(url, {"received:email": "1", "csrfmiddlewaretoken": token})
    assert response.status_code == 400
    assert "This notification cannot be switched off" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_the_desk_page_offers_the_desk_kinds(agent1, manager1):
    for user, kind in ((agent1, "sla_breach"), (manager1, "approval_requested")):
        client = _csrf_client(user)
        page = client.get(reverse("web:desk-notifications")).content.decode()
        assert f'name="{kind}:email"' in page
        assert reverse("web:desk-notifications") in page  # the nav link


def test_the_api_reads_and_changes_my_preferences(alice, chat):
    client = Client()
    client.force_login(alice)
    url = reverse("notifications-api:my-preferences")
    data = client.get(url).json()
    assert [c["name"] for c in data["channels"]][0] == "email"
    assert {"name": CHAT, "label": CHAT, "linked": False} in data["channels"]
    rows = {row["event"]: row for row in data["preferences"]}
    assert rows["resolved"]["mandatory"] and rows["received"]["channels"] == ["email"]
    response = client.put(
        url, {"preferences": {"acknowledged": [], "reply": [CHAT, "email"]}}, content_type="application/json"
    )
    assert response.status_code == 200
    rows = {row["event"]: row for row in response.json()["preferences"]}
    assert rows["acknowledged"]["channels"] == [] and rows["reply"]["channels"] == ["email", CHAT]
    bad = client.put(url, {"preferences": {"resolved": []}}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "resolved" in bad.json()["fields"]
    unknown = client.put(url, {"preferences": {"reply": ["carrier-pigeon"]}}, content_type="application/json")
    assert unknown.status_code == 400
    assert Client().get(url).status_code in (401, 403)


def test_the_desk_sees_which_channel_reached_the_requester(
    settings, alice, agent1, service_desk, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    capture = django_capture_on_commit_callbacks
    ticket = act(capture, services.create_ticket, actor=alice, title="VPN", description="x")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    act(capture, services.add_comment, ticket=ticket, actor=agent1, body="Please restart")

    desk = Client()
    desk.force_login(agent1)
    page = desk.get(reverse("web:desk-ticket", args=[ticket.number])).content.decode()
    panel = page[page.index('id="ticket-notifications"') :]
    panel = panel[: panel.index("</section>")]
    assert "Request received" in panel and "Reply from the desk" in panel
    assert "E-mail" in panel and alice.email in panel
    assert "Pending" in panel and "Sent" in panel
    assert "Error" in panel  # why the first one is still waiting

    api = desk.get(reverse("notifications-api:ticket-notifications", args=[ticket.number])).json()
    by_event = {row["event"]: row for row in api}
    assert by_event["received"]["status"] == "pending" and by_event["received"]["attempts"] == 1
    assert by_event["received"]["next_attempt_at"] and by_event["received"]["last_error"]
    assert by_event["reply"]["status"] == "sent" and by_event["reply"]["channel"] == "email"
    assert by_event["reply"]["recipient"] == alice.email and by_event["reply"]["person"] == "alice"

    # The requester sees neither the panel nor the list.
    requester = Client()
    requester.force_login(alice)
    portal = requester.get(reverse("web:portal-ticket", args=[ticket.number])).content.decode()
    assert 'id="ticket-notifications"' not in portal
    assert requester.get(reverse("web:desk-ticket", args=[ticket.number])).status_code == 403
    refused = requester.get(reverse("notifications-api:ticket-notifications", args=[ticket.number]))
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    stranger = UserFactory(username="stranger")
    requester.force_login(stranger)
    assert (
        requester.get(reverse("notifications-api:ticket-notifications", args=[ticket.number])).status_code
        == 404
    )


def test_the_panel_costs_the_same_queries_however_many_messages(alice, agent1, service_desk):
    from django.template import Context, Template
    from django.test import RequestFactory

    ticket = services.create_ticket(actor=alice, title="VPN", description="x")
    request = RequestFactory().get("/")
    request.user = agent1
    template = Template("{% load notification_tags %}{% ticket_notifications ticket %}")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            template.render(Context({"request": request, "ticket": ticket}))
        return len(queries)

    few = count()
    for i in range(5):
        services.add_comment(ticket=ticket, actor=agent1, body=f"reply {i}")
    assert OutboxMessage.objects.filter(ticket_id=ticket.pk).count() == 6
    assert count() == few == 1
