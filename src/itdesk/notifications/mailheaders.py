"""Threading headers of ITDesk's mail about a ticket: signed Message-IDs, one root per ticket.

Every mail about a ticket gets its own signed Message-ID and refers to the ticket's root id (In-Reply-To,
References), so mail clients keep the whole ticket in one conversation and a reply names its ticket in a
way no one can forge. The "received" mail is the root itself. Reply-To sends answers to the desk's intake
mailbox. Computed when the row is queued and stored with it, so a retry sends the very same ids.
"""

from __future__ import annotations

import hashlib
from email.utils import parseaddr
from functools import lru_cache

from django.conf import settings

from itdesk.channels.mail import msgid


def mail_domain() -> str:
    """The domain of ITDesk's Message-IDs: ITDESK_MAIL_MESSAGE_ID_DOMAIN, else DEFAULT_FROM_EMAIL's."""
    configured = getattr(settings, "ITDESK_MAIL_MESSAGE_ID_DOMAIN", "")
    if configured:
        return configured
    return _domain_of(settings.DEFAULT_FROM_EMAIL)


@lru_cache(maxsize=16)
def _domain_of(from_email: str) -> str:
    # Memoised by the setting's value: parsing the address cost more than signing the Message-ID.
    address = parseaddr(from_email)[1]
    return address.rpartition("@")[2] or "localhost"


def reply_to() -> str:
    """The address replies go to: the intake mailbox (ITDESK_MAIL_REPLY_TO, else DEFAULT_FROM_EMAIL)."""
    return getattr(settings, "ITDESK_MAIL_REPLY_TO", "") or settings.DEFAULT_FROM_EMAIL


def root_id(ticket_number: str) -> str:
    """The Message-ID of the ticket's conversation root."""
    return msgid.thread_root_id(ticket_number=ticket_number, secret=settings.SECRET_KEY, domain=mail_domain())


def ticket_headers(ticket_number: str, *, dedupe_key: str, root: bool = False) -> dict[str, str]:
    """Headers of one mail about a ticket; the Message-ID is derived from the outbox row's key."""
    thread = root_id(ticket_number)
    headers = {
        "X-ITDesk-Ticket": ticket_number,
        "Auto-Submitted": "auto-generated",
        "Reply-To": reply_to(),
    }
    if root:
        headers["Message-ID"] = thread
    else:
        token = hashlib.sha256(dedupe_key.encode()).hexdigest()[:16]
        headers["Message-ID"] = msgid.make_message_id(
            ticket_number=ticket_number, secret=settings.SECRET_KEY, domain=mail_domain(), token=token
        )
        headers["In-Reply-To"] = thread
        headers["References"] = thread
    return headers
