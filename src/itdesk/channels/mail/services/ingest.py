"""Taking in one e-mail: a new ticket, a reply on a ticket, or a recorded reason why not.

Every message becomes one InboundMessage row, written in the same transaction as the ticket work; the
row's (mailbox, message_id) is unique, so a message delivered twice (an MTA retry, two fetch runs) is
processed once. Database outages propagate (the MTA or the next fetch retries); everything else about a
message is decided and recorded here, and nothing it carried is lost: the raw bytes of a message that was
quarantined or held are kept for `itdesk mail reprocess`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from itdesk.accounts.models import User
from itdesk.channels.mail import msgid
from itdesk.channels.mail.models import (
    InboundAction,
    InboundMessage,
    InboundStatus,
    Mailbox,
    OutsiderPolicy,
    UnknownSenderPolicy,
)
from itdesk.channels.mail.parse import (
    Limits,
    ParsedMessage,
    UnparseableMessage,
    parse_message,
    strip_reply_prefixes,
    subject_ticket_numbers,
)
from itdesk.channels.mail.services import senders
from itdesk.core.errors import ServiceError
from itdesk.core.once import create_once
from itdesk.tickets import services as ticket_services
from itdesk.tickets.choices import Channel
from itdesk.tickets.models import Ticket
from itdesk.tickets.services import NewAttachment
from itdesk.tickets.workflow import FINAL_STATUSES

log = logging.getLogger(__name__)

DB_UNAVAILABLE = (OperationalError, InterfaceError)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_OWN_HEADER = re.compile(rb"(?im)^X-ITDesk-Ticket[ \t]*:")
REPROCESSABLE = {InboundStatus.QUARANTINED, InboundStatus.HELD}


class NotReprocessable(ServiceError):
    code = "not_reprocessable"
    status = 409


@dataclass(frozen=True)
class IngestResult:
    """What became of a message: action (created/appended/ignored/quarantined/held), ticket, reason."""

    action: str
    ticket_number: str | None
    reason: str
    inbound_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The JSON line `itdesk mail ingest` prints."""
        return {"action": self.action, "ticket": self.ticket_number, "reason": self.reason}


@dataclass
class _Outcome:
    status: str
    action: str
    reason: str = ""
    detail: str = ""
    ticket: Ticket | None = None
    keep_raw: bool = False


def limits() -> Limits:
    """The parser's limits from the settings."""
    return dataclasses.replace(
        Limits(),
        max_message_bytes=settings.ITDESK_MAIL_MAX_MESSAGE_BYTES,
        max_parts=settings.ITDESK_MAIL_MAX_PARTS,
        max_attachments=settings.ITDESK_MAIL_MAX_ATTACHMENTS,
        max_attachment_bytes=settings.ITDESK_ATTACHMENT_MAX_BYTES,
    )


def _parse(raw: bytes) -> tuple[ParsedMessage | None, UnparseableMessage | None]:
    try:
        return parse_message(raw, limits=limits()), None
    except UnparseableMessage as exc:
        return None, exc


def _printable(text: str) -> str:
    """`text` without control characters (PostgreSQL refuses NUL in text columns)."""
    return _CONTROL.sub("", text or "")


def message_key(parsed: ParsedMessage | None, raw: bytes) -> str:
    """The de-duplication key: the Message-ID, or a hash of the raw bytes when it has none."""
    message_id = _printable(parsed.message_id if parsed is not None else "").strip()
    if not message_id:
        return "sha256:" + hashlib.sha256(raw).hexdigest()
    if len(message_id) > 250:
        return "sha256:" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()
    return message_id


def ingest_message(*, raw: bytes, mailbox: Mailbox) -> IngestResult:
    """Take in one RFC 822 message from `mailbox`, once; raises only when the database is unavailable."""
    parsed, failure = _parse(raw)
    key = message_key(parsed, raw)
    with transaction.atomic():
        inbound = create_once(
            InboundMessage,
            mailbox=mailbox,
            message_id=key,
            size=len(raw),
            from_address=_printable(parsed.from_address if parsed else "")[:254],
            subject=_printable(parsed.subject if parsed else "")[:300],
            status=InboundStatus.PROCESSED,
            action=InboundAction.IGNORED,
        )
        if inbound is None:  # this mailbox took in the same message before
            first = (
                InboundMessage.objects.filter(mailbox=mailbox, message_id=key)
                .select_related("ticket")
                .first()
            )
            number = first.ticket.number if first is not None and first.ticket is not None else None
            return IngestResult("ignored", number, "duplicate", first.pk if first else None)
        outcome = _process(
            inbound=inbound, parsed=parsed, failure=failure, mailbox=mailbox, raw=raw, release=False
        )
        return _finish(inbound, outcome, raw)


