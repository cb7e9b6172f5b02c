"""The "Notifications" panel of a ticket's desk page: which message reached whom, on which channel."""

from __future__ import annotations

from typing import Any

from django import template

from itdesk.notifications import catalog, selectors

register = template.Library()

STATUS_COLOURS = {"sent": "green", "pending": "amber", "sending": "blue", "failed": "red"}


@register.inclusion_tag("web/notifications/_ticket_panel.html", takes_context=True)
def ticket_notifications(context: dict[str, Any], ticket: Any) -> dict[str, Any]:
    """The outbox rows of `ticket` for the desk (nothing for anyone else); one query."""
    user = context["request"].user
    if not getattr(user, "is_desk", False):
        return {"show": False}
    rows = [
        {
            "message": message,
            "event_label": catalog.BY_KEY[message.event].label
            if message.event in catalog.BY_KEY
            else message.event,
            "channel_label": catalog.channel_label(message.channel),
            "colour": STATUS_COLOURS.get(message.status, "grey"),
        }
        for message in selectors.messages_for_ticket(user, ticket)
    ]
    return {"show": True, "rows": rows, "ticket": ticket}
