"""Reads of the e-mail channel shared by the admin, pages and commands."""

from __future__ import annotations

from django.db.models import QuerySet

from itdesk.channels.mail.models import InboundMessage, InboundStatus, TicketParticipant
from itdesk.tickets.models import Ticket


def messages_needing_review(*, mailbox_id: int | None = None) -> QuerySet[InboundMessage]:
    """Quarantined and held messages, newest first (the desk's review queue), without their raw bytes."""
    queryset = (
        InboundMessage.objects.filter(status__in=[InboundStatus.QUARANTINED, InboundStatus.HELD])
        .select_related("mailbox", "ticket")
        .defer("raw")
        .order_by("-received_at", "-id")
    )
    if mailbox_id is not None:
        queryset = queryset.filter(mailbox_id=mailbox_id)
    return queryset


def participants_of(ticket: Ticket) -> list[str]:
    """The addresses copied on a ticket's mail, in the order they joined."""
    return list(
        TicketParticipant.objects.filter(ticket=ticket)
        .order_by("added_at", "id")
        .values_list("email", flat=True)
    )


def messages_of_ticket(ticket: Ticket) -> QuerySet[InboundMessage]:
    """The inbound messages that created or were added to `ticket`, oldest first."""
    return InboundMessage.objects.filter(ticket=ticket).defer("raw").order_by("received_at", "id")
