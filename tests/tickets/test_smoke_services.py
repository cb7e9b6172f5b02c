import pytest

from itdesk.tickets import services


@pytest.mark.django_db
def test_a_request_walks_the_standard_process(alice, agent1, agent2, network_group, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.create_ticket(actor=alice, title="VPN 连接失败", description="Cannot connect since 9am")
    assert ticket.number.startswith("IT") and len(ticket.number) == 13
    assert ticket.priority.code == "P3"
    assert mailoutbox[0].subject.startswith(f"[{ticket.number}]")
    assert "30 minutes" in mailoutbox[0].body
    ticket = services.transition_ticket(ticket=ticket, actor=agent1, to="acknowledged")
    ticket = services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    ticket = services.transition_ticket(
        ticket=ticket, actor=agent1, to="escalated", group=network_group, note="needs network team"
    )
    ticket = services.transition_ticket(ticket=ticket, actor=agent2, to="resolved", resolution="Reset VPN profile")
    assert ticket.status == "resolved"
    assert ticket.assignee is None and ticket.group == network_group
    assert [e.kind for e in ticket.events.all()][0] == "created"
