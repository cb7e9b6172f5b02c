"""Reads shared by pages and the API, every one scoped to what the caller may see."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from itdesk.accounts.models import SupportGroup, User
from itdesk.core.errors import NotFound
from itdesk.core.versioned import VersionedCache
from itdesk.tickets.models import Attachment, Category, Comment, DeskSettings, Priority, Ticket, TicketEvent
from itdesk.tickets.workflow import ACTIVE_STATUSES

QUEUES = ("new", "mine", "group", "open", "all")


def visible_tickets(user: User) -> QuerySet[Ticket]:
    """Tickets `user` may see: the desk sees all, anyone else only their own."""
    qs = Ticket.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if not user.is_desk:
        qs = qs.filter(requester=user)
    return qs


def ticket_list(user: User) -> QuerySet[Ticket]:
    """Visible tickets with what a list row shows loaded in the same query."""
    return visible_tickets(user).select_related("priority", "category", "group", "assignee", "requester")


def queue(user: User, name: str) -> QuerySet[Ticket]:
    """A desk queue: new, mine, my groups', all open, or everything."""
    qs = ticket_list(user)
    active = [s.value for s in ACTIVE_STATUSES]
    if name == "new":
        return qs.filter(status="new")
    if name == "mine":
        return qs.filter(assignee=user, status__in=active)
    if name == "group":
        return qs.filter(group__in=user.support_groups.all(), status__in=active)
    if name == "open":
        return qs.filter(status__in=active)
    return qs


def get_ticket(user: User, number: str, *, for_update: bool = False) -> Ticket:
    """One visible ticket by number; anyone else's is NotFound (404), never a permission hint."""
    try:
        return ticket_list(user).get(number=number)
    except Ticket.DoesNotExist:
        raise NotFound() from None


def comments_for(user: User, ticket: Ticket) -> QuerySet[Comment]:
    """A ticket's comments as `user` may see them: internal notes only for the desk."""
    qs = ticket.comments.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=attachments_for(user, ticket))
    )
    if not user.is_desk:
        qs = qs.filter(internal=False)
    return qs


def attachments_for(user: User, ticket: Ticket) -> QuerySet[Attachment]:
    """A ticket's attachments as `user` may see them."""
    qs = Attachment.objects.filter(ticket=ticket).select_related("uploaded_by")
    if not user.is_desk:
        qs = qs.filter(internal=False)
    return qs


def events_for(user: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    """A ticket's timeline as `user` may see it: internal entries only for the desk."""
    qs = ticket.events.select_related("actor", "comment", "comment__author")
    if not user.is_desk:
        qs = qs.filter(public=True).filter(Q(comment__isnull=True) | Q(comment__internal=False))
    return qs


def get_attachment(user: User, number: str, attachment_id: int) -> Attachment:
    """One visible attachment of a visible ticket."""
    ticket = get_ticket(user, number)
    try:
        return attachments_for(user, ticket).get(pk=attachment_id)
    except Attachment.DoesNotExist:
        raise NotFound() from None


# ---------------------------------------------------------------- what every new request reads


@dataclass(frozen=True)
class IntakeDefaults:
    """The configuration a new request is numbered, prioritised and routed with."""

    priorities: tuple[Priority, ...]  # most urgent first
    first_line_group: SupportGroup | None
    number_pattern: str
    categories: dict[str, Category]  # by code

    def priority(self, index: int) -> Priority | None:
        """The level at `index` (clamped to the last one), as a private copy the caller may attach."""
        if not self.priorities:
            return None
        return copy.copy(self.priorities[min(index, len(self.priorities) - 1)])

    def group(self) -> SupportGroup | None:
        """The first-line group (the lowest id among them), as a private copy."""
        return copy.copy(self.first_line_group)

    def category(self, code: str) -> Category | None:
        """The category with this code (active or not), as a private copy; None when there is none."""
        found = self.categories.get(code)
        return copy.copy(found) if found is not None else None

    def priority_by_code(self, code: str) -> Priority | None:
        """The priority level with this code, as a private copy; None when there is none."""
        found = next((level for level in self.priorities if level.code == code), None)
        return copy.copy(found) if found is not None else None


def _load_intake_defaults() -> IntakeDefaults:
    return IntakeDefaults(
        priorities=tuple(Priority.objects.order_by("rank")),
        first_line_group=SupportGroup.objects.filter(is_first_line=True).order_by("pk").first(),
        number_pattern=DeskSettings.load().number_pattern,
        categories={category.code: category for category in Category.objects.all()},
    )


# Priority levels, categories, support groups and the desk settings change in the admin, rarely; every intake
# (API, portal, e-mail, IM) reads them. Copies are handed out so that what a caller caches on an instance
# (a group's lead, say) never outlives the request.
_intake = VersionedCache("tickets:intake-defaults", _load_intake_defaults)


def intake_defaults() -> IntakeDefaults:
    """Priority levels, categories, first-line group and number pattern, from the process cache while unchanged."""
    return _intake.get()


def intake_defaults_changed(**kwargs: Any) -> None:
    """Signal receiver (a priority level, category, support group or the desk settings saved or deleted)."""
    if not kwargs.get("raw"):
        _intake.changed()
