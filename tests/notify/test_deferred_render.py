"""A ticket's notifications are queued as a template and a snapshot, and rendered when delivered.

The request that changes a ticket does not render mail; the outbox does, once, before the first send.
A template that fails to render (a local customisation gone wrong) does not refuse the change: the
message waits with the error on its row and goes out once the template renders again.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from itdesk.notifications import services as outbox
from itdesk.notifications.models import OutboxMessage
from itdesk.tickets import services
from itdesk.tickets.models import Ticket


def _text(message):
    """The plain-text part of a received e-mail."""
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode(part.get_content_charset()).replace("\r\n", "\n")


@pytest.mark.django_db
def test_the_row_holds_template_and_snapshot_until_delivery_renders_the_mail_it_sends(
    smtp, alice, agent1, service_desk
):
    ticket = services.create_ticket(actor=alice, title="Printer <jam>", description="E05")
    services.transition_ticket(ticket=ticket, actor=agent1, to="acknowledged")  # assigns agent1
    received, acknowledged = OutboxMessage.objects.filter(ticket_id=ticket.pk).order_by("pk")
    assert (received.template, received.body_text, received.body_html) == ("received", "", "")
    assert received.context["ticket"]["number"] == ticket.number
    assert received.context["ticket"]["title"] == "Printer <jam>"
    assert received.subject == f"[{ticket.number}] We received your request: Printer <jam>"
    assert acknowledged.context["ticket"]["assignee"] == {"name": agent1.name}

    assert outbox.deliver(received.pk) and outbox.deliver(acknowledged.pk)
    received.refresh_from_db()
    acknowledged.refresh_from_db()
    mail_received, mail_acknowledged = smtp.to(alice.email)
    assert _text(mail_received) == received.body_text  # the row shows what was sent
    assert f"Request: {ticket.number} — Printer <jam>" in received.body_text
    assert "Printer &lt;jam&gt;" in received.body_html and "<jam>" not in received.body_html
    assert f"Your request is handled by {agent1.name}." in _text(mail_acknowledged)
    assert received.status == acknowledged.status == "sent"


@pytest.mark.django_db
def test_a_template_that_fails_delays_the_mail_but_never_refuses_the_request(
    smtp, settings, tmp_path, alice, service_desk, django_capture_on_commit_callbacks
):
    broken = tmp_path / "templates" / "notifications" / "email" / "events"
    broken.mkdir(parents=True)
    (broken / "received.txt").write_text("{% if %}", encoding="utf-8")  # a local override, broken
    working = settings.TEMPLATES
    settings.TEMPLATES = [{**working[0], "DIRS": [tmp_path / "templates"]}]

    with django_capture_on_commit_callbacks(execute=True):  # delivery is tried right after commit
        ticket = services.create_ticket(actor=alice, title="VPN", description="down")
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    message = OutboxMessage.objects.get(ticket_id=ticket.pk)
    assert (message.status, message.attempts, message.body_text) == ("pending", 1, "")
    assert message.last_error.startswith("TemplateSyntaxError")
    assert smtp.to(alice.email) == []

    settings.TEMPLATES = working  # the override is fixed
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1)):
        assert outbox.deliver_due() == 1
    [mail] = smtp.to(alice.email)
    assert f"We received your request and registered it as {ticket.number} with priority P" in _text(mail)
    message.refresh_from_db()
    assert message.status == "sent" and message.body_text == _text(mail)


@pytest.mark.django_db
def test_a_message_has_either_a_body_or_a_template():
    with pytest.raises(ValueError):
        outbox.queue_email(dedupe_key="k", recipient="a@example.test", subject="s")
    with pytest.raises(ValueError):
        outbox.queue_email(
            dedupe_key="k", recipient="a@example.test", subject="s", body_text="x", template="received"
        )


@pytest.mark.django_db(transaction=True)
def test_the_template_columns_are_added_to_the_outbox_in_place_keeping_every_row():
    before, after = (
        ("notifications", "0002_event_user_preferences"),
        ("notifications", "0003_outbox_template"),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps.get_model("notifications", "OutboxMessage")
    old.objects.create(dedupe_key="old-1", recipient="a@example.test", subject="Old", body_text="Hello")

    executor = MigrationExecutor(connection)
    with CaptureQueriesContext(connection) as queries:
        executor.migrate([after])
    kept = OutboxMessage.objects.get(dedupe_key="old-1")
    assert (kept.body_text, kept.template, kept.context) == ("Hello", "", {})
    if connection.vendor == "sqlite":  # no copy of the table: two ALTER TABLE ... ADD COLUMN
        statements = [q["sql"] for q in queries.captured_queries]
        assert not any("new__notifications_outboxmessage" in sql for sql in statements)
        assert (
            sum(sql.startswith('ALTER TABLE "notifications_outboxmessage" ADD COLUMN') for sql in statements)
            == 2
        )
    OutboxMessage.objects.create(dedupe_key="new-1", recipient="b@example.test", subject="New", template="x")
    assert OutboxMessage.objects.get(dedupe_key="new-1").context == {}


def test_every_ticket_value_a_template_shows_is_in_its_snapshot():
    """A template that starts to show another of the ticket's values must get it in its snapshot too."""
    import re
    from pathlib import Path

    from itdesk.tickets.notify import TEMPLATE_RELATIONS

    root = Path(outbox.__file__).parent / "templates" / "notifications" / "email"
    always = {"number", "title", "priority", "resolution"}  # what snapshot() writes for every template
    for layout in ("base.txt", "base.html"):
        assert set(re.findall(r"ticket\.(\w+)", (root / layout).read_text())) <= always
    for path in sorted((root / "events").glob("*.txt")):
        used = set(re.findall(r"ticket\.(\w+)", path.read_text()))
        assert used <= always | set(TEMPLATE_RELATIONS.get(path.stem, ())), path.name
    assert set(TEMPLATE_RELATIONS) <= {path.stem for path in (root / "events").glob("*.txt")}
