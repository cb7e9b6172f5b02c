"""Telling people what happened to a ticket, in their own language, through the outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from itdesk.notifications.services import queue_email

if TYPE_CHECKING:
    from itdesk.tickets.models import Comment, Ticket

# Which events tell the requester, with the subject line for each.
REQUESTER_SUBJECTS = {
    "received": _("[%(number)s] We received your request: %(title)s"),
    "status:acknowledged": _("[%(number)s] Your request has been acknowledged"),
    "status:escalated": _("[%(number)s] Your request was passed to a specialist group"),
    "status:waiting_on_requester": _("[%(number)s] We need your answer to continue"),
    "status:resolved": _("[%(number)s] Resolved — please confirm"),
    "status:closed": _("[%(number)s] Your request is closed"),
    "status:cancelled": _("[%(number)s] Your request was cancelled"),
    "priority_changed": _("[%(number)s] The priority of your request changed"),
    "reply": _("[%(number)s] New reply: %(title)s"),
}
# Which events tell the assignee (or the group, when no one is assigned).
DESK_SUBJECTS = {
    "requester_reply": _("[%(number)s] The requester replied: %(title)s"),
    "status:escalated": _("[%(number)s] Escalated to your group: %(title)s"),
}


def notify_ticket_event(ticket: Ticket, event: str, *, event_id: int, comment: Comment | None = None) -> None:
    """Queue the notifications for `event` in the current transaction (the outbox is transactional)."""
    if event not in REQUESTER_SUBJECTS and event not in DESK_SUBJECTS:
        return
    queue_ticket_notifications(ticket, event, event_id=event_id, comment=comment)


def _minutes_text(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return str(_("%(n)s days") % {"n": days}) if days != 1 else str(_("1 day"))
    if minutes % 60 == 0:
        hours = minutes // 60
        return str(_("%(n)s hours") % {"n": hours}) if hours != 1 else str(_("1 hour"))
    return str(_("%(n)s minutes") % {"n": minutes})


def queue_ticket_notifications(
    ticket: Ticket, event: str, *, event_id: int, comment: Comment | None = None
) -> None:
    """Render and queue one message per recipient for a ticket event."""
    recipients: list[tuple[str, str, Any, str]] = []  # (address, language, subject template, audience)
    if event in REQUESTER_SUBJECTS:
        address = ticket.contact_email or ticket.requester.email
        recipients.append((address, ticket.requester.language, REQUESTER_SUBJECTS[event], "requester"))
    if event in DESK_SUBJECTS:
        if ticket.assignee is not None and event != "status:escalated":
            recipients.append((ticket.assignee.email, ticket.assignee.language, DESK_SUBJECTS[event], "desk"))
        elif ticket.group is not None and ticket.group.email:
            recipients.append((ticket.group.email, "", DESK_SUBJECTS[event], "desk"))
    for address, language, subject, audience in recipients:
        if not address:
            continue
        lang = language or settings.LANGUAGE_CODE
        with translation.override(lang):
            portal_path = reverse(
                "web:portal-ticket" if audience == "requester" else "web:desk-ticket", args=[ticket.number]
            )
            context = {
                "ticket": ticket,
                "event": event,
                "comment": comment,
                "audience": audience,
                "response_time": _minutes_text(ticket.priority.response_minutes),
                "url": f"{settings.SITE_URL}{portal_path}",
            }
            queue_email(
                dedupe_key=f"ticket:{ticket.pk}:{event}:{event_id}:{audience}:{address}",
                recipient=address,
                subject=str(subject % {"number": ticket.number, "title": ticket.title}),
                body_text=render_to_string("notifications/email/ticket_event.txt", context),
                body_html=render_to_string("notifications/email/ticket_event.html", context),
                headers={"X-ITDesk-Ticket": ticket.number, "Auto-Submitted": "auto-generated"},
                language=lang,
                ticket_id=ticket.pk,
            )


__all__ = ["notify_ticket_event", "queue_ticket_notifications", "transaction"]
