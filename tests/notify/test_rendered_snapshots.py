"""Every notification a ticket's life queues, byte for byte as it was before the queueing was made cheap.

Messages are queued as a template and a JSON snapshot and rendered when delivered; each row here is
rendered the way delivery renders it, so the snapshots hold what a person receives.

The snapshots in tests/notify/snapshots/ were written by the rendering code as it stood before the fast
path (per-process status labels, one preference read without the ORM, no savepoint on SQLite); a change
to what a person receives shows up here as a diff. After a deliberate change to a template or a
translation, regenerate them with ITDESK_WRITE_SNAPSHOTS=1 and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from itdesk.accounts.models import SupportGroup
from itdesk.notifications.models import OutboxMessage
from itdesk.notifications.services import render_body
from itdesk.sla.watcher import run_watcher
from itdesk.tickets import services
from itdesk.tickets.models import Priority
from tests.factories import UserFactory, member
from tests.sla.helpers import at, sh

pytestmark = pytest.mark.django_db

SNAPSHOTS = Path(__file__).parent / "snapshots"
WRITE = os.environ.get("ITDESK_WRITE_SNAPSHOTS") == "1"


def _row(message: OutboxMessage, roots: set[str]) -> dict:
    assert message.template and not message.body_text  # queued unrendered: rendered when delivered
    render_body(message)  # what delivery does first
    headers = dict(message.headers)
    # A non-root Message-ID is derived from database ids (not stable across engines): keep its shape.
    if headers.get("Message-ID") not in roots:
        headers["Message-ID"] = headers["Message-ID"].split(".")[0] + ".<number>.<token>.<signature>"
    return {
        "event": message.event,
        "channel": message.channel,
        "recipient": message.recipient,
        "language": message.language,
        "subject": message.subject,
        "body_text": message.body_text,
        "body_html": message.body_html,
        "headers": headers,
    }


def _life_of_a_ticket(language: str, network_group, service_desk) -> list[dict]:
    """Create, work, reply, approve, escalate, resolve, close and breach a ticket; every row queued."""
    requester = UserFactory(
        username=f"snap-req-{language}",
        display_name="王小明" if language == "zh-hans" else "Alice Wang",
        language=language,
    )
    agent = member(
        UserFactory(username=f"snap-agent-{language}", role="agent", language=language), service_desk
    )
    lead = member(UserFactory(username=f"snap-lead-{language}", role="lead", language=language), service_desk)
    SupportGroup.objects.filter(pk=service_desk.pk).update(lead=lead, email="")
    approver = UserFactory(username=f"snap-approver-{language}", role="approver", language=language)
    with at(sh(2026, 11, 23, 9)):
        ticket = services.create_ticket(
            actor=requester, title='VPN <b>down</b> & "quoted"', description="Cannot connect"
        )
    with at(sh(2026, 11, 23, 9, 5)):
        services.transition_ticket(ticket=ticket, actor=agent, to="acknowledged")
    with at(sh(2026, 11, 23, 9, 40)):
        run_watcher()  # the resolution clock's warning or breach, if due
        services.update_ticket(
            ticket=ticket,
            actor=agent,
            changes={"priority": Priority.objects.get(code="P2")},
            reason="whole team <affected> & more",
        )
        services.transition_ticket(ticket=ticket, actor=agent, to="diagnosing")
        services.add_comment(
            ticket=ticket,
            actor=agent,
            body="Please restart: see https://kb.example.com/vpn?a=1&b=2 or www.example.org.\n\n"
            "Mail help@example.com <script>x</script>",
        )
        services.transition_ticket(
            ticket=ticket, actor=agent, to="waiting_on_requester", note="Which VPN client version?"
        )
        services.add_comment(ticket=ticket, actor=requester, body="Version 5.1 <i>still</i> fails")
        services.transition_ticket(ticket=ticket, actor=agent, to="planning")
        services.transition_ticket(ticket=ticket, actor=agent, to="awaiting_approval", note="Swap at night")
        services.transition_ticket(ticket=ticket, actor=approver, to="in_progress")
        services.transition_ticket(
            ticket=ticket, actor=agent, to="escalated", group=network_group, note="needs the network team"
        )
    with at(sh(2026, 11, 24, 10)):
        run_watcher()
        services.transition_ticket(ticket=ticket, actor=agent, to="resolved", resolution="Reset the profile")
        services.transition_ticket(ticket=ticket, actor=requester, to="closed")
    from itdesk.notifications.mailheaders import root_id

    roots = {root_id(ticket.number)}
    return [_row(m, roots) for m in OutboxMessage.objects.order_by("pk")]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_queued_message_is_byte_identical_to_its_snapshot(
    language, settings, service_desk, network_group
):
    settings.SECRET_KEY = "snapshot-secret-key-not-for-production-0123456789"
    settings.SITE_URL = "https://desk.example.test"
    settings.DEFAULT_FROM_EMAIL = "ITDesk <itdesk@desk.example.test>"
    settings.ITDESK_MAIL_REPLY_TO = "helpdesk@desk.example.test"
    settings.ITDESK_MAIL_MESSAGE_ID_DOMAIN = ""
    rows = _life_of_a_ticket(language, network_group, service_desk)
    path = SNAPSHOTS / f"ticket_life_{language}.json"
    if WRITE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert [(r["event"], r["recipient"]) for r in rows] == [(r["event"], r["recipient"]) for r in expected]
    for got, want in zip(rows, expected, strict=True):
        assert got == want, (got["event"], got["recipient"])
    # The walk reaches the requester, the desk, the approver and the SLA alerts, in both parts.
    assert {"received", "reply", "requester_reply", "approval_requested", "closed"} <= {
        r["event"] for r in rows
    }
    assert any(r["event"].startswith("sla_") for r in rows)
    assert all(r["body_html"] for r in rows if r["channel"] == "email")
