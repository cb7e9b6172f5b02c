"""Ticket events reach the group robots, and people get their notifications on their IM platform."""

import pytest

from itdesk.channels.im.models import ImIdentity, ImIntegration
from itdesk.notifications import registry
from itdesk.notifications.models import OutboxMessage, OutboxStatus
from itdesk.notifications.services import deliver, queue_message
from itdesk.tickets import services as tickets

pytestmark = pytest.mark.django_db

ROBOT_ROUTES = ["dingtalk-robot", "wecom-robot", "feishu-robot", "slack-robot"]


def _new_ticket(alice, capture):
    with capture(execute=True):
        return tickets.create_ticket(actor=alice, title="VPN drops every hour", description="Since Monday.")


def test_new_ticket_posts_to_every_group_robot_with_valid_signature(
    all_platforms, fake, alice, service_desk, django_capture_on_commit_callbacks
):
    ticket = _new_ticket(alice, django_capture_on_commit_callbacks)

    for route in ROBOT_ROUTES:
        calls = fake.calls(route)
        assert len(calls) == 1, route
        assert calls[0].accepted, (route, calls[0])
    dingtalk = fake.calls("dingtalk-robot")[0]
    assert ticket.number in dingtalk.body["markdown"]["title"]
    assert "VPN drops every hour" in dingtalk.body["markdown"]["text"]
    assert ticket.number in fake.calls("wecom-robot")[0].body["markdown"]["content"]
    assert ticket.number in fake.calls("feishu-robot")[0].body["content"]["text"]
    assert ticket.number in fake.calls("slack-robot")[0].body["text"]
    robot_rows = OutboxMessage.objects.filter(channel="im-robot")
    assert robot_rows.count() == 4
    assert set(robot_rows.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_only_chosen_events_are_posted(dingtalk, fake, alice, agent1, django_capture_on_commit_callbacks):
    dingtalk.robot_events = ["escalated"]
    dingtalk.save()
    ticket = _new_ticket(alice, django_capture_on_commit_callbacks)
    assert fake.calls("dingtalk-robot") == []
    with django_capture_on_commit_callbacks(execute=True):
        tickets.add_comment(ticket=ticket, actor=alice, body="Still broken")
    assert fake.calls("dingtalk-robot") == []


def test_wrong_robot_secret_is_refused_and_the_message_stays_pending(
    dingtalk, feishu, fake, alice, django_capture_on_commit_callbacks
):
    dingtalk.robot_secret = "SECwrong"
    dingtalk.save()
    feishu.robot_secret = "wrong"
    feishu.save()
    _new_ticket(alice, django_capture_on_commit_callbacks)

    assert [c.accepted for c in fake.calls("dingtalk-robot")] == [False]
    assert [c.accepted for c in fake.calls("feishu-robot")] == [False]
    for row in OutboxMessage.objects.filter(channel="im-robot"):
        assert row.status == OutboxStatus.PENDING
        assert "sign" in row.last_error
        assert row.next_attempt_at > row.created_at

    # The admin fixes the secret; the retry goes through.
    dingtalk.robot_secret = fake.config.dingtalk_robot_secret
    dingtalk.save()
    row = OutboxMessage.objects.get(channel="im-robot", recipient=f"integration:{dingtalk.pk}")
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    assert deliver(row.pk) is True
    assert fake.calls("dingtalk-robot")[-1].accepted


def test_no_integration_costs_one_token_read(alice, service_desk, django_assert_max_num_queries):
    from itdesk.channels.im import outbound

    assert outbound.robot_targets() == []
    with django_assert_max_num_queries(1):
        assert outbound.robot_targets() == []


def test_inactive_integration_gets_nothing(dingtalk, fake, alice, django_capture_on_commit_callbacks):
    dingtalk.active = False
    dingtalk.save()
    _new_ticket(alice, django_capture_on_commit_callbacks)
    assert fake.calls("dingtalk-robot") == []
    assert not OutboxMessage.objects.filter(channel="im-robot").exists()


PEOPLE = {
    "dingtalk": ("manager4711", "dingtalk-person"),
    "wecom": ("ZhangSan", "wecom-person"),
    "feishu": ("ou_7d8a6e6df7621556ce0d21922b676706ccs", "feishu-person"),
    "slack": ("U024BE7LH", "slack-post"),
}


@pytest.mark.parametrize("platform", sorted(PEOPLE))
def test_person_notification_on_each_platform(
    platform, all_platforms, fake, alice, django_capture_on_commit_callbacks
):
    external_id, route = PEOPLE[platform]
    ImIdentity.objects.create(user=alice, platform=platform, external_id=external_id)
    assert registry.address_for(platform, alice) == external_id

    with django_capture_on_commit_callbacks(execute=True):
        for n in (1, 2):
            queue_message(
                channel=platform,
                dedupe_key=f"test:{platform}:{n}",
                recipient=registry.address_for(platform, alice),
                subject=f"[IT001] Update {n}",
                body_text="Your request was acknowledged.",
            )

    calls = fake.calls(route)
    assert [c.accepted for c in calls] == [True, True]
    body = calls[0].body
    if platform == "dingtalk":
        assert body["userid_list"] == external_id
        assert "[IT001] Update 1" in body["msg"]["text"]["content"]
    elif platform == "wecom":
        assert body["touser"] == external_id
        assert "acknowledged" in body["text"]["content"]
    elif platform == "feishu":
        assert body["receive_id"] == external_id
        assert "[IT001] Update 1" in body["content"]
    else:
        assert body["channel"] == external_id
    token_routes = {"dingtalk": "dingtalk-token", "wecom": "wecom-token", "feishu": "feishu-token"}
    if platform in token_routes:
        assert len(fake.calls(token_routes[platform])) == 1  # cached for the second message
    assert set(OutboxMessage.objects.filter(channel=platform).values_list("status", flat=True)) == {
        OutboxStatus.SENT
    }


def test_person_notification_error_is_retried(wecom, fake, alice, django_capture_on_commit_callbacks):
    fake.config.fail_people_times = 1
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_message(
            channel="wecom", dedupe_key="t:1", recipient="ZhangSan", subject="Hello", body_text="Body"
        )
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert "40014" in message.last_error
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
    assert deliver(message.pk) is True
    assert len(fake.calls("wecom-token")) == 2  # the refused token was dropped and fetched again


def test_person_without_identity_has_no_address(alice, dingtalk):
    assert registry.address_for("dingtalk", alice) is None


def test_no_app_credentials_keeps_message_pending(db, fake, django_capture_on_commit_callbacks):
    ImIntegration.objects.create(name="Robot only", platform="feishu", robot_url="https://x.test/hook")
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_message(
            channel="feishu", dedupe_key="t:2", recipient="ou_1", subject="S", body_text="B"
        )
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert "no active feishu integration" in message.last_error


def test_escalation_and_requester_reply_reach_the_robot_when_chosen(
    wecom, fake, alice, agent1, network_group, django_capture_on_commit_callbacks
):
    wecom.robot_events = ["escalated", "requester_reply"]
    wecom.language = "zh-hans"
    wecom.save()
    ticket = _new_ticket(alice, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        tickets.transition_ticket(ticket=ticket, actor=agent1, to="acknowledged")
        tickets.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
        tickets.transition_ticket(
            ticket=ticket, actor=agent1, to="escalated", group=network_group, note="needs network team"
        )
        tickets.add_comment(ticket=ticket, actor=agent1, body="Looking into it")  # the desk: not posted
        tickets.add_comment(ticket=ticket, actor=alice, body="It happens again")
    posts = [c.body["markdown"]["content"] for c in fake.calls("wecom-robot")]
    assert len(posts) == 2
    assert f"工单 {ticket.number} 已升级" in posts[0]
    assert f"请求人回复了工单 {ticket.number}" in posts[1]
    assert "Network" in posts[0]  # the group it went to
