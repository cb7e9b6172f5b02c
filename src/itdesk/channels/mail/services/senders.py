"""Who wrote: finding or registering the sender, ticket participants, and the polite reject reply."""

from __future__ import annotations

import re
import secrets
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from itdesk.accounts.choices import Role
from itdesk.accounts.models import User
from itdesk.channels.mail.models import Mailbox, TicketParticipant
from itdesk.core.versioned import VersionedCache
from itdesk.notifications.services import queue_email
from itdesk.tickets.models import Ticket

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")
MAX_PARTICIPANTS = 50
MAILBOXES_VERSION_KEY = "mail.mailboxes"


def _find_user_sql() -> str:
    quote = connection.ops.quote_name
    email, is_active, pk = (User._meta.get_field(name).column for name in ("email", "is_active", "id"))
    return (
        f"SELECT * FROM {quote(User._meta.db_table)} WHERE LOWER({quote(email)}) = %s "  # noqa: S608 - names from the model
        f"ORDER BY {quote(is_active)} DESC, {quote(pk)} LIMIT 1"
    )


def find_user(address: str) -> User | None:
    """The user whose e-mail is `address` (case-insensitive); active users first, oldest first."""
    if not address:
        return None
    # LOWER(email) = the lower-cased address: served by the user_email_lower index (iexact is not).
    # Plain SQL: every message looks its sender up, and compiling the ORM query cost several times the
    # look-up itself.
    found = list(User.objects.raw(_find_user_sql(), [address.lower()]))
    return found[0] if found else None


def guess_language(*texts: str) -> str:
    """zh-hans when the mail contains Chinese characters, else en."""
    return "zh-hans" if any(_CJK.search(text or "") for text in texts) else "en"


def register_requester(*, address: str, name: str, language: str) -> User:
    """Create a requester for an unknown sender: username from the address, no usable password."""
    local = address.split("@", 1)[0]
    base = _USERNAME_UNSAFE.sub("", local)[:120] or "mail-user"
    for attempt in range(20):
        username = base if attempt == 0 else f"{base}-{attempt + 1}"
        if attempt == 19:
            username = f"{base}-{secrets.token_hex(4)}"
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            email=address,
            display_name=name[:120],
            language=language,
            role=Role.REQUESTER,
        )
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # someone took the name between the check and the insert
            continue
        return user
    raise RuntimeError("no free username")  # pragma: no cover - 20 attempts incl. a random one


def _load_mailbox_addresses() -> frozenset[str]:
    return frozenset(a.lower() for a in Mailbox.objects.exclude(address="").values_list("address", flat=True))


# Every message is checked against the addresses of all mailboxes; they change in the admin, rarely.
_mailbox_addresses = VersionedCache(MAILBOXES_VERSION_KEY, _load_mailbox_addresses)


def mailboxes_changed(*, update_fields: Any = None, **_kwargs: Any) -> None:
    """Signal receiver (a mailbox saved or deleted): retire every process's cached mailbox addresses."""
    if update_fields is not None and "address" not in update_fields:
        return
    with transaction.atomic():
        _mailbox_addresses.changed()


def own_addresses(mailbox: Mailbox) -> set[str]:
    """Addresses that are ITDesk itself: the sender of its notifications and every mailbox it reads."""
    found = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(), (mailbox.address or "").lower()}
    found.update(_mailbox_addresses.get())
    found.discard("")
    return found


def participant_emails(ticket: Ticket) -> set[str]:
    """Addresses copied on the ticket's mail."""
    return set(TicketParticipant.objects.filter(ticket=ticket).values_list("email", flat=True))


def remember_participants(*, ticket: Ticket, addresses: list[str], exclude: set[str]) -> None:
    """Store the To/Cc addresses of a message on a ticket, so their replies are accepted."""
    wanted = []
    for address in addresses:
        address = address.strip().lower()
        if address and "@" in address and address not in exclude and address not in wanted:
            wanted.append(address[:254])
    if wanted:
        TicketParticipant.objects.bulk_create(
            [TicketParticipant(ticket=ticket, email=email) for email in wanted[:MAX_PARTICIPANTS]],
            ignore_conflicts=True,
        )


def _reject_texts() -> tuple[str, str]:
    subject = _("Your e-mail was not accepted")
    body = _(
        "Hello,\n\n"
        "Thank you for writing to the IT service desk. Your e-mail was not registered as a request, "
        "because requests by e-mail are only accepted from people the service desk knows.\n\n"
        "Please submit your request through the self-service portal, or contact the service desk "
        "by phone.\n\n"
        "This is an automatic reply; answers to it are not read."
    )
    return subject, body


def queue_reject_reply(*, address: str, message_id: str) -> bool:
    """Queue the bilingual polite reply to an unknown sender; at most one per sender per day."""
    texts = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            texts[language] = _reject_texts()
    subject = f"{texts['zh-hans'][0]} / {texts['en'][0]}"
    body = f"{texts['zh-hans'][1]}\n\n----------------------------------------\n\n{texts['en'][1]}\n"
    headers = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
    if message_id:
        headers.update({"In-Reply-To": message_id, "References": message_id})
    day = timezone.now().date().isoformat()
    queued = queue_email(
        dedupe_key=f"mail-reject:{address}:{day}",
        recipient=address,
        subject=subject,
        body_text=body,
        headers=headers,
    )
    return queued is not None
