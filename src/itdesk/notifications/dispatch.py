"""Sending one notification to one recipient on the channels they chose.

A person gets each kind of notification on the channels in their preferences (e-mail when they never
chose). A chosen IM channel on which they have no identity falls back to e-mail, so nothing is silently
dropped; a mandatory kind switched off everywhere still goes by e-mail. A group address has no
preferences: it gets e-mail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from itdesk.notifications import catalog, registry
from itdesk.notifications.models import OutboxMessage
from itdesk.notifications.preferences import channels_for
from itdesk.notifications.services import queue_message

EMAIL = catalog.EMAIL


@dataclass(frozen=True)
class Recipient:
    """A person (with their preferences) or a group's address; `email` is where e-mail goes."""

    user: Any | None
    email: str
    language: str = ""

    @classmethod
    def person(cls, user: Any, email: str = "") -> Recipient:
        """A person; `email` overrides their account's address (a ticket's contact e-mail)."""
        return cls(user=user, email=email or getattr(user, "email", "") or "", language=user.language or "")

    @classmethod
    def address(cls, email: str) -> Recipient:
        """A group's address, in the desk's language."""
        return cls(user=None, email=email, language="")

    @property
    def lang(self) -> str:
        """The language to write in."""
        return self.language or settings.LANGUAGE_CODE

    @property
    def name(self) -> str:
        """How to greet them (empty for a group address)."""
        return getattr(self.user, "name", "") if self.user is not None else ""


@dataclass(frozen=True)
class Pending:
    """A message to render when it is delivered: its subject, event template and JSON context.

    The outbox row keeps the template and context; notifications.services renders the text (and, for
    e-mail, the HTML) in the row's language at the first delivery attempt.
    """

    subject: str
    template: str
    context: dict[str, Any]


def routes(recipient: Recipient, event: str) -> list[tuple[str, str]]:
    """(channel, address) pairs to send `event` to `recipient` on, in channel order."""
    if recipient.user is None:
        return [(EMAIL, recipient.email)] if recipient.email else []
    chosen = channels_for(recipient.user, event)
    kind = catalog.BY_KEY.get(event)
    if not chosen and (kind is None or kind.mandatory):
        chosen = (EMAIL,)
    found: list[tuple[str, str]] = []
    fallback = False
    deliverable = set(registry.person_channels())
    for channel in chosen:
        if channel == EMAIL:
            address = recipient.email or None
        else:
            address = registry.address_for(channel, recipient.user) if channel in deliverable else None
        if address:
            found.append((channel, address))
        else:
            fallback = True
    if fallback and recipient.email and all(channel != EMAIL for channel, _a in found):
        found.append((EMAIL, recipient.email))
    return found


def dispatch(
    *,
    recipient: Recipient,
    event: str,
    dedupe_key: str,
    message: Pending,
    ticket_id: int | None = None,
    email_headers: Callable[[str], dict[str, str]] | None = None,
) -> list[OutboxMessage]:
    """Queue `message` for `recipient` on each of their channels; returns the rows written."""
    queued = []
    for channel, address in routes(recipient, event):
        key = dedupe_key if channel == EMAIL else f"{dedupe_key}:{channel}"
        row = queue_message(
            channel=channel,
            dedupe_key=key,
            recipient=address,
            subject=message.subject,
            template=message.template,
            context=message.context,
            headers=email_headers(key) if channel == EMAIL and email_headers else {},
            language=recipient.lang,
            ticket_id=ticket_id,
            event=event,
            user=recipient.user,
        )
        if row is not None:
            queued.append(row)
    return queued
