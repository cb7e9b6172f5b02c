"""A ticket's timeline for a page: events, replies and files merged, values turned into labels.

Everything comes from the selectors, so a requester's timeline never holds an internal entry.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from itdesk.accounts.models import User
from itdesk.tickets import selectors
from itdesk.tickets.choices import Channel, EventKind, Impact, Status, Urgency
from itdesk.tickets.models import Attachment, Category, Comment, Priority, Ticket, TicketEvent
from itdesk.web.sla import event_heading

# Fields whose old and new values are short enough to show; long text changes only say "updated".
LABELLED_FIELDS = frozenset(
    {"priority", "category", "group", "assignee", "impact", "urgency", "channel", "status", "contact_phone"}
)
SYSTEM_NAME = _("ITDesk")


@dataclass
class Entry:
    """One line of the timeline as a page shows it."""

    kind: str
    when: datetime
    actor: str
    event: TicketEvent
    internal: bool = False
    comment: Comment | None = None
    attachment: Attachment | None = None
    field_label: str = ""
    old: str = ""
    new: str = ""
    files: list[Attachment] = field(default_factory=list)
    sla_target: str = ""
    sla_due: str = ""


def _field_label(name: str) -> str:
    try:
        return str(Ticket._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


class _Labels:
    """Turns stored event values (codes, usernames, numbers) into what people read, in few queries."""

    def __init__(self, events: list[TicketEvent]) -> None:
        wanted: dict[str, set[str]] = defaultdict(set)
        for event in events:
            if event.kind == EventKind.FIELD and event.field in {"priority", "category", "assignee"}:
                wanted[event.field] |= {event.old_value, event.new_value} - {""}
        self.priorities = (
            {p.code: str(p) for p in Priority.objects.filter(code__in=wanted["priority"])}
            if wanted["priority"]
            else {}
        )
        self.categories = (
            {c.code: c.label for c in Category.objects.filter(code__in=wanted["category"])}
            if wanted["category"]
            else {}
        )
        self.people = (
            {u.username: u.name for u in User.objects.filter(username__in=wanted["assignee"])}
            if wanted["assignee"]
            else {}
        )

    def value(self, name: str, raw: str) -> str:
        if raw == "":
            return str(_("none"))
        choices: dict[str, Any] = {
            "status": Status,
            "impact": Impact,
            "urgency": Urgency,
            "channel": Channel,
        }
        if name in choices:
            enum = choices[name]
            try:
                return str(enum(int(raw) if name in {"impact", "urgency"} else raw).label)
            except ValueError:
                return raw
        if name == "priority":
            return self.priorities.get(raw, raw)
        if name == "category":
            return self.categories.get(raw, raw)
        if name == "assignee":
            return self.people.get(raw, raw)
        return raw


def build_timeline(user: User, ticket: Ticket, *, public_only: bool = False) -> list[Entry]:
    """The ticket's history as `user` may see it; `public_only` gives the requester's view to anyone."""
    events = selectors.events_for(user, ticket)
    comments = selectors.comments_for(user, ticket)
    attachments = selectors.attachments_for(user, ticket)
    if public_only:
        events = events.filter(public=True).filter(Q(comment__isnull=True) | Q(comment__internal=False))
        comments = comments.filter(internal=False)
        attachments = attachments.filter(internal=False)
    event_list = list(events)
    comments_by_id = {c.pk: c for c in comments}
    # Files not attached to a reply: their events name the file; pair them in creation order.
    loose_files: dict[str, deque[Attachment]] = defaultdict(deque)
    for attachment in attachments:
        if attachment.comment_id is None:
            loose_files[attachment.filename].append(attachment)
    labels = _Labels(event_list)
    entries: list[Entry] = []
    for event in event_list:
        actor = event.actor.name if event.actor else str(SYSTEM_NAME)
        entry = Entry(
            kind=event.kind, when=event.created_at, actor=actor, event=event, internal=not event.public
        )
        if event.kind in {EventKind.COMMENT, EventKind.NOTE}:
            entry.comment = comments_by_id.get(event.comment_id or 0)
            if entry.comment is None:
                continue
            entry.internal = entry.comment.internal
            entry.files = list(entry.comment.attachments.all())
        elif event.kind == EventKind.ATTACHMENT:
            if event.comment_id is not None:
                continue  # shown with its reply
            queue = loose_files.get(event.new_value)
            if not queue:
                continue
            entry.attachment = queue.popleft()
            entry.internal = entry.attachment.internal
        elif event.kind in {EventKind.SLA_WARNING, EventKind.SLA_BREACH}:
            # The watcher stores the target in `field` and its due instant in `new_value`.
            entry.sla_target, entry.sla_due = event_heading(event.field, event.new_value, event.created_at)
        elif event.kind in {EventKind.STATUS, EventKind.FIELD}:
            entry.field_label = _field_label(event.field)
            if event.field in LABELLED_FIELDS:
                entry.old = labels.value(event.field, event.old_value)
                entry.new = labels.value(event.field, event.new_value)
        entries.append(entry)
    return entries
