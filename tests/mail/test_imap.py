"""Fetching a real IMAP mailbox (Dovecot on loopback): tickets appear, messages become seen only when done."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager

import pytest
from django.db import connection

from itdesk.channels.mail import imap
from itdesk.channels.mail.models import InboundMessage, Mailbox
from itdesk.channels.mail.tasks import fetch_mailboxes
from itdesk.tickets.models import Comment, Ticket
from tests.mail.conftest import make_mail


@pytest.mark.django_db
def test_a_batch_is_processed_and_marked_seen_even_with_bad_messages_in_it(
    alice, imap_mailbox, dovecot, settings
):
    settings.ITDESK_MAIL_MAX_MESSAGE_BYTES = 512 * 1024
    dovecot.append(
        make_mail(message_id="<first@client>", subject="VPN drops every hour"),
        make_mail(message_id="<huge@client>", body="z" * 700 * 1024),
        b"Subject: no sender at all\r\nMessage-ID: <broken@client>\r\n\r\n???\r\n",
        make_mail(
            message_id="<ooo@client>", subject="Out of office", headers={"Auto-Submitted": "auto-replied"}
        ),
        make_mail(message_id="<last@client>", subject="Monitor flickers", sender="alice@example.test"),
    )
    report = imap.fetch_mailbox(imap_mailbox)
    assert report.error == ""
    assert report.counts() == {"created": 2, "quarantined": 2, "ignored": 1}
    assert set(Ticket.objects.values_list("title", flat=True)) == {"VPN drops every hour", "Monitor flickers"}
    assert dovecot.unseen_count() == 0
    assert all("\\Seen" in flags for flags in dovecot.flags().values())
    assert set(InboundMessage.objects.filter(status="quarantined").values_list("reason", flat=True)) == {
        "too_large",
        "no_sender",
    }
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_fetch_at is not None and imap_mailbox.last_error == ""

    # Nothing new: the next run finds nothing to do.
    assert imap.fetch_mailbox(imap_mailbox).fetched == 0


@pytest.mark.django_db
def test_a_reply_arriving_by_imap_is_threaded(alice, imap_mailbox, dovecot):
    dovecot.append(make_mail(message_id="<q1@client>", subject="Outlook keeps asking for the password"))
    imap.fetch_mailbox(imap_mailbox)
    ticket = Ticket.objects.get()
    dovecot.append(
        make_mail(
            message_id="<q2@client>",
            subject=f"回复：[{ticket.number}] Outlook keeps asking for the password",
            body="Now it is fine.",
        )
    )
    report = imap.fetch_mailbox(imap_mailbox)
    assert [r.action for r in report.results] == ["appended"]
    assert Comment.objects.get(ticket=ticket).body == "Now it is fine."


@pytest.mark.django_db
def test_processed_messages_are_moved_to_the_processed_folder(alice, imap_mailbox, dovecot):
    imap_mailbox.processed_folder = "ITDesk-Done"
    imap_mailbox.save()
    dovecot.append(make_mail(message_id="<m1@client>"), make_mail(message_id="<m2@client>", subject="Second"))
    imap.fetch_mailbox(imap_mailbox)
    assert Ticket.objects.count() == 2
    assert dovecot.count("INBOX") == 0
    assert dovecot.count('"ITDesk-Done"') == 2


@pytest.mark.django_db
def test_the_batch_size_bounds_one_run(alice, imap_mailbox, dovecot):
    imap_mailbox.batch_size = 2
    imap_mailbox.save()
    dovecot.append(*(make_mail(message_id=f"<b{i}@client>", subject=f"issue {i}") for i in range(3)))
    assert imap.fetch_mailbox(imap_mailbox).fetched == 2
    assert dovecot.unseen_count() == 1
    assert imap.fetch_mailbox(imap_mailbox).fetched == 1
    assert Ticket.objects.count() == 3


@pytest.mark.django_db
def test_a_wrong_password_is_recorded_on_the_mailbox(imap_mailbox, dovecot):
    imap_mailbox.password = "wrong"
    imap_mailbox.save()
    dovecot.append(make_mail())
    report = imap.fetch_mailbox(imap_mailbox)
    assert report.fetched == 0 and report.error
    imap_mailbox.refresh_from_db()
    assert "AUTHENTICATIONFAILED" in imap_mailbox.last_error or "failed" in imap_mailbox.last_error.lower()
    assert dovecot.unseen_count() == 1


@pytest.mark.django_db
def test_the_password_can_come_from_the_environment(alice, imap_mailbox, dovecot, monkeypatch):
    from tests.mail.conftest import IMAP_PASSWORD

    imap_mailbox.password = ""
    imap_mailbox.password_env = "ITDESK_TEST_IMAP_PASSWORD"
    imap_mailbox.save()
    monkeypatch.setenv("ITDESK_TEST_IMAP_PASSWORD", IMAP_PASSWORD)
    dovecot.append(make_mail())
    assert imap.fetch_mailbox(imap_mailbox).counts() == {"created": 1}


@pytest.mark.django_db
def test_the_periodic_job_fetches_every_active_imap_mailbox(alice, imap_mailbox, dovecot):
    Mailbox.objects.create(name="off", kind="imap", host="127.0.0.1", port=1, active=False)
    dovecot.append(make_mail())
    result = fetch_mailboxes.call_local()
    assert result == {"imap-desk": {"created": 1}}
    assert Ticket.objects.count() == 1


@contextmanager
def database_locked():
    """Another client holds the write lock; our connection gives up quickly instead of waiting 30 s."""
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], timeout=5, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 100")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 30000")
    else:
        import psycopg

        params = connection.get_connection_params()
        other = psycopg.connect(**params)
        other.execute("LOCK TABLE mail_inboundmessage IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        try:
            yield
        finally:
            other.rollback()
            other.close()
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = 0")


@pytest.mark.django_db(transaction=True)
def test_messages_stay_unseen_while_the_database_is_unavailable(imap_mailbox, dovecot):
    from tests.factories import UserFactory

    UserFactory(username="alice", email="alice@example.test")
    dovecot.append(make_mail(message_id="<db1@client>"), make_mail(message_id="<db2@client>", subject="two"))
    with database_locked():
        report = imap.fetch_mailbox(imap_mailbox)
    assert report.results == [] and report.deferred == 2
    assert "database unavailable" in report.error
    assert dovecot.unseen_count() == 2
    assert not Ticket.objects.exists() and not InboundMessage.objects.exists()

    report = imap.fetch_mailbox(imap_mailbox)
    assert report.counts() == {"created": 2}
    assert dovecot.unseen_count() == 0
    assert Ticket.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_fetch_runs_at_once_make_one_ticket_per_message(imap_mailbox, dovecot):
    from tests.factories import UserFactory

    UserFactory(username="alice", email="alice@example.test")
    dovecot.append(*(make_mail(message_id=f"<c{i}@client>", subject=f"concurrent {i}") for i in range(4)))
    reports = []
    barrier = threading.Barrier(2)

    def run():
        from django.db import connections

        try:
            barrier.wait()
            reports.append(imap.fetch_mailbox(Mailbox.objects.get(pk=imap_mailbox.pk)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(reports) == 2
    assert Ticket.objects.count() == 4
    assert InboundMessage.objects.count() == 4
    assert sum(r.counts().get("created", 0) for r in reports) == 4
    assert dovecot.unseen_count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_fetching_over_tls_checks_the_certificate(alice, imap_mailbox, dovecot, monkeypatch, security):
    imap_mailbox.security = security
    imap_mailbox.port = dovecot.tls_port if security == "tls" else dovecot.port
    imap_mailbox.save()
    dovecot.append(make_mail())
    # Not trusted yet: the self-signed certificate is refused and nothing is read.
    report = imap.fetch_mailbox(imap_mailbox)
    assert report.fetched == 0 and "CERTIFICATE_VERIFY_FAILED" in report.error
    assert dovecot.unseen_count() == 1
    # Trusted (as an admin would install the company CA): the message is taken in.
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.ca_file))
    assert imap.fetch_mailbox(imap_mailbox).counts() == {"created": 1}
    assert dovecot.unseen_count() == 0


@pytest.mark.django_db
def test_an_unencrypted_login_is_refused_to_another_machine(imap_mailbox):
    from django.core.exceptions import ValidationError

    imap_mailbox.host = "imap.example.test"
    with pytest.raises(ValidationError) as info:
        imap_mailbox.full_clean()
    assert "security" in info.value.message_dict
    report = imap.fetch_mailbox(imap_mailbox)  # even when saved without the form
    assert report.fetched == 0 and "only allowed to a server on this machine" in report.error
