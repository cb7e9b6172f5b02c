"""Tickets as search documents: the public text for the requester and the desk, internal notes for the desk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.urls import reverse

from itdesk.search import registry
from itdesk.search.registry import DESK, PUBLIC, Document
from itdesk.tickets.models import Comment, Ticket

TICKET = "ticket"
_FIELDS = (
    "pk",
    "number",
    "title",
    "description",
    "resolution",
    "requester_id",
    "updated_at",
    "tried",
    "impact_scope",
    "device_model",
    "os_version",
    "software_version",
    "category__name_en",
    "category__name_zh",
)


def ticket_documents(ids: Iterable[int]) -> Iterator[Document]:
    """The documents of these tickets: public text (owned by the requester) and, if any, internal notes."""
    wanted = {int(pk) for pk in ids}
    if not wanted:
        return
    low, high = min(wanted), max(wanted)
    # A rebuild asks for consecutive ids: a range is one cheap condition, where IN with thousands of
    # placeholders costs more to send and parse than the rows themselves. Scattered ids use IN.
    dense = high - low < 2 * len(wanted)
    tickets = Ticket.objects.filter(pk__range=(low, high)) if dense else Ticket.objects.filter(pk__in=wanted)
    comments = (
        Comment.objects.filter(ticket_id__gte=low, ticket_id__lte=high)
        if dense
        else Comment.objects.filter(ticket_id__in=wanted)
    )
    replies: dict[int, list[str]] = defaultdict(list)
    notes: dict[int, list[str]] = defaultdict(list)
    for ticket_id, body, internal in comments.order_by("ticket_id", "created_at", "id").values_list(
        "ticket_id", "body", "internal"
    ):
        if ticket_id in wanted:
            (notes if internal else replies)[ticket_id].append(body)
    for row in tickets.order_by("pk").values_list(*_FIELDS):
        (pk, number, title, description, resolution, requester_id, updated_at) = row[:7]
        if pk not in wanted:
            continue
        details = " ".join(part for part in row[7:12] if part)
        keywords = " ".join(part for part in row[12:] if part)
        public_text = [description, details, *replies[pk], resolution]
        yield Document(
            kind=TICKET,
            object_id=pk,
            reference=number,
            title=title,
            body="\n\n".join(part for part in public_text if part),
            keywords=keywords,
            exact_terms=(number,),
            audience=PUBLIC,
            owner_id=requester_id,
            updated_at=updated_at,
        )
        if notes[pk]:
            yield Document(
                kind=TICKET,
                object_id=pk,
                reference=number,
                title=title,
                body="\n\n".join(notes[pk]),
                exact_terms=(number,),
                audience=DESK,
                updated_at=updated_at,
            )


def ticket_url(number: str, user: Any) -> str:
    """The desk's page of a ticket for the desk, the portal's for its requester."""
    name = "web:desk-ticket" if getattr(user, "is_desk", False) else "web:portal-ticket"
    return reverse(name, args=[number])


def all_ticket_ids() -> Iterable[int]:
    """Every ticket's id (for a rebuild)."""
    return Ticket.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=20_000)


def tickets_changed_since(when: datetime) -> Iterable[int]:
    """Ids of the tickets changed since `when` (every ticket write sets updated_at)."""
    return Ticket.objects.filter(updated_at__gte=when).values_list("pk", flat=True)


def register_ticket_documents() -> None:
    """Make tickets searchable."""
    registry.register(
        TICKET, ticket_documents, url=ticket_url, all_ids=all_ticket_ids, changed_since=tickets_changed_since
    )
