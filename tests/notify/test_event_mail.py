"""Every ticket event's mail, as a Chinese-speaking and an English-speaking requester (or agent) gets it,
through a real SMTP server: subject, words, both parts, and nothing a person typed injected as HTML."""

import pytest

from itdesk.accounts.models import SupportGroup
from itdesk.notifications.mailheaders import root_id
from itdesk.sla.watcher import run_watcher
from itdesk.tickets import services
from itdesk.tickets.models import Priority
from tests.factories import UserFactory, member
from tests.notify.conftest import text_and_html
from tests.sla.helpers import at, sh

pytestmark = pytest.mark.django_db

MONDAY_9 = sh(2026, 11, 23, 9)

# What each language's reader must see: (subject words, body words) per notification.
WORDS = {
    "en": {
        "received": (
            "We received your request",
            ["registered it as", "within 30 minutes", "We will respond by", "09:30"],
        ),
        "acknowledged": ("has been acknowledged", ["confirmed the details", "handled by Agent1"]),
        "escalated": ("passed to a specialist group", ["needs a specialist", "It is now with: Network"]),
        "priority_changed": (
            "priority of your request changed",
            ["is now P2", "Reason: whole team affected"],
        ),
        "waiting_on_requester": ("We need your answer", ["Our question:", "Which VPN client version?"]),
        "reply": ("New reply", ["Agent1 wrote:", "Please restart the client"]),
        "resolved": (
            "Resolved — please confirm",
            ["confirm on the request page", "Resolution: Reset the VPN profile"],
        ),
        "closed": ("tell us how we did", ["Your request is closed", "Tell us how we did: http"]),
    },
    "zh-hans": {
        "received": ("我们已收到您的请求", ["登记编号为", "30分钟内", "最迟将于", "09:30"]),
        "acknowledged": ("您的请求已受理", ["已确认您的请求信息", "由 Agent1 处理"]),
        "escalated": ("已升级至专业技术支持小组", ["需要专业技术支持", "当前处理小组：Network"]),
        "priority_changed": ("优先级已调整", ["优先级已调整为 P2", "原因：whole team affected"]),
        "waiting_on_requester": ("需要您的答复", ["我们的问题：", "Which VPN client version?"]),
        "reply": ("新回复", ["Agent1 写道：", "Please restart the client"]),
        "resolved": ("已解决，请确认", ["请验证后在请求页面确认", "解决方案： Reset the VPN profile"]),
        "closed": ("请评价我们的服务", ["您的请求已关闭", "请评价我们的服务：http"]),
    },
}
ENGLISH_ONLY = ["We received", "Expected response", "Hello"]


def act(capture, fn, *args, **kwargs):
    """Run a service call and its after-commit deliveries."""
    with capture(execute=True):
        return fn(*args, **kwargs)


@pytest.fixture
def requester(request):
    language = request.param
    name = "王小明" if language == "zh-hans" else "Alice Wang"
    return UserFactory(username=f"req-{language}", display_name=name, language=language)


def by_subject(messages, words):
    found = [m for m in messages if words in str(m["Subject"])]
    assert len(found) == 1, [str(m["Subject"]) for m in messages]
    return found[0]


