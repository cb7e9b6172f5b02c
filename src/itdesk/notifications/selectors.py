"""Reads of the outbox for pages and the API: which message reached whom, on which channel."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from itdesk.core.errors import PermissionDenied
from itdesk.notifications.models import OutboxMessage


def messages_for_ticket(user: Any, ticket: Any) -> QuerySet[OutboxMessage]:
    """The outbox rows about a (visible) ticket, newest first: the desk only; one query."""
    if not getattr(user, "is_desk", False):
        raise PermissionDenied()
    return (
        OutboxMessage.objects.filter(ticket_id=ticket.pk)
        .select_related("user")
        .defer("body_text", "body_html", "headers")
        .order_by("-created_at", "-pk")
    )
