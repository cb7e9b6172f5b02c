"""E-mail in: what a message becomes (a ticket, a reply, or a recorded reason why not)."""

from __future__ import annotations

import base64
import io
import time

import pytest
from django.conf import settings
from django.core.management import call_command

from itdesk.accounts.models import User
from itdesk.channels.mail import msgid
from itdesk.channels.mail.models import InboundMessage, TicketParticipant
from itdesk.channels.mail.services.ingest import ingest_message, reprocess_message
from itdesk.notifications.models import OutboxMessage
from itdesk.tickets import services
from itdesk.tickets.models import Attachment, Comment, Ticket
from tests.factories import UserFactory
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db


def genuine_id(number: str) -> str:
    return msgid.make_message_id(
        ticket_number=number, secret=settings.SECRET_KEY, domain="itdesk.example.test"
    )


@pytest.fixture
def alice_ticket(alice, mailbox):
    result = ingest_message(raw=make_mail(), mailbox=mailbox)
    return Ticket.objects.get(number=result.ticket_number)


def test_a_mail_from_a_known_person_becomes_their_ticket(alice, mailbox):
    raw = make_mail(cc="Carol <carol@example.test>, helpdesk@example.test")
    result = ingest_message(raw=raw, mailbox=mailbox)
    assert result.action == "created"
    ticket = Ticket.objects.get(number=result.ticket_number)
    assert ticket.requester == alice
    assert ticket.channel == "email"
    assert ticket.title == "Printer on floor 3 is jammed"
    assert "error E52" in ticket.description
    assert ticket.contact_email == "alice@example.test"
    # Copied people become participants; the desk's own address does not.
    assert set(TicketParticipant.objects.filter(ticket=ticket).values_list("email", flat=True)) == {
        "carol@example.test"
    }
    row = InboundMessage.objects.get()
    assert (row.status, row.action, row.ticket) == ("processed", "created", ticket)
    assert row.raw is None  # processed: nothing to keep for a reprocess


def test_an_unknown_sender_is_registered_as_a_requester_in_their_language(mailbox, desk):
    raw = make_mail(sender="张伟 <zhang.wei@example.test>", subject="电脑无法开机", body="按电源键没有反应。")
    result = ingest_message(raw=raw, mailbox=mailbox)
    assert result.action == "created"
    user = User.objects.get(email="zhang.wei@example.test")
    assert (user.username, user.role, user.language, user.display_name) == (
        "zhang.wei",
        "requester",
        "zh-hans",
        "张伟",
    )
    assert not user.has_usable_password()
    assert Ticket.objects.get(number=result.ticket_number).title == "电脑无法开机"


def test_a_reply_naming_a_genuine_itdesk_message_id_is_added_to_the_ticket(alice, alice_ticket, mailbox):
    reply = make_mail(
        subject="Re: something else entirely",
        body="It works again, thanks.\n\nOn Monday the desk wrote:\n> We restarted the spooler.\n> Please retry.",
        in_reply_to=genuine_id(alice_ticket.number),
    )
    result = ingest_message(raw=reply, mailbox=mailbox)
    assert (result.action, result.ticket_number) == ("appended", alice_ticket.number)
    comment = Comment.objects.get(ticket=alice_ticket)
    assert comment.author == alice
    assert comment.body.startswith("It works again, thanks.")
    assert "spooler" not in comment.body  # the quoted history is trimmed
    assert Ticket.objects.count() == 1


def test_a_reply_with_the_ticket_tag_in_the_subject_from_the_requester_is_added(alice, alice_ticket, mailbox):
    reply = make_mail(
        subject=f"Re: [{alice_ticket.number}] Printer on floor 3 is jammed", body="Still jammed."
    )
    result = ingest_message(raw=reply, mailbox=mailbox)
    assert (result.action, result.ticket_number) == ("appended", alice_ticket.number)
    assert Comment.objects.get(ticket=alice_ticket).body == "Still jammed."


def test_a_forged_subject_tag_from_an_outsider_opens_their_own_ticket(alice_ticket, bob, mailbox):
    forged = make_mail(
        sender="Bob Li <bob@example.test>",
        subject=f"Re: [{alice_ticket.number}] close this",
        body="Close it.",
    )
    result = ingest_message(raw=forged, mailbox=mailbox)
    assert result.action == "created"
    assert result.reason == "outsider"
    assert result.ticket_number != alice_ticket.number
    assert Ticket.objects.get(number=result.ticket_number).requester == bob
    assert not Comment.objects.filter(ticket=alice_ticket).exists()