def reprocess_message(*, inbound_id: int) -> IngestResult:
    """Run a quarantined or held message again; holds by policy (outsider, unknown sender, rate) are released."""
    with transaction.atomic():
        inbound = (
            InboundMessage.objects.select_for_update(of=("self",))
            .select_related("mailbox")
            .filter(pk=inbound_id)
            .first()
        )
        if inbound is None:
            raise NotReprocessable(
                _("There is no inbound message %(id)s.") % {"id": inbound_id}, code="not_found"
            )
        if inbound.status not in REPROCESSABLE:
            raise NotReprocessable(
                _("Only quarantined or held messages can be processed again; this one is %(status)s.")
                % {"status": inbound.get_status_display()}
            )
        if inbound.raw is None:
            raise NotReprocessable(_("The raw message was not kept."), code="raw_missing")
        raw = bytes(inbound.raw)
        parsed, failure = _parse(raw)
        inbound.attempts += 1
        if parsed is not None:
            inbound.from_address = _printable(parsed.from_address)[:254]
            inbound.subject = _printable(parsed.subject)[:300]
        outcome = _process(
            inbound=inbound, parsed=parsed, failure=failure, mailbox=inbound.mailbox, raw=raw, release=True
        )
        return _finish(inbound, outcome, raw)


# What _process and reprocess_message change on the row inserted first (or on the row reprocessed).
_FINISHED_FIELDS = (
    "status",
    "action",
    "reason",
    "detail",
    "ticket",
    "raw",
    "attempts",
    "from_address",
    "subject",
)


def _finish(inbound: InboundMessage, outcome: _Outcome, raw: bytes) -> IngestResult:
    inbound.status = outcome.status
    inbound.action = outcome.action
    inbound.reason = outcome.reason[:40]
    inbound.detail = _printable(outcome.detail)[:4000]
    inbound.ticket = outcome.ticket
    inbound.raw = raw if outcome.keep_raw or settings.ITDESK_MAIL_KEEP_RAW else None
    inbound.save(update_fields=_FINISHED_FIELDS)
    number = outcome.ticket.number if outcome.ticket is not None else None
    return IngestResult(str(outcome.action), number, outcome.reason, inbound.pk)


# ---------------------------------------------------------------- deciding


def _ignored(reason: str, detail: str = "") -> _Outcome:
    return _Outcome(InboundStatus.IGNORED, InboundAction.IGNORED, reason, detail)


def _quarantined(reason: str, detail: str = "") -> _Outcome:
    return _Outcome(InboundStatus.QUARANTINED, InboundAction.QUARANTINED, reason, detail, keep_raw=True)


def _process(
    *,
    inbound: InboundMessage,
    parsed: ParsedMessage | None,
    failure: UnparseableMessage | None,
    mailbox: Mailbox,
    raw: bytes,
    release: bool,
) -> _Outcome:
    if parsed is None:
        assert failure is not None
        return _quarantined(getattr(failure, "code", "malformed"), getattr(failure, "detail", str(failure)))
    if parsed.auto_reason:
        return _ignored("automatic", parsed.auto_reason)
    own = senders.own_addresses(mailbox)
    if parsed.from_address in own or _OWN_HEADER.search(raw_head(raw)):
        return _ignored("own_mail")
    if not release and _rate_limited(inbound, mailbox):
        return _Outcome(
            InboundStatus.HELD,
            InboundAction.IGNORED,
            "rate_limited",
            _("More than %(n)s messages from this sender in an hour.") % {"n": mailbox.rate_limit_per_hour},
            keep_raw=True,
        )
    try:
        with transaction.atomic():
            return _apply(parsed=parsed, mailbox=mailbox, own=own, release=release)
    except DB_UNAVAILABLE:
        raise
    except ServiceError as exc:
        return _quarantined(exc.code, str(exc))
    except Exception as exc:  # a bug must not lose the message or stop a batch: keep it for reprocess
        log.exception("mail: message %s could not be processed", inbound.message_id)
        return _quarantined("internal_error", f"{type(exc).__name__}: {exc}")


