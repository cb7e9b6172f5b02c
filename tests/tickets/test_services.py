"""Ticket services: what the desk and requesters would notice."""

import pytest
from django.core import mail

from itdesk.core.errors import NotFound, StaleVersion, ValidationFailed
from itdesk.notifications.models import OutboxMessage
from itdesk.tickets import selectors, services
from itdesk.tickets.models import AppendOnlyError, Attachment, Priority, TicketEvent
from itdesk.tickets.services import FieldNotAllowed, InvalidTransition, NewAttachment, TicketClosed

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, service_desk):
    return services.create_ticket(actor=alice, title="VPN 连接失败", description="Cannot connect since 9am")


def test_a_request_walks_the_standard_process(
    alice, agent1, agent2, network_group, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.create_ticket(
            actor=alice, title="VPN 连接失败", description="Cannot connect since 9am"
        )
    assert ticket.number.startswith("IT") and len(ticket.number) == 13
    assert ticket.priority.code == "P3" and ticket.group.is_first_line
    assert mailoutbox[0].subject.startswith(f"[{ticket.number}]")
    assert "within 30 minutes" in mailoutbox[0].body
    ticket = services.transition_ticket(ticket=ticket, actor=agent1, to="acknowledged")
    assert ticket.assignee == agent1 and ticket.first_response_at is not None
    ticket = services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    ticket = services.transition_ticket(
        ticket=ticket, actor=agent1, to="escalated", group=network_group, note="needs network team"
    )
    assert ticket.group == network_group and ticket.assignee is None and ticket.escalated_at
    ticket = services.transition_ticket(
        ticket=ticket, actor=agent2, to="resolved", resolution="Reset VPN profile"
    )
    ticket = services.transition_ticket(ticket=ticket, actor=alice, to="closed")
    assert ticket.status == "closed" and ticket.closed_at and ticket.resolution == "Reset VPN profile"
    statuses = [e.new_value for e in ticket.events.filter(kind="status")]
    assert statuses == ["acknowledged", "diagnosing", "escalated", "resolved", "closed"]


def test_requester_cannot_set_desk_fields(alice, service_desk):
    p1 = Priority.objects.get(code="P1")
    with pytest.raises(FieldNotAllowed):
        services.create_ticket(actor=alice, title="x", description="y", priority=p1)
    with pytest.raises(FieldNotAllowed):
        services.create_ticket(actor=alice, title="x", description="y", group=service_desk)


def test_requester_impact_and_urgency_derive_the_priority(alice, service_desk):
    ticket = services.create_ticket(
        actor=alice, title="全公司无法上网", description="all down", impact=1, urgency=1
    )
    assert ticket.priority.code == "P1"


def test_routing_and_priority_levels_edited_in_the_admin_apply_to_the_next_request(
    alice, service_desk, network_group
):
    first = services.create_ticket(actor=alice, title="打印机卡纸", description="jam", impact=1, urgency=1)
    assert first.group == service_desk and first.priority.code == "P1"
    # The admin makes the network group the first line and adds a more urgent level above P1.
    service_desk.is_first_line = False
    service_desk.save()
    network_group.is_first_line = True
    network_group.save()
    Priority.objects.create(
        code="P0", name_en="Critical", name_zh="紧急", rank=0, response_minutes=5, resolution_minutes=60
    )
    second = services.create_ticket(actor=alice, title="打印机卡纸", description="jam", impact=1, urgency=1)
    assert second.group == network_group and second.priority.code == "P0"


def test_a_requester_cannot_register_for_someone_else(alice, bob):
    with pytest.raises(Exception) as info:
        services.create_ticket(actor=alice, requester=bob, title="x", description="y")
    assert info.value.code == "permission_denied"


def test_stale_version_overwrites_nothing(ticket, agent1, lead1):
    read_by_agent1 = ticket.version
    services.update_ticket(
        ticket=ticket, actor=lead1, changes={"title": "VPN down (lead)"}, expected_version=read_by_agent1
    )
    with pytest.raises(StaleVersion) as info:
        services.update_ticket(
            ticket=ticket, actor=agent1, changes={"title": "mine"}, expected_version=read_by_agent1
        )
    assert info.value.code == "stale_version" and info.value.status == 409
    ticket.refresh_from_db()
    assert ticket.title == "VPN down (lead)" and ticket.version == read_by_agent1 + 1


def test_priority_change_needs_a_reason_and_is_recorded(
    ticket, agent1, django_capture_on_commit_callbacks, mailoutbox
):
    p2 = Priority.objects.get(code="P2")
    with pytest.raises(Exception) as info:
        services.update_ticket(ticket=ticket, actor=agent1, changes={"priority": p2})
    assert info.value.code == "reason_required"
    with django_capture_on_commit_callbacks(execute=True):
        services.update_ticket(
            ticket=ticket, actor=agent1, changes={"priority": p2}, reason="whole team affected"
        )
    event = ticket.events.get(kind="field", field="priority")
    assert (event.old_value, event.new_value, event.note) == ("P3", "P2", "whole team affected")
    assert any("priority" in m.subject for m in mailoutbox)


def test_illegal_move_is_refused_with_its_code(ticket, agent1, alice):
    with pytest.raises(InvalidTransition) as info:
        services.transition_ticket(ticket=ticket, actor=agent1, to="closed")
    assert info.value.code == "invalid_transition"
    services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    with pytest.raises(InvalidTransition) as info:
        services.transition_ticket(ticket=ticket, actor=alice, to="resolved", resolution="I fixed it")
    assert info.value.code == "transition_not_permitted"
    with pytest.raises(ValidationFailed) as info:
        services.transition_ticket(ticket=ticket, actor=agent1, to="resolved")
    assert info.value.code == "resolution_required" and "resolution" in info.value.fields


def test_someone_elses_ticket_is_not_found(ticket, bob):
    with pytest.raises(NotFound):
        services.transition_ticket(ticket=ticket, actor=bob, to="cancelled", note="not mine")
    with pytest.raises(NotFound):
        services.add_comment(ticket=ticket, actor=bob, body="hello")
    with pytest.raises(NotFound):
        selectors.get_ticket(bob, ticket.number)


def test_internal_notes_never_reach_the_requester(ticket, agent1, alice):
    services.add_comment(ticket=ticket, actor=agent1, body="check the RADIUS logs", internal=True)
    services.add_comment(ticket=ticket, actor=agent1, body="Please restart the VPN client")
    with pytest.raises(FieldNotAllowed):
        services.add_comment(ticket=ticket, actor=alice, body="sneaky", internal=True)
    assert [c.body for c in selectors.comments_for(alice, ticket)] == ["Please restart the VPN client"]
    assert len(selectors.comments_for(agent1, ticket)) == 2
    seen = [e.comment.body for e in selectors.events_for(alice, ticket) if e.comment]
    assert seen == ["Please restart the VPN client"]


def test_first_public_desk_reply_is_the_first_response(ticket, agent1):
    services.add_comment(ticket=ticket, actor=agent1, body="note", internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    services.add_comment(ticket=ticket, actor=agent1, body="We are on it")
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None


def test_requester_reply_resumes_a_ticket_waiting_on_them(ticket, agent1, alice):
    services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    services.transition_ticket(
        ticket=ticket, actor=agent1, to="waiting_on_requester", note="Which VPN client version?"
    )
    services.add_comment(ticket=ticket, actor=alice, body="Version 5.1")
    ticket.refresh_from_db()
    assert ticket.status == "diagnosing" and ticket.status_before_wait == ""
    resume = ticket.events.filter(kind="status").last()
    assert resume.actor is None and resume.old_value == "waiting_on_requester"


def test_closed_ticket_takes_no_more_changes(ticket, agent1, alice):
    services.transition_ticket(ticket=ticket, actor=alice, to="cancelled", note="solved it myself")
    with pytest.raises(TicketClosed):
        services.add_comment(ticket=ticket, actor=alice, body="one more thing")
    with pytest.raises(TicketClosed):
        services.update_ticket(ticket=ticket, actor=agent1, changes={"title": "x"})


def test_events_are_append_only(ticket):
    event = ticket.events.first()
    event.note = "rewrite history"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert TicketEvent.objects.get(pk=event.pk).note == ""


def test_attachments_are_checked_and_a_failed_write_leaves_no_file(alice, service_desk, settings, tmp_path):
    settings.ITDESK_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(ValidationFailed) as info:
        services.create_ticket(
            actor=alice, title="x", description="y", attachments=[NewAttachment("evil.exe", b"MZ...")]
        )
    assert info.value.code == "file_type_not_allowed"
    with pytest.raises(ValidationFailed) as info:
        services.create_ticket(
            actor=alice, title="x", description="y", attachments=[NewAttachment("big.log", b"x" * 1001)]
        )
    assert info.value.code == "file_too_large"
    ok = NewAttachment("../../etc/screenshot.png", b"\x89PNG...")
    ticket = services.create_ticket(actor=alice, title="x", description="y", attachments=[ok])
    stored = Attachment.objects.get(ticket=ticket)
    assert stored.filename == "screenshot.png" and ".." not in stored.file.name
    files_before = sorted(p for p in (tmp_path / "attachments").rglob("*") if p.is_file())
    with pytest.raises(ValidationFailed):
        services.create_ticket(
            actor=alice, title="", description="y", attachments=[NewAttachment("shot.png", b"data")]
        )
    assert sorted(p for p in (tmp_path / "attachments").rglob("*") if p.is_file()) == files_before


def test_mail_waits_in_the_outbox_when_smtp_is_down(
    alice, service_desk, settings, django_capture_on_commit_callbacks
):
    from itdesk.notifications import services as outbox

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    with django_capture_on_commit_callbacks(execute=True):
        services.create_ticket(actor=alice, title="printer", description="jam")
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and message.attempts == 1 and "Error" in message.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboxMessage.objects.update(next_attempt_at=message.created_at)
    assert outbox.deliver_due() == 1
    assert outbox.deliver_due() == 0  # never twice
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get().status == "sent"


def test_a_requester_cannot_reassign_through_a_move(ticket, agent1, alice, network_group):
    services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    services.transition_ticket(ticket=ticket, actor=agent1, to="resolved", resolution="restarted")
    with pytest.raises(FieldNotAllowed):
        services.transition_ticket(
            ticket=ticket, actor=alice, to="diagnosing", note="still broken", assignee=agent1
        )
    with pytest.raises(FieldNotAllowed):
        services.transition_ticket(ticket=ticket, actor=alice, to="closed", group=network_group)
    ticket.refresh_from_db()
    assert ticket.status == "resolved"


def test_escalation_is_visible_to_the_requester_but_the_handover_is_not(ticket, agent1, alice, network_group):
    services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    services.transition_ticket(
        ticket=ticket, actor=agent1, to="escalated", group=network_group, note="RADIUS issue"
    )
    requester_view = list(selectors.events_for(alice, ticket))
    assert "escalated" in [e.new_value for e in requester_view]
    assert "RADIUS issue" not in str([(e.note, e.comment and e.comment.body) for e in requester_view])
    desk_notes = [c.body for c in selectors.comments_for(agent1, ticket) if c.internal]
    assert desk_notes == ["RADIUS issue"]


def test_a_reply_resumes_a_ticket_put_on_hold_right_after_acknowledging(ticket, agent1, alice):
    services.transition_ticket(ticket=ticket, actor=agent1, to="acknowledged")
    services.transition_ticket(ticket=ticket, actor=agent1, to="waiting_on_requester", note="Your asset tag?")
    comment = services.add_comment(ticket=ticket, actor=alice, body="A-10422")
    ticket.refresh_from_db()
    assert ticket.status == "acknowledged"
    assert comment.pk and ticket.comments.filter(body="A-10422").exists()