def test_a_forged_reply_is_held_when_the_mailbox_says_so_and_can_be_released(alice_ticket, bob, mailbox):
    mailbox.outsider_policy = "hold"
    mailbox.save()
    forged = make_mail(
        sender="bob@example.test",
        subject="Re: Printer",
        body="Mine too.",
        in_reply_to=genuine_id(alice_ticket.number),
    )
    result = ingest_message(raw=forged, mailbox=mailbox)
    assert (result.action, result.ticket_number, result.reason) == ("held", None, "outsider")
    held = InboundMessage.objects.get(pk=result.inbound_id)
    assert bytes(held.raw) == forged  # nothing is lost
    assert Ticket.objects.count() == 1 and not Comment.objects.exists()

    out = io.StringIO()
    call_command("mail", "reprocess", str(held.pk), stdout=out)
    assert '"action": "created"' in out.getvalue()
    held.refresh_from_db()
    assert (held.status, held.attempts, held.ticket.requester) == ("processed", 2, bob)
    assert not Comment.objects.filter(ticket=alice_ticket).exists()


def test_a_message_id_with_a_bad_signature_does_not_thread(alice, alice_ticket, mailbox):
    real = genuine_id(alice_ticket.number)
    forged_id = real[:-30] + ("0" if real[-30] != "0" else "1") + real[-29:]
    assert msgid.ticket_from_message_id(forged_id, secret=settings.SECRET_KEY) is None
    result = ingest_message(raw=make_mail(subject="Another problem", in_reply_to=forged_id), mailbox=mailbox)
    assert result.action == "created" and result.ticket_number != alice_ticket.number


def test_a_copied_participant_may_reply_and_is_named_in_the_comment(alice, mailbox):
    first = ingest_message(raw=make_mail(cc="Carol Chen <carol@example.test>"), mailbox=mailbox)
    reply = make_mail(
        sender="Carol Chen <carol@example.test>",
        subject=f"Re: [{first.ticket_number}] Printer",
        body="Same on floor 4.",
    )
    result = ingest_message(raw=reply, mailbox=mailbox)
    assert (result.action, result.ticket_number) == ("appended", first.ticket_number)
    comment = Comment.objects.get(ticket__number=first.ticket_number)
    assert "carol@example.test" in comment.body and "Same on floor 4." in comment.body


def test_a_desk_agent_replying_by_mail_writes_a_public_reply(alice_ticket, agent1, mailbox):
    reply = make_mail(
        sender="agent1@example.test", subject=f"RE: [{alice_ticket.number}]", body="Please restart it."
    )
    result = ingest_message(raw=reply, mailbox=mailbox)
    assert result.action == "appended"
    comment = Comment.objects.get(ticket=alice_ticket)
    assert (comment.author, comment.internal) == (agent1, False)
    alice_ticket.refresh_from_db()
    assert alice_ticket.first_response_at is not None


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"Precedence": "bulk"},
        {"Return-Path": "<>"},
    ],
)
def test_machine_mail_never_opens_a_ticket_nor_gets_an_answer(mailbox, desk, headers):
    raw = make_mail(sender="stranger@example.test", subject="Out of office", headers=headers)
    result = ingest_message(raw=raw, mailbox=mailbox)
    assert (result.action, result.reason) == ("ignored", "automatic")
    assert not Ticket.objects.exists() and not OutboxMessage.objects.exists()
    assert not User.objects.filter(email="stranger@example.test").exists()


def test_bounces_from_the_mailer_daemon_are_ignored(mailbox, desk):
    raw = make_mail(sender="MAILER-DAEMON@mx.example.test", subject="Undelivered Mail Returned to Sender")
    assert ingest_message(raw=raw, mailbox=mailbox).action == "ignored"
    report = (
        b"From: postmaster@mx.example.test\r\nTo: helpdesk@example.test\r\nSubject: failure\r\n"
        b"Message-ID: <dsn1@mx>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Status: 5.1.1\r\n--b--\r\n"
    )
    assert ingest_message(raw=report, mailbox=mailbox).action == "ignored"
    assert not Ticket.objects.exists() and not OutboxMessage.objects.exists()


def test_our_own_notifications_coming_back_are_ignored(alice_ticket, mailbox):
    looped = make_mail(sender="ITDesk <itdesk@localhost>", subject=f"[{alice_ticket.number}] received")
    assert ingest_message(raw=looped, mailbox=mailbox).reason == "own_mail"
    tagged = make_mail(headers={"X-ITDesk-Ticket": alice_ticket.number}, subject="fwd")
    assert ingest_message(raw=tagged, mailbox=mailbox).reason == "own_mail"
    assert Ticket.objects.count() == 1 and not Comment.objects.exists()