def _rate_limited(inbound: InboundMessage, mailbox: Mailbox) -> bool:
    limit = mailbox.rate_limit_per_hour
    if not limit or not inbound.from_address:
        return False
    since = timezone.now() - timedelta(hours=1)
    recent = (
        InboundMessage.objects.filter(
            mailbox=mailbox, from_address=inbound.from_address, received_at__gte=since
        )
        .exclude(pk=inbound.pk)
        .count()
    )
    return recent >= limit


_TICKET_FIELDS = ("number", "status", "requester_id", "contact_email")


def _find_ticket(parsed: ParsedMessage) -> Ticket | None:
    """The ticket a genuine ITDesk Message-ID names, else one named by a subject tag."""
    ids = [*parsed.references, *parsed.in_reply_to]  # newest last: in_reply_to is the direct parent
    for numbers in (
        msgid.tickets_from_references(ids, secret=settings.SECRET_KEY),
        subject_ticket_numbers(parsed.subject),
    ):
        if not numbers:
            continue
        # Only what deciding needs; add_comment locks and reads the whole row again anyway.
        rows = Ticket.objects.filter(number__in=numbers).order_by().only(*_TICKET_FIELDS)
        found = {t.number: t for t in rows}
        for number in numbers:
            if number in found:
                return found[number]
    return None


def _may_reply(user: User | None, address: str, ticket: Ticket) -> bool:
    if user is not None and user.is_active and (user.pk == ticket.requester_id or user.is_agent):
        return True
    if ticket.contact_email and ticket.contact_email.lower() == address:
        return True
    return address in senders.participant_emails(ticket)


def _apply(*, parsed: ParsedMessage, mailbox: Mailbox, own: set[str], release: bool) -> _Outcome:
    address = parsed.from_address
    user = senders.find_user(address)
    if user is not None and not user.is_active:
        return _Outcome(InboundStatus.HELD, InboundAction.HELD, "inactive_sender", address, keep_raw=True)
    ticket = _find_ticket(parsed)
    reason = ""
    if ticket is not None:
        if user is not None and user.pk == ticket.requester_id:
            ticket.requester = user  # the sender is the requester: spare the look-up
        if _may_reply(user, address, ticket):
            if ticket.status not in FINAL_STATUSES:
                return _append(parsed=parsed, ticket=ticket, user=user, own=own)
            return _follow_up(
                parsed=parsed, mailbox=mailbox, closed=ticket, user=user, own=own, release=release
            )
        if mailbox.outsider_policy == OutsiderPolicy.HOLD and not release:
            return _Outcome(
                InboundStatus.HELD,
                InboundAction.HELD,
                "outsider",
                _("%(sender)s is not a participant of ticket %(number)s.")
                % {"sender": address, "number": ticket.number},
                keep_raw=True,
            )
        reason = "outsider"
    requester = user
    if requester is None:
        if mailbox.unknown_sender_policy == UnknownSenderPolicy.REJECT and not release:
            senders.queue_reject_reply(address=address, message_id=parsed.message_id)
            return _Outcome(
                InboundStatus.HELD, InboundAction.IGNORED, "unknown_sender", address, keep_raw=True
            )
        requester = senders.register_requester(
            address=address,
            name=parsed.from_name,
            language=senders.guess_language(parsed.subject, parsed.text),
        )
        reason = reason or "new_requester"
    return _create(parsed=parsed, requester=requester, actor=requester, own=own, reason=reason)


def _follow_up(
    *,
    parsed: ParsedMessage,
    mailbox: Mailbox,
    closed: Ticket,
    user: User | None,
    own: set[str],
    release: bool,
) -> _Outcome:
    """A reply to a closed ticket opens a new one that names the old number."""
    if user is not None and (user.pk == closed.requester_id or user.is_agent):
        requester, actor = closed.requester, user
    elif user is not None:
        requester = actor = user
    else:  # a copied participant without an account: the unknown-sender policy applies
        if mailbox.unknown_sender_policy == UnknownSenderPolicy.REJECT and not release:
            senders.queue_reject_reply(address=parsed.from_address, message_id=parsed.message_id)
            return _Outcome(
                InboundStatus.HELD,
                InboundAction.IGNORED,
                "unknown_sender",
                parsed.from_address,
                keep_raw=True,
            )
        requester = actor = senders.register_requester(
            address=parsed.from_address,
            name=parsed.from_name,
            language=senders.guess_language(parsed.subject, parsed.text),
        )
    with translation.override(requester.language or settings.LANGUAGE_CODE):
        prefix = _("Follow-up to the closed ticket %(number)s.") % {"number": closed.number}
    return _create(
        parsed=parsed, requester=requester, actor=actor, own=own, reason="closed_ticket", prefix=prefix
    )


