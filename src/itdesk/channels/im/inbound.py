"""Incoming bot messages: find (or create) the person, then open a ticket or add a reply to one.

Views verify the platform's signature and hand an IncomingText here; the answer they send back always
names the ticket. Each platform message is processed once: its id is recorded with a unique constraint,
and a retried callback gets the first answer again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from itdesk.accounts.models import User
from itdesk.channels.im.models import (
    ImIdentity,
    ImIntegration,
    InboundAction,
    InboundImMessage,
    InboundPolicy,
)
from itdesk.core.errors import ServiceError
from itdesk.tickets import services as ticket_services
from itdesk.tickets.choices import Channel
from itdesk.tickets.models import Ticket

MAX_TEXT = 20_000
TITLE_LENGTH = 200

# "#IT20240501001 more" or "IT20240501001: more" (full-width colon too).
_REFERENCE = re.compile(
    r"^\s*(?:#\s*(?P<hash>[A-Za-z0-9][A-Za-z0-9_-]{2,39})\b|(?P<colon>[A-Za-z0-9][A-Za-z0-9_-]{2,39})\s*[:：])"
    r"\s*(?P<rest>.*)$",
    re.DOTALL,
)
# Mentions the platforms put into the text: Slack <@U123>, Feishu @_user_1, DingTalk/WeCom @Name at the start.
_MENTIONS = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>|@_user_\d+")

ANSWER_CREATED = _("Ticket %(number)s created: %(title)s. Write “#%(number)s” before a message to add to it.")
ANSWER_COMMENTED = _("Added to ticket %(number)s (%(status)s).")
ANSWER_STATUS = _("Ticket %(number)s: %(title)s — %(status)s.")
ANSWER_CLOSED = _("Ticket %(number)s is closed. Send your message without the number to open a new request.")
ANSWER_EMPTY = _("Please describe what you need help with.")
ANSWER_REFUSED = _(
    "Sorry, this service desk only takes requests from registered colleagues. Please contact IT support."
)
ANSWER_FAILED = _("Sorry, your message could not be registered: %(reason)s")


@dataclass(frozen=True)
class IncomingText:
    """A text message a bot received, in platform-neutral form."""

    message_id: str
    sender_id: str
    sender_name: str
    text: str


@dataclass(frozen=True)
class InboundResult:
    """What happened to an incoming message, and the answer to send back."""

    answer: str
    action: str
    ticket: Ticket | None
    duplicate: bool = False


def clean_text(text: str) -> str:
    """The message text without bot mentions and surrounding blanks, capped in length."""
    return _MENTIONS.sub("", text or "").strip()[:MAX_TEXT]


def bilingual(message: object) -> str:
    """A message in Chinese and English, for people whose language is not known."""
    with translation.override("zh-hans"):
        zh = str(message)
    with translation.override("en"):
        en = str(message)
    return zh if zh == en else f"{zh}\n{en}"


def _username_for(platform: str, external_id: str) -> str:
    base = re.sub(r"[^\w.@+-]", "_", f"{platform}_{external_id}")[:140]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def _person(integration: ImIntegration, incoming: IncomingText) -> User | None:
    """The user behind the sender: linked identity, or a new requester when the policy allows."""
    identity = (
        ImIdentity.objects.select_related("user")
        .filter(platform=integration.platform, external_id=incoming.sender_id)
        .first()
    )
    if identity is not None:
        return identity.user if identity.user.is_active else None
    if integration.inbound_policy != InboundPolicy.CREATE_REQUESTER or not incoming.sender_id:
        return None
    name = (incoming.sender_name or "").strip()[:120]
    user = User(
        username=_username_for(integration.platform, incoming.sender_id),
        display_name=name or f"{integration.get_platform_display()} {incoming.sender_id[-8:]}",
        role="requester",
        language=integration.answer_language,
    )
    user.set_unusable_password()
    user.save()
    ImIdentity.objects.create(
        user=user, platform=integration.platform, external_id=incoming.sender_id[:200], display_name=name
    )
    return user


def _referenced_ticket(text: str, user: User) -> tuple[Ticket | None, str]:
    """The ticket a message points at with "#NUMBER" / "NUMBER:", if the sender may write on it."""
    match = _REFERENCE.match(text)
    if not match:
        return None, text
    number = match.group("hash") or match.group("colon")
    ticket = Ticket.objects.filter(number__iexact=number).first()
    if ticket is None or not (ticket.requester_id == user.pk or user.is_agent):
        return None, text
    return ticket, match.group("rest").strip()


def _title_from(text: str) -> str:
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return first[: TITLE_LENGTH - 1] + "…" if len(first) > TITLE_LENGTH else first


def _act(user: User, text: str) -> tuple[str, Ticket | None, str]:
    """Open a ticket or add to one; returns (action, ticket, answer in the active language)."""
    ticket, rest = _referenced_ticket(text, user)
    if ticket is not None:
        status = ticket.get_status_display()
        if not rest:
            answer = ANSWER_STATUS % {"number": ticket.number, "title": ticket.title, "status": status}
            return InboundAction.STATUS, ticket, str(answer)
        if ticket.status in ticket_services.FINAL_STATUSES:
            return InboundAction.REFUSED, ticket, str(ANSWER_CLOSED % {"number": ticket.number})
        ticket_services.add_comment(ticket=ticket, actor=user, body=rest)
        ticket.refresh_from_db(fields=["status"])
        return (
            InboundAction.COMMENTED,
            ticket,
            str(ANSWER_COMMENTED % {"number": ticket.number, "status": ticket.get_status_display()}),
        )
    ticket = ticket_services.create_ticket(
        actor=user, requester=user, title=_title_from(text), description=text, channel=Channel.IM
    )
    return (
        InboundAction.CREATED,
        ticket,
        str(ANSWER_CREATED % {"number": ticket.number, "title": ticket.title}),
    )


def receive_text(*, integration: ImIntegration, incoming: IncomingText) -> InboundResult:
    """Process one verified incoming text once: open a ticket, add a reply, or refuse; say which."""
    previous = _previous(integration, incoming.message_id)
    if previous is not None:
        return previous
    text = clean_text(incoming.text)
    try:
        with transaction.atomic():
            record = InboundImMessage.objects.create(
                integration=integration,
                message_id=incoming.message_id[:200],
                sender_id=incoming.sender_id[:200],
                action=InboundAction.FAILED,
            )
            user = _person(integration, incoming)
            if user is None:
                action, ticket, answer = InboundAction.REFUSED, None, bilingual(ANSWER_REFUSED)
            else:
                with translation.override(user.language or integration.answer_language):
                    if not text:
                        action, ticket, answer = InboundAction.REFUSED, None, str(ANSWER_EMPTY)
                    else:
                        try:
                            with transaction.atomic():
                                action, ticket, answer = _act(user, text)
                        except ServiceError as exc:
                            action, ticket = InboundAction.FAILED, None
                            answer = str(ANSWER_FAILED % {"reason": exc.message})
            record.action, record.ticket, record.answer = action, ticket, answer
            record.save(update_fields=["action", "ticket", "answer"])
    except IntegrityError:  # the same message arrived twice at the same moment
        previous = _previous(integration, incoming.message_id)
        if previous is None:
            raise
        return previous
    return InboundResult(answer=answer, action=action, ticket=ticket)


def _previous(integration: ImIntegration, message_id: str) -> InboundResult | None:
    record = (
        InboundImMessage.objects.select_related("ticket")
        .filter(integration=integration, message_id=message_id[:200])
        .first()
    )
    if record is None:
        return None
    return InboundResult(answer=record.answer, action=record.action, ticket=record.ticket, duplicate=True)