def test_the_same_message_id_is_processed_once(alice, mailbox):
    raw = make_mail(message_id="<once@client.example.test>")
    first = ingest_message(raw=raw, mailbox=mailbox)
    again = ingest_message(raw=raw, mailbox=mailbox)
    assert first.action == "created"
    assert (again.action, again.reason, again.ticket_number) == ("ignored", "duplicate", first.ticket_number)
    assert Ticket.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_a_message_without_message_id_is_deduplicated_by_its_bytes(alice, mailbox):
    raw = make_mail().replace(b"Message-ID:", b"X-Old-ID:")
    assert ingest_message(raw=raw, mailbox=mailbox).action == "created"
    assert ingest_message(raw=raw, mailbox=mailbox).reason == "duplicate"
    assert InboundMessage.objects.get().message_id.startswith("sha256:")


def test_chinese_gbk_mail_end_to_end(mailbox, desk):
    subject = "=?GBK?B?" + base64.b64encode("打印机卡纸".encode("gbk")).decode() + "?="
    body = base64.b64encode("三楼的打印机一直卡纸，请尽快处理。".encode("gbk")).decode()
    raw = (
        "From: =?GBK?B?" + base64.b64encode("李娜".encode("gbk")).decode() + "?= <li.na@example.test>\r\n"
        "To: helpdesk@example.test\r\n"
        f"Subject: {subject}\r\nMessage-ID: <gbk1@client.example.test>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="GBK"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        f"{body}\r\n"
    ).encode("ascii")
    result = ingest_message(raw=raw, mailbox=mailbox)
    ticket = Ticket.objects.get(number=result.ticket_number)
    assert ticket.title == "打印机卡纸"
    assert "三楼的打印机一直卡纸" in ticket.description
    assert ticket.requester.display_name == "李娜" and ticket.requester.language == "zh-hans"


def test_hostile_html_is_never_stored(alice, mailbox):
    html = '<p>Help</p><script>alert(document.cookie)</script><img src=x onerror="steal()"><b>now</b>'
    raw = make_mail(body="", html=html).replace(b"Content-Type: text/plain", b"Content-Type: text/x-ignore")
    result = ingest_message(raw=raw, mailbox=mailbox)
    ticket = Ticket.objects.get(number=result.ticket_number)
    assert "<script" not in ticket.description.lower() and "onerror" not in ticket.description
    assert "Help" in ticket.description


def test_huge_and_malformed_messages_are_quarantined_quickly(mailbox, desk, settings):
    settings.ITDESK_MAIL_MAX_MESSAGE_BYTES = 1024 * 1024
    huge = make_mail(body="x" * 2 * 1024 * 1024)
    started = time.monotonic()
    result = ingest_message(raw=huge, mailbox=mailbox)
    assert (result.action, result.reason) == ("quarantined", "too_large")
    assert time.monotonic() - started < 2
    no_sender = b"Subject: who am I\r\nMessage-ID: <x1@y>\r\n\r\nbody\r\n"
    assert ingest_message(raw=no_sender, mailbox=mailbox).action == "quarantined"
    assert ingest_message(raw=b"", mailbox=mailbox).action == "quarantined"
    kept = InboundMessage.objects.filter(status="quarantined")
    assert kept.count() == 3
    assert {bytes(row.raw) for row in kept} == {huge, no_sender, b""}
    assert not Ticket.objects.exists()


def test_reprocess_a_quarantined_message_after_the_limit_was_raised(mailbox, alice, settings):
    settings.ITDESK_MAIL_MAX_MESSAGE_BYTES = 2000
    result = ingest_message(raw=make_mail(body="y" * 3000), mailbox=mailbox)
    assert result.action == "quarantined"
    settings.ITDESK_MAIL_MAX_MESSAGE_BYTES = 10 * 1024 * 1024
    again = reprocess_message(inbound_id=result.inbound_id)
    assert again.action == "created"
    with pytest.raises(Exception) as info:
        reprocess_message(inbound_id=result.inbound_id)
    assert getattr(info.value, "code", "") == "not_reprocessable"


