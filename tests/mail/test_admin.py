"""The mail admin: the password is write-only, inbound messages can be filtered and reprocessed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from itdesk.channels.mail.models import InboundMessage, Mailbox
from itdesk.channels.mail.services.ingest import ingest_message
from itdesk.tickets.models import Ticket
from tests.factories import UserFactory
from tests.mail.conftest import make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def _form(mailbox: Mailbox, **changes):
    data = {
        "name": mailbox.name,
        "address": mailbox.address,
        "active": "on",
        "kind": mailbox.kind,
        "host": "imap.example.test",
        "port": "993",
        "security": "tls",
        "username": "desk",
        "password": "",
        "password_env": "",
        "folder": "INBOX",
        "processed_folder": "",
        "batch_size": "50",
        "unknown_sender_policy": "create_requester",
        "outsider_policy": "new_ticket",
        "rate_limit_per_hour": "20",
    }
    data.update(changes)
    return data


def test_the_mailbox_password_is_never_shown_and_kept_when_left_empty(admin_client, mailbox):
    url = reverse("admin:mail_mailbox_change", args=[mailbox.pk])
    response = admin_client.post(url, _form(mailbox, password="s3cret-imap"))
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.password == "s3cret-imap"
    page = admin_client.get(url).content.decode()
    assert "s3cret-imap" not in page
    admin_client.post(url, _form(mailbox, port="143", security="starttls"))
    mailbox.refresh_from_db()
    assert (mailbox.password, mailbox.port) == ("s3cret-imap", 143)
    # Stored encrypted, not in the clear.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT password FROM mail_mailbox WHERE id = %s", [mailbox.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("fernet:") and "s3cret" not in stored


def test_inbound_messages_are_listed_filtered_and_reprocessed(admin_client, mailbox, alice, settings):
    settings.ITDESK_MAIL_MAX_MESSAGE_BYTES = 3000
    ingest_message(raw=make_mail(body="q" * 5000), mailbox=mailbox)
    ingest_message(raw=make_mail(message_id="<ok@client>", subject="Fine"), mailbox=mailbox)
    url = reverse("admin:mail_inboundmessage_changelist")
    page = admin_client.get(url, {"status__exact": "quarantined"}).content.decode()
    assert "too_large" in page and "Fine" not in page

    settings.ITDESK_MAIL_MAX_MESSAGE_BYTES = 1024 * 1024
    quarantined = InboundMessage.objects.get(status="quarantined")
    response = admin_client.post(
        url, {"action": "reprocess", "_selected_action": [quarantined.pk]}, follow=True
    )
    assert "1 message was processed again." in response.content.decode()
    quarantined.refresh_from_db()
    assert quarantined.status == "processed" and Ticket.objects.count() == 2


def test_the_admin_speaks_chinese(admin_client, mailbox):
    from itdesk.accounts.models import User

    User.objects.filter(username="root").update(language="zh-hans")
    page = admin_client.get(reverse("admin:mail_mailbox_change", args=[mailbox.pk]))
    text = page.content.decode()
    assert "未知发件人" in text and "外部人员的回复" in text and "每个发件人每小时邮件数" in text
