"""Every write to a ticket goes through these functions.

Each one validates, locks the ticket row, changes it, appends TicketEvents in the same transaction,
and defers side effects (mail, later IM/webhooks/indexing) with transaction.on_commit.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itdesk.accounts.models import SupportGroup, User
from itdesk.core import events, inserts
from itdesk.core.errors import NotFound, PermissionDenied, ServiceError, StaleVersion, ValidationFailed
from itdesk.core.numbering import allocate_number
from itdesk.search import services as search_services
from itdesk.sla import services as sla_services
from itdesk.tickets import notify, selectors, workflow
from itdesk.tickets.choices import Channel, EventKind, Impact, Urgency
from itdesk.tickets.models import Attachment, Category, Comment, Priority, Ticket, TicketEvent
from itdesk.tickets.workflow import FINAL_STATUSES, Need, Status

# Fields a requester may fill in and correct; everything else is the desk's to set.
REQUESTER_FIELDS = frozenset(
    {
        "title",
        "description",
        "contact_phone",
        "contact_email",
        "started_at",
        "impact_scope",
        "tried",
        "device_model",
        "os_version",
        "software_version",
    }
)
REQUESTER_CREATE_FIELDS = REQUESTER_FIELDS | {"category", "impact", "urgency"}
DESK_FIELDS = REQUESTER_FIELDS | {"channel", "category", "impact", "urgency", "priority", "group", "assignee"}

_WORKFLOW_MESSAGES = {
    "invalid_transition": _("This ticket cannot move from “%(source)s” to “%(target)s”."),
    "transition_not_permitted": _(
        "You are not allowed to move this ticket from “%(source)s” to “%(target)s”."
    ),
    Need.NOTE.value: _("This step needs a note."),
    Need.REASON.value: _("This step needs a reason."),
    Need.RESOLUTION.value: _("Resolving needs a resolution summary."),
    Need.GROUP.value: _("Escalating needs the group to hand the ticket to."),
}


_NEED_FIELDS = {
    Need.NOTE.value: "note",
    Need.REASON.value: "note",
    Need.RESOLUTION.value: "resolution",
    Need.GROUP.value: "group",
}


class TicketClosed(ServiceError):
    code = "ticket_closed"
    status = 409
    default_message = _("This ticket is closed and can no longer be changed.")


class InvalidTransition(ServiceError):
    code = "invalid_transition"
    status = 409

    def __init__(self, message: Any = None, *, status_code: int = 409, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.status = status_code


class FieldNotAllowed(ServiceError):
    code = "field_not_allowed"
    status = 403
    default_message = _("You may not set this field.")


@dataclass(frozen=True)
class NewAttachment:
    """A file to attach, independent of where it came from (form upload, API, e-mail)."""

    filename: str
    content: bytes
    content_type: str = ""


# ---------------------------------------------------------------- helpers


def capabilities_for(user: User, ticket: Ticket) -> frozenset[str]:
    """The workflow capabilities `user` holds on `ticket` (their role's, plus requester of their own)."""
    caps = set(user.capabilities)
    if ticket.requester_id == user.pk:
        caps.add("requester")
    return frozenset(caps)


# Impact x urgency -> position in the priority levels (0 = most urgent), after the seeds: company-wide
# outage P1, a department's important system P2, one person's fault P3, questions and suggestions P4.
PRIORITY_MATRIX = {
    (1, 1): 0, (1, 2): 1, (1, 3): 2,
    (2, 1): 1, (2, 2): 2, (2, 3): 2,
    (3, 1): 2, (3, 2): 2, (3, 3): 3,
}  # fmt: skip


def derive_priority(impact: int, urgency: int, *, intake: selectors.IntakeDefaults | None = None) -> Priority:
    """Priority from the impact x urgency matrix."""
    level = (intake or selectors.intake_defaults()).priority(PRIORITY_MATRIX[(int(impact), int(urgency))])
    if level is None:
        raise ServiceError(_("No priority levels are configured."), code="not_configured")
    return level


def _lock(ticket: Ticket | int) -> Ticket:
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    try:
        # of=("self",): lock the ticket row only. Without it PostgreSQL also locks every joined row (the
        # priority level, the requester: every write on a P3 ticket would queue on the P3 row) and
        # refuses the nullable group join outright.
        return (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("priority", "group", "requester")
            .get(pk=pk)
        )
    except Ticket.DoesNotExist:
        raise NotFound() from None


def _check_version(ticket: Ticket, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != ticket.version:
        raise StaleVersion(current_version=ticket.version)


def _record(ticket: Ticket, actor: User | None, kind: str, **fields: Any) -> TicketEvent:
    event = inserts.insert(TicketEvent(ticket=ticket, actor=actor, kind=kind, **fields))
    events.publish(event)
    return event


def _label(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Priority | Category):
        return value.code
    if isinstance(value, SupportGroup):
        return value.name
    if isinstance(value, User):
        return value.username
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _require_active(ticket: Ticket) -> None:
    if ticket.status in FINAL_STATUSES:
        raise TicketClosed()


def _require_desk_or_own(actor: User, ticket: Ticket) -> None:
    if not (actor.is_agent or ticket.requester_id == actor.pk):
        raise NotFound() if not actor.is_desk else PermissionDenied()


def _clean_fields(values: Mapping[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    unknown = sorted(set(values) - DESK_FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    refused = sorted(set(values) - allowed)
    if refused:
        raise FieldNotAllowed(fields=refused)
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if name in {"impact", "urgency"} and value not in Impact.values:  # both scales are 1..3
            errors[name] = [str(_("Choose high (1), medium (2) or low (3)."))]
        elif name == "channel" and value not in Channel.values:
            errors[name] = [str(_("Unknown channel."))]
        elif name == "assignee" and value is not None and not (value.is_active and value.is_agent):
            errors[name] = [str(_("Only an active agent can be assigned."))]
        elif name == "category" and value is not None and not value.is_active:
            errors[name] = [str(_("This category is no longer in use."))]
        elif name in {"title", "description"} and not str(value or "").strip():
            errors[name] = [str(_("This field is required."))]
        cleaned[name] = value.strip() if isinstance(value, str) else value
    if errors:
        raise ValidationFailed(fields=errors)
    return cleaned


# ---------------------------------------------------------------- create


def create_ticket(
    *,
    actor: User,
    title: str,
    description: str,
    requester: User | None = None,
    channel: str = Channel.PORTAL,
    attachments: Iterable[NewAttachment] = (),
    **fields: Any,
) -> Ticket:
    """Register a new request: number it, prioritise it, route it to first line and tell the requester.

    The ticket returned carries the SLA clocks it started as `started_clocks` (with their policy and
    calendar rows), for an answer that shows them at once; later reads go to the database as usual.
    """
    requester = requester or actor
    on_behalf = requester.pk != actor.pk
    if on_behalf and not actor.is_agent:
        raise PermissionDenied(_("Only the desk can register a request for someone else."))
    allowed = DESK_FIELDS if actor.is_agent else REQUESTER_CREATE_FIELDS
    values = _clean_fields({"title": title, "description": description, **fields}, allowed)
    if channel not in Channel.values:
        raise ValidationFailed(fields={"channel": [str(_("Unknown channel."))]})
    values.setdefault("contact_phone", requester.phone)
    values.setdefault("contact_email", requester.email)
    impact = values.setdefault("impact", Impact.LOW)
    urgency = values.setdefault("urgency", Urgency.MEDIUM)
    intake = selectors.intake_defaults()
    if values.get("priority") is None:
        values["priority"] = derive_priority(impact, urgency, intake=intake)
    if values.get("group") is None:
        values["group"] = intake.group()
    files = list(attachments)
    for item in files:
        _validate_attachment(item)

    now = timezone.now()
    with _atomic_with_files():
        number = allocate_number(
            settings.ITDESK_NUMBER_PATTERN or intake.number_pattern, timezone.localtime(now)
        )
        ticket = Ticket(
            number=number,
            requester=requester,
            channel=channel,
            created_at=now,
            updated_at=now,
            **values,
        )
        # The clocks first: the ticket row is then written once, with its next SLA due time.
        clocks = sla_services.new_ticket_clocks(ticket, now=now)
        inserts.insert(ticket)
        sla_services.insert_new_clocks(clocks)
        created = _record(
            ticket,
            actor,
            EventKind.CREATED,
            new_value=ticket.status,
            note=str(_("Registered by the desk on behalf of the requester")) if on_behalf else "",
        )
        for item in files:
            _store_attachment(ticket=ticket, actor=actor, item=item, internal=False, comment=None)
        # The confirmation quotes the response clock's due time.
        notify.notify_ticket_event(ticket, "received", event_id=created.pk, clocks=clocks)
        search_services.schedule_index("ticket", ticket.pk)
    ticket.started_clocks = clocks
    return ticket


# ---------------------------------------------------------------- update


def update_ticket(
    *,
    ticket: Ticket | int,
    actor: User | None,
    changes: Mapping[str, Any],
    expected_version: int | None = None,
    reason: str = "",
) -> Ticket:
    """Change fields of a ticket; each change becomes an event. A stale `expected_version` is refused.

    `actor=None` is the system (a job, e.g. the SLA watcher raising a priority): it may set desk fields.
    """
    with transaction.atomic():
        locked = _lock(ticket)
        if actor is not None:
            _require_desk_or_own(actor, locked)
        _check_version(locked, expected_version)
        _require_active(locked)
        allowed = DESK_FIELDS if actor is None or actor.is_agent else REQUESTER_FIELDS
        values = _clean_fields(dict(changes), allowed)
        changed = {name: value for name, value in values.items() if getattr(locked, name) != value}
        if "priority" in changed and not reason.strip():
            raise ServiceError(_("Changing the priority needs a reason."), code=Need.REASON.value)
        if not changed:
            return locked
        events = {}
        for name, value in changed.items():
            old = getattr(locked, name)
            setattr(locked, name, value)
            events[name] = _record(
                locked,
                actor,
                EventKind.FIELD,
                field=name,
                old_value=_label(old),
                new_value=_label(value),
                note=reason.strip() if name == "priority" else "",
                public=name in REQUESTER_FIELDS or name in {"priority", "category"},
            )
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save()
        if "priority" in changed:
            notify.notify_ticket_event(locked, "priority_changed", event_id=events["priority"].pk)
        sla_services.refresh_ticket_clocks(locked, locked=True)
        search_services.schedule_index("ticket", locked.pk)
    return locked


# ---------------------------------------------------------------- transitions


def transition_ticket(
    *,
    ticket: Ticket | int,
    actor: User | None,
    to: str,
    note: str = "",
    resolution: str = "",
    group: SupportGroup | None = None,
    assignee: User | None = None,
    expected_version: int | None = None,
    system: bool = False,
) -> Ticket:
    """Move a ticket along the process; illegal moves and missing requirements raise with their code."""
    with transaction.atomic():
        locked = _lock(ticket)
        caps = {"system"} if system or actor is None else set(capabilities_for(actor, locked))
        if actor is not None and not system and not caps:
            raise NotFound()
        _check_version(locked, expected_version)
        provided = set()
        if note.strip():
            provided |= {Need.NOTE, Need.REASON}
        if resolution.strip():
            provided.add(Need.RESOLUTION)
        if group is not None:
            provided.add(Need.GROUP)
        try:
            move = workflow.check_transition(locked.status, to, caps, provided)
        except workflow.WorkflowError as exc:
            message = _WORKFLOW_MESSAGES[exc.code]
            if exc.code in {"invalid_transition", "transition_not_permitted"}:
                params = {"source": _status_label(locked.status), "target": _status_label(to)}
                status = 409 if exc.code == "invalid_transition" else 403
                raise InvalidTransition(message % params, code=exc.code, status_code=status) from None
            field = _NEED_FIELDS[exc.code]
            raise ValidationFailed(message, code=exc.code, fields={field: [str(message)]}) from None
        if (group is not None or assignee is not None) and not caps & {"agent", "system"}:
            given = {"group": group, "assignee": assignee}
            raise FieldNotAllowed(fields=[name for name, value in given.items() if value is not None])
        if assignee is not None and not (assignee.is_active and assignee.is_agent):
            raise ValidationFailed(fields={"assignee": [str(_("Only an active agent can be assigned."))]})

        now = timezone.now()
        old_status = locked.status
        locked.status = move.target
        if move.target == Status.ACKNOWLEDGED:
            locked.acknowledged_at = locked.acknowledged_at or now
            locked.first_response_at = locked.first_response_at or now
        if move.target == Status.WAITING_ON_REQUESTER:
            locked.status_before_wait = old_status
        elif old_status == Status.WAITING_ON_REQUESTER:
            locked.status_before_wait = ""
        if move.target == Status.RESOLVED:
            locked.resolution = resolution.strip()
            locked.resolved_at = now
        if move.action == "reopen":
            locked.resolved_at = None
        if move.target in FINAL_STATUSES:
            locked.closed_at = now
        if (
            actor is not None
            and actor.is_agent
            and locked.assignee_id is None
            and move.target
            in {
                Status.ACKNOWLEDGED,
                Status.DIAGNOSING,
            }
        ):
            # Taking the first step on an unassigned ticket takes it.
            _set_and_record(locked, actor, "assignee", actor)
        if move.target == Status.ESCALATED:
            locked.escalated_at = locked.escalated_at or now
            _set_and_record(locked, actor, "group", group)
            _set_and_record(locked, actor, "assignee", assignee)
        elif assignee is not None:
            _set_and_record(locked, actor, "assignee", assignee)
        # The move itself is always on the requester's timeline; a note meant for the desk only (an
        # escalation handover, a plan, an approval decision) becomes an internal note beside it.
        public_note = (
            resolution.strip() if move.target == Status.RESOLVED and not note.strip() else note.strip()
        )
        if note.strip() and not move.note_public:
            public_note = ""
            handover = Comment.objects.create(
                ticket=locked,
                author=actor,
                body=note.strip(),
                internal=True,
                created_at=now,
            )
            _record(locked, actor, EventKind.NOTE, comment=handover, public=False, created_at=now)
        status_event = _record(
            locked,
            actor,
            EventKind.STATUS,
            field="status",
            old_value=old_status,
            new_value=move.target,
            note=public_note,
            public=True,
            created_at=now,
        )
        locked.version += 1
        locked.updated_at = now
        locked.save()
        notify.notify_ticket_event(locked, f"status:{move.target}", event_id=status_event.pk)
        sla_services.refresh_ticket_clocks(locked, locked=True)
        search_services.schedule_index("ticket", locked.pk)
    return locked


def _set_and_record(ticket: Ticket, actor: User | None, name: str, value: Any) -> None:
    old = getattr(ticket, name)
    if old == value:
        return
    setattr(ticket, name, value)
    _record(
        ticket,
        actor,
        EventKind.FIELD,
        field=name,
        old_value=_label(old),
        new_value=_label(value),
        public=False,
    )


def _status_label(status: str) -> str:
    from itdesk.tickets.choices import Status as StatusChoices

    try:
        return str(StatusChoices(status).label)
    except ValueError:
        return status


def available_moves(ticket: Ticket, user: User) -> list[workflow.Transition]:
    """The moves `user` may offer on `ticket` (for buttons and the API)."""
    return workflow.available_transitions(ticket.status, capabilities_for(user, ticket))


# ---------------------------------------------------------------- comments and attachments


def add_comment(
    *,
    ticket: Ticket | int,
    actor: User,
    body: str,
    internal: bool = False,
    attachments: Iterable[NewAttachment] = (),
) -> Comment:
    """Add a public reply or an internal note; a requester's reply resumes a ticket waiting on them."""
    body = (body or "").strip()
    files = list(attachments)
    if not body and not files:
        raise ValidationFailed(fields={"body": [str(_("Write a message or attach a file."))]})
    for item in files:
        _validate_attachment(item)
    with _atomic_with_files():
        locked = _lock(ticket)
        _require_desk_or_own(actor, locked)
        _require_active(locked)
        if internal and not actor.is_agent:
            raise FieldNotAllowed(_("Only the desk can write internal notes."))
        now = timezone.now()
        comment = Comment.objects.create(
            ticket=locked, author=actor, body=body, internal=internal, created_at=now
        )
        comment_event = _record(
            locked,
            actor,
            EventKind.NOTE if internal else EventKind.COMMENT,
            comment=comment,
            public=not internal,
            created_at=now,
        )
        for item in files:
            _store_attachment(ticket=locked, actor=actor, item=item, internal=internal, comment=comment)
        from_desk = actor.is_agent and locked.requester_id != actor.pk
        first_response = from_desk and not internal and locked.first_response_at is None
        if first_response:
            locked.first_response_at = now
        locked.updated_at = now
        locked.save(update_fields=["first_response_at", "updated_at"])
        if first_response:
            # The desk's first public reply meets the response target. Nothing else a comment does moves
            # a clock (a resume below is a transition, which refreshes them itself).
            sla_services.refresh_ticket_clocks(locked, locked=True)
        if not from_desk and locked.status == Status.WAITING_ON_REQUESTER:
            transition_ticket(
                ticket=locked,
                actor=None,
                to=locked.status_before_wait or Status.DIAGNOSING,
                note=str(_("The requester answered.")),
                system=True,
            )
        if from_desk and not internal:
            notify.notify_ticket_event(locked, "reply", event_id=comment_event.pk, comment=comment)
        elif not from_desk:
            notify.notify_ticket_event(locked, "requester_reply", event_id=comment_event.pk, comment=comment)
        search_services.schedule_index("ticket", locked.pk)
    return comment


def add_attachment(
    *, ticket: Ticket | int, actor: User, item: NewAttachment, internal: bool = False
) -> Attachment:
    """Attach a file to a ticket."""
    _validate_attachment(item)
    with _atomic_with_files():
        locked = _lock(ticket)
        _require_desk_or_own(actor, locked)
        _require_active(locked)
        if internal and not actor.is_agent:
            raise FieldNotAllowed(_("Only the desk can add internal attachments."))
        attachment = _store_attachment(ticket=locked, actor=actor, item=item, internal=internal, comment=None)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["updated_at"])
    return attachment


def attachment_from_upload(upload: UploadedFile) -> NewAttachment:
    """Read an uploaded file (bounded by the configured size limit)."""
    limit = settings.ITDESK_ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise _too_large(upload.name or "")
    return NewAttachment(
        filename=upload.name or "file", content=upload.read(limit + 1), content_type=upload.content_type or ""
    )


def _too_large(name: str) -> ValidationFailed:
    limit_mb = settings.ITDESK_ATTACHMENT_MAX_BYTES // (1024 * 1024)
    return ValidationFailed(
        _("“%(name)s” is larger than %(limit)s MB.") % {"name": name, "limit": limit_mb},
        code="file_too_large",
        fields={"file": [str(_("The file is too large."))]},
    )


def _validate_attachment(item: NewAttachment) -> None:
    name = PurePath(item.filename.replace("\\", "/")).name.strip()
    extension = PurePath(name).suffix.lower().lstrip(".")
    if not name or extension not in settings.ITDESK_ATTACHMENT_EXTENSIONS:
        raise ValidationFailed(
            _("Files of this type cannot be attached: %(name)s") % {"name": name or "?"},
            code="file_type_not_allowed",
            fields={"file": [str(_("This type of file is not allowed."))]},
        )
    if len(item.content) > settings.ITDESK_ATTACHMENT_MAX_BYTES:
        raise _too_large(name)
    if not item.content:
        raise ValidationFailed(
            _("The file is empty."), code="file_empty", fields={"file": [str(_("Empty file."))]}
        )


def _store_attachment(
    *, ticket: Ticket, actor: User, item: NewAttachment, internal: bool, comment: Comment | None
) -> Attachment:
    from django.core.files.base import ContentFile

    name = PurePath(item.filename.replace("\\", "/")).name.strip()[:200]
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    attachment = Attachment(
        ticket=ticket,
        comment=comment,
        filename=name,
        content_type=content_type,
        size=len(item.content),
        sha256=hashlib.sha256(item.content).hexdigest(),
        internal=internal,
        uploaded_by=actor,
    )
    attachment.file.save(name, ContentFile(item.content), save=False)
    _written_files().append((attachment.file.storage, attachment.file.name))
    attachment.save()
    _record(ticket, actor, EventKind.ATTACHMENT, new_value=name, public=not internal, comment=comment)
    return attachment


_file_stack: list[list[tuple[Any, str]]] = []


def _written_files() -> list[tuple[Any, str]]:
    if not _file_stack:
        raise RuntimeError("attachments must be stored inside _atomic_with_files()")
    return _file_stack[-1]


@contextmanager
def _atomic_with_files() -> Iterator[None]:
    """A transaction that also removes the files it wrote if it rolls back."""
    written: list[tuple[Any, str]] = []
    _file_stack.append(written)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    finally:
        _file_stack.pop()


__all__ = [
    "FieldNotAllowed",
    "InvalidTransition",
    "NewAttachment",
    "TicketClosed",
    "add_attachment",
    "add_comment",
    "attachment_from_upload",
    "available_moves",
    "create_ticket",
    "derive_priority",
    "transition_ticket",
    "update_ticket",
]