def test_a_sender_over_the_hourly_limit_is_held(alice, mailbox):
    mailbox.rate_limit_per_hour = 3
    mailbox.save()
    results = [ingest_message(raw=make_mail(subject=f"problem {i}"), mailbox=mailbox) for i in range(5)]
    assert [r.action for r in results] == ["created", "created", "created", "ignored", "ignored"]
    assert {r.reason for r in results[3:]} == {"rate_limited"}
    assert Ticket.objects.count() == 3
    held = InboundMessage.objects.filter(reason="rate_limited")
    assert held.count() == 2 and all(row.raw for row in held)
    # Another sender is not affected.
    UserFactory(username="dave", email="dave@example.test")
    assert ingest_message(raw=make_mail(sender="dave@example.test"), mailbox=mailbox).action == "created"


def test_unknown_senders_get_one_polite_reply_per_day_when_the_mailbox_rejects_them(mailbox, desk):
    mailbox.unknown_sender_policy = "reject"
    mailbox.save()
    for i in range(3):
        result = ingest_message(
            raw=make_mail(sender="eve@elsewhere.test", subject=f"hi {i}"), mailbox=mailbox
        )
        assert (result.action, result.reason) == ("ignored", "unknown_sender")
    assert not Ticket.objects.exists() and not User.objects.filter(email="eve@elsewhere.test").exists()
    reply = OutboxMessage.objects.get()
    assert reply.recipient == "eve@elsewhere.test"
    assert "not accepted" in reply.subject and "您的邮件未被受理" in reply.subject
    assert "portal" in reply.body_text and "自助服务门户" in reply.body_text
    assert reply.headers["Auto-Submitted"] == "auto-replied"


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(alice, alice_ticket, agent1, mailbox):
    services.transition_ticket(ticket=alice_ticket, actor=agent1, to="cancelled", note="duplicate")
    reply = make_mail(subject=f"Re: [{alice_ticket.number}] Printer", body="It is jammed again.")
    result = ingest_message(raw=reply, mailbox=mailbox)
    assert (result.action, result.reason) == ("created", "closed_ticket")
    follow_up = Ticket.objects.get(number=result.ticket_number)
    assert alice_ticket.number in follow_up.description and "jammed again" in follow_up.description
    assert follow_up.requester == alice


def test_attachments_and_inline_images_are_kept_and_refused_files_noted(alice, mailbox):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    raw = make_mail(
        attachments=[
            ("screen.png", "image/png", png),
            ("setup.exe", "application/octet-stream", b"MZ" + b"\x00" * 10),
        ]
    )
    result = ingest_message(raw=raw, mailbox=mailbox)
    ticket = Ticket.objects.get(number=result.ticket_number)
    assert list(Attachment.objects.filter(ticket=ticket).values_list("filename", flat=True)) == ["screen.png"]
    assert "setup.exe" in ticket.description and "not added" in ticket.description


def test_the_review_queue_lists_quarantined_and_held_messages(alice, mailbox):
    from itdesk.channels.mail import selectors

    created = ingest_message(raw=make_mail(cc="carol@example.test"), mailbox=mailbox)
    ingest_message(raw=b"garbage", mailbox=mailbox)
    queue = list(selectors.messages_needing_review())
    assert [row.status for row in queue] == ["quarantined"]
    ticket = Ticket.objects.get(number=created.ticket_number)
    assert selectors.participants_of(ticket) == ["carol@example.test"]
    assert [row.action for row in selectors.messages_of_ticket(ticket)] == ["created"]


def test_an_inline_screenshot_becomes_an_attachment(alice, mailbox):
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "alice@example.test"
    message["To"] = "helpdesk@example.test"
    message["Subject"] = "See the error"
    message["Message-ID"] = "<inline@client.example.test>"
    message.set_content("See the screenshot.")
    message.add_alternative('<p>See the error:</p><img src="cid:shot1@client">', subtype="html")
    png = b"\x89PNG\r\n\x1a\n" + b"\x01" * 100
    message.get_payload()[1].add_related(png, maintype="image", subtype="png", cid="<shot1@client>")
    result = ingest_message(raw=bytes(message), mailbox=mailbox)
    ticket = Ticket.objects.get(number=result.ticket_number)
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment.filename.endswith(".png") and attachment.size == len(png)


def test_control_characters_in_headers_do_not_break_the_record(alice, mailbox):
    raw = make_mail(subject="Printer").replace(b"Subject: Printer", b"Subject: Prin\x00ter =?utf-8?q?a=00b?=")
    result = ingest_message(raw=raw, mailbox=mailbox)
    assert result.action in {"created", "quarantined"}
    assert "\x00" not in InboundMessage.objects.get().subject
