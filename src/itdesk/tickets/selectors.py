"""Reads shared by pages and the API, every one scoped to what the caller may see."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from itdesk.accounts.models import User
from itdesk.core.errors import NotFound
from itdesk.tickets.models import Attachment, Comment, Ticket, TicketEvent
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