@pytest.mark.parametrize("requester", ["en", "zh-hans"], indirect=True)
def test_the_requester_hears_every_step_in_their_language(
    requester, smtp, service_desk, network_group, agent1, agent2, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with at(MONDAY_9):
        ticket = act(
            capture, services.create_ticket, actor=requester, title="VPN <b>down</b>", description="x"
        )
    act(capture, services.transition_ticket, ticket=ticket, actor=agent1, to="acknowledged")
    act(
        capture,
        services.update_ticket,
        ticket=ticket,
        actor=agent1,
        changes={"priority": Priority.objects.get(code="P2")},
        reason="whole team affected",
    )
    act(capture, services.transition_ticket, ticket=ticket, actor=agent1, to="diagnosing")
    act(capture, services.add_comment, ticket=ticket, actor=agent1, body="Please restart the client")
    act(
        capture,
        services.transition_ticket,
        ticket=ticket,
        actor=agent1,
        to="waiting_on_requester",
        note="Which VPN client version?",
    )
    act(capture, services.add_comment, ticket=ticket, actor=requester, body="Version 5.1")
    act(
        capture,
        services.transition_ticket,
        ticket=ticket,
        actor=agent1,
        to="escalated",
        group=network_group,
        note="needs the network team",
    )
    act(
        capture,
        services.transition_ticket,
        ticket=ticket,
        actor=agent2,
        to="resolved",
        resolution="Reset the VPN profile",
    )
    act(capture, services.transition_ticket, ticket=ticket, actor=requester, to="closed")

    mine = smtp.to(requester.email)
    assert len(mine) == len(WORDS[requester.language])
    for kind, (subject_words, body_words) in WORDS[requester.language].items():
        message = by_subject(mine, subject_words)
        assert str(message["Subject"]).strip().startswith(f"[{ticket.number}]"), kind
        text, html = text_and_html(message)
        for words in body_words:
            assert words in text, (kind, words, text)
        assert ticket.number in html and f"/portal/{ticket.number}/" in html
        assert "<b>down</b>" not in html and "VPN &lt;b&gt;down&lt;/b&gt;" in html  # escaped, never raw
        if requester.language == "zh-hans":
            for english in ENGLISH_ONLY:
                assert english not in text, (kind, english)
            assert '<html lang="zh-hans">' in html
    closed = by_subject(mine, WORDS[requester.language]["closed"][0])
    assert f"/portal/{ticket.number}/#survey" in text_and_html(closed)[1]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_desk_hears_replies_escalations_and_approvals_in_its_language(
    language, smtp, alice, service_desk, network_group, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    agent = member(UserFactory(username=f"agent-{language}", role="agent", language=language), service_desk)
    approver = UserFactory(username=f"approver-{language}", role="approver", language=language)
    ticket = act(
        capture, services.create_ticket, actor=alice, title="Replace the core switch", description="x"
    )
    act(capture, services.transition_ticket, ticket=ticket, actor=agent, to="diagnosing")
    act(capture, services.add_comment, ticket=ticket, actor=alice, body="It <i>still</i> fails")
    act(capture, services.transition_ticket, ticket=ticket, actor=agent, to="planning")
    act(
        capture,
        services.transition_ticket,
        ticket=ticket,
        actor=agent,
        to="awaiting_approval",
        note="Swap at night",
    )
    act(capture, services.transition_ticket, ticket=ticket, actor=approver, to="in_progress")
    act(
        capture,
        services.transition_ticket,
        ticket=ticket,
        actor=agent,
        to="escalated",
        group=network_group,
        note="needs the network team",
    )

    zh = language == "zh-hans"
    reply = by_subject(smtp.to(agent.email), "请求人已回复" if zh else "The requester replied")
    text, html = text_and_html(reply)
    assert ("Alice Wang 写道：" if zh else "Alice Wang wrote:") in text and "It <i>still</i> fails" in text
    assert "It &lt;i&gt;still&lt;/i&gt; fails" in html and f"/desk/{ticket.number}/" in html

    approval = by_subject(smtp.to(approver.email), "待审批" if zh else "Approval requested")
    text, _html = text_and_html(approval)
    assert ("需要您审批" if zh else "needs your approval") in text

    # Escalated with no one assigned: the target group's address, in the desk's language (English here).
    escalated = by_subject(smtp.to(network_group.email), "Escalated to your group")
    assert "escalated to your group with its full record" in text_and_html(escalated)[0]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_sla_warning_and_breach_use_the_same_layout_threading_and_language(
    language, smtp, alice, service_desk, lead1, django_capture_on_commit_callbacks
):
    agent = member(
        UserFactory(username=f"sla-agent-{language}", role="agent", language=language), service_desk
    )
    SupportGroup.objects.filter(pk=service_desk.pk).update(lead=lead1)
    with at(MONDAY_9):
        ticket = services.create_ticket(actor=alice, title="VPN fails", description="Cannot connect")
    with at(sh(2026, 11, 23, 9, 5)):
        services.transition_ticket(ticket=ticket, actor=agent, to="diagnosing")
    for minute in (23, 31):
        with at(sh(2026, 11, 23, 9, minute)), django_capture_on_commit_callbacks(execute=True):
            run_watcher()

    zh = language == "zh-hans"
    mine = smtp.to(agent.email)
    warning = by_subject(mine, "SLA预警" if zh else "SLA warning")
    breach = by_subject(mine, "SLA超时" if zh else "SLA breached")
    for message in (warning, breach):
        assert str(message["Subject"]).strip().startswith(f"[{ticket.number}]")
        text, html = text_and_html(message)
        assert "09:30" in text and f"/desk/{ticket.number}/" in html
        assert message["X-ITDesk-Ticket"] == ticket.number
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["In-Reply-To"] == root_id(ticket.number)  # in the ticket's thread
    assert ("即将超时" if zh else "is at risk") in text_and_html(warning)[0]
    assert ("已超时" if zh else "was breached") in text_and_html(breach)[0]