def _title(parsed: ParsedMessage) -> str:
    title = strip_reply_prefixes(parsed.subject or "").strip()
    if not title:
        for line in (parsed.text or parsed.reply_text or "").splitlines():
            if line.strip():
                title = line.strip()
                break
    return (title or _("E-mail without subject"))[:200]


def _create(
    *, parsed: ParsedMessage, requester: User, actor: User, own: set[str], reason: str, prefix: str = ""
) -> _Outcome:
    with translation.override(requester.language or settings.LANGUAGE_CODE):
        files, skipped = attachments_from(parsed)
        text = (parsed.text or parsed.reply_text or "").strip() or _("(The e-mail had no text.)")
        description = "\n\n".join(part for part in (prefix, text, "\n".join(skipped)) if part)
        title = _title(parsed)
    contact = parsed.from_address if requester.email.lower() == parsed.from_address else ""
    extra = {"contact_email": contact} if contact else {}
    ticket = ticket_services.create_ticket(
        actor=actor,
        requester=requester,
        title=title,
        description=description,
        channel=Channel.EMAIL,
        attachments=files,
        **extra,
    )
    exclude = own | {requester.email.lower()}
    senders.remember_participants(
        ticket=ticket, addresses=[parsed.from_address, *parsed.to, *parsed.cc], exclude=exclude
    )
    return _Outcome(InboundStatus.PROCESSED, InboundAction.CREATED, reason, ticket=ticket)


def _append(*, parsed: ParsedMessage, ticket: Ticket, user: User | None, own: set[str]) -> _Outcome:
    as_self = user is not None and (user.pk == ticket.requester_id or user.is_agent)
    actor = user if as_self and user is not None else ticket.requester
    with translation.override(actor.language or settings.LANGUAGE_CODE):
        files, skipped = attachments_from(parsed)
        body = (parsed.reply_text or parsed.text or "").strip()
        if not as_self:
            sender = (
                f"{parsed.from_name} <{parsed.from_address}>" if parsed.from_name else parsed.from_address
            )
            body = (
                _("(By e-mail from %(sender)s, copied on this ticket.)") % {"sender": sender} + "\n\n" + body
            )
        if skipped:
            body = "\n\n".join(part for part in (body, "\n".join(skipped)) if part)
    if not body.strip() and not files:
        return _ignored("empty_reply")
    ticket_services.add_comment(ticket=ticket, actor=actor, body=body, attachments=files)
    senders.remember_participants(
        ticket=ticket, addresses=[*parsed.to, *parsed.cc], exclude=own | {ticket.requester.email.lower()}
    )
    return _Outcome(InboundStatus.PROCESSED, InboundAction.APPENDED, "reply", ticket=ticket)


def attachments_from(parsed: ParsedMessage) -> tuple[list[NewAttachment], list[str]]:
    """The mail's files that may be attached, and a line for each one that was skipped (and why)."""
    allowed = {ext.lower().lstrip(".") for ext in settings.ITDESK_ATTACHMENT_EXTENSIONS}
    files: list[NewAttachment] = []
    skipped: list[str] = []
    for index, item in enumerate(parsed.attachments, start=1):
        name = PurePath((item.filename or "").replace("\\", "/")).name.strip()
        if not name:
            extension = mimetypes.guess_extension(item.content_type or "") or ".bin"
            name = f"{'image' if item.inline else 'attachment'}-{index}{extension}"
        extension = PurePath(name).suffix.lower().lstrip(".")
        why = ""
        if extension not in allowed:
            why = _("files of this type are not accepted")
        elif len(item.content) > settings.ITDESK_ATTACHMENT_MAX_BYTES:
            why = _("larger than %(n)s MB") % {"n": settings.ITDESK_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
        elif not item.content:
            why = _("the file is empty")
        if why:
            skipped.append(_("[Attachment “%(name)s” was not added: %(why)s.]") % {"name": name, "why": why})
            continue
        files.append(NewAttachment(filename=name, content=item.content, content_type=item.content_type))
    return files, skipped


def raw_head(raw: bytes) -> bytes:
    """The header block of a raw message (bounded)."""
    match = _HEADER_END.search(raw, 0, 256 * 1024)
    return raw[: match.start()] if match else raw[: 256 * 1024]
