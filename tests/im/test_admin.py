"""Admin: secrets are write-only, the callback URL is shown, and the test message reaches the robot."""

import pytest
from django.urls import reverse

from itdesk.channels.im.models import ImIntegration
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def _form_data(integration, **changes):
    data = {
        "name": integration.name,
        "platform": integration.platform,
        "active": "on",
        "api_base": integration.api_base,
        "language": "",
        "robot_events": ["created", "sla_breach"],
        "app_id": integration.app_id,
        "agent_id": integration.agent_id,
        "inbound_policy": "create_requester",
        "robot_url": "",
        "robot_secret": "",
        "app_secret": "",
        "bot_token": "",
        "signing_secret": "",
        "callback_token": "",
        "encrypt_key": "",
    }
    data.update(changes)
    return data


def test_secrets_are_never_shown_and_kept_when_left_empty(admin_client, dingtalk):
    url = reverse("admin:im_imintegration_change", args=[dingtalk.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert dingtalk.robot_secret not in html
    assert dingtalk.app_secret not in html
    assert f"/channels/im/dingtalk/{dingtalk.pk}/callback/" in html

    response = admin_client.post(url, _form_data(dingtalk, name="DingTalk renamed"))
    assert response.status_code == 302
    saved = ImIntegration.objects.get(pk=dingtalk.pk)
    assert saved.name == "DingTalk renamed"
    assert saved.robot_secret == dingtalk.robot_secret
    assert saved.app_secret == dingtalk.app_secret
    assert saved.robot_events == ["created", "sla_breach"]

    admin_client.post(url, _form_data(saved, app_secret="new-secret", clear_secrets=["robot_secret"]))
    saved.refresh_from_db()
    assert saved.app_secret == "new-secret"
    assert saved.robot_secret == ""


def test_send_test_message_action(admin_client, dingtalk, slack, fake):
    slack.robot_url = f"{fake.base_url}/services/wrong/hook"
    slack.save()
    response = admin_client.post(
        reverse("admin:im_imintegration_changelist"),
        {"action": "send_test_message", "_selected_action": [dingtalk.pk, slack.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "test message sent" in text
    assert "was not accepted" in text
    assert [c.accepted for c in fake.calls("dingtalk-robot")] == [True]
    assert [c.accepted for c in fake.calls("slack-robot")] == [False]
