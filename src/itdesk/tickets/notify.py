"""Telling people what happened to a ticket, in their own language, on their channels, through the outbox.

tickets.services calls notify_ticket_event inside the transaction that changed the ticket, so the outbox
rows commit (or roll back) with the change. Each recipient gets the event in their language
(translation.override) and is reached on the channels of their preferences
(itdesk.notifications.dispatch). A message is queued as its template and a JSON snapshot of what it
shows (`snapshot`): the outbox renders it (itdesk.notifications.render) when it delivers it, so the
change that caused it does not wait for the templates. Every e-mail about a ticket carries signed
threading headers (itdesk.notifications.mailheaders) so a mail client shows one conversation per ticket
and a reply finds its ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from itdesk.notifications.dispatch import Pending, Recipient, dispatch
from itdesk.notifications.mailheaders import ticket_headers
from itdesk.notifications.models import OutboxMessage
from itdesk.notifications.render import clean_subject, status_label

if TYPE_CHECKING:
    from itdesk.sla.models import TicketClock
    from itdesk.tickets.models import Comment, Ticket

# Which events tell the requester, with the subject line for each. "[NUMBER]" starts every subject, so
# replies thread by subject too.
REQUESTER_SUBJECTS = {
    "received": _("[%(number)s] We received your request: %(title)s"),
    "status:acknowledged": _("[%(number)s] Your request has been acknowledged"),
    "status:escalated": _("[%(number)s] Your request was passed to a specialist group"),
    "status:waiting_on_requester": _("[%(number)s] We need your answer to continue"),
    "status:resolved": _("[%(number)s] Resolved — please confirm"),
    "status:closed": _("[%(number)s] Your request is closed — tell us how we did"),
    "status:cancelled": _("[%(number)s] Your request was cancelled"),
    "priority_changed": _("[%(number)s] The priority of your request changed"),
    "reply": _("[%(number)s] New reply: %(title)s"),
}
# Which events tell the assignee (or the group, when no one is assigned).
DESK_SUBJECTS = {
    "requester_reply": _("[%(number)s] The requester replied: %(title)s"),
    "status:escalated": _("[%(number)s] Escalated to your group: %(title)s"),
}
# Which events tell the approvers.
APPROVER_SUBJECTS = {
    "status:awaiting_approval": _("[%(number)s] Approval requested: %(title)s"),
}

# Ticket event -> the notification kind (preference key and template name), per audience.
REQUESTER_KINDS = {
    "received": "received",
    "status:acknowledged": "acknowledged",
    "status:escalated": "escalated",
    "status:waiting_on_requester": "waiting_on_requester",
    "status:resolved": "resolved",
    "status:closed": "closed",
    "status:cancelled": "cancelled",
    "priority_changed": "priority_changed",
    "reply": "reply",
}
DESK_KINDS = {"requester_reply": "requester_reply", "status:escalated": "escalated_to_group"}
APPROVER_KINDS = {"status:awaiting_approval": "approval_requested"}
# Events whose TicketEvent note the message quotes (the question asked, the reason for a change).
QUOTES_NOTE = frozenset({"status:waiting_on_requester", "priority_changed"})

ACTION_LABELS = {
    "resolved": _("Confirm or reopen"),
    "closed": _("Tell us how we did"),
    "waiting_on_requester": _("Answer the question"),
    "approval_requested": _("Review the plan"),
}
REQUESTER = "requester"
DESK = "desk"
APPROVER = "approver"


def notify_ticket_event(
    ticket: Ticket,
    event: str,
    *,
    event_id: int,
    comment: Comment | None = None,
    clocks: Sequence[Any] | None = None,
) -> None:
    """Queue the notifications for `event` in the current transaction (the outbox is transactional).

    `clocks`: the ticket's SLA clocks when the caller has just computed them (saves reading them back).
    """
    if event not in REQUESTER_KINDS and event not in DESK_KINDS and event not in APPROVER_KINDS:
        return
    queue_ticket_notifications(ticket, event, event_id=event_id, comment=comment, clocks=clocks)


def _minutes_text(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return str(_("%(n)s days") % {"n": days}) if days != 1 else str(_("1 day"))
    if minutes % 60 == 0:
        hours = minutes // 60
        return str(_("%(n)s hours") % {"n": hours}) if hours != 1 else str(_("1 hour"))
    return str(_("%(n)s minutes") % {"n": minutes})


def _url(name: str, number: str) -> str:
    try:
        return settings.SITE_URL + reverse(name, args=[number])
    except NoReverseMatch:
        return settings.SITE_URL


def _requester(ticket: Ticket) -> list[Recipient]:
    return [Recipient.person(ticket.requester, email=ticket.contact_email)]


def _desk(ticket: Ticket) -> list[Recipient]:
    """The assignee; else the group's address; else the group's lead."""
    if ticket.assignee is not None:
        return [Recipient.person(ticket.assignee)]
    group = ticket.group
    if group is not None and group.email:
        return [Recipient.address(group.email)]
    if group is not None and group.lead is not None:
        return [Recipient.person(group.lead)]
    return []


def _approvers(ticket: Ticket) -> list[Recipient]:
    """Active users with the approver role; without any, the lead of the ticket's group."""
    from itdesk.accounts.choices import Role
    from itdesk.accounts.models import User

    people = list(User.objects.filter(is_active=True, role=Role.APPROVER).order_by("pk"))
    if not people and ticket.group is not None and ticket.group.lead is not None:
        people = [ticket.group.lead]
    return [Recipient.person(user) for user in people]


def _response_clock(ticket: Ticket, clocks: Sequence[Any] | None = None) -> Any:
    """The running response clock of the ticket as it stands now, or None."""
    from itdesk.sla.models import ClockState, TargetKind, TicketClock
    from itdesk.sla.selectors import clock_view

    if clocks is not None:
        clock = next((c for c in clocks if c.kind == TargetKind.RESPONSE), None)
    else:
        clock = (
            TicketClock.objects.filter(ticket_id=ticket.pk, kind=TargetKind.RESPONSE)
            .select_related("calendar")
            .first()
        )
    if clock is None or clock.state != ClockState.RUNNING:
        return None
    return clock_view(clock, timezone.now())


def _response_texts(ticket: Ticket, view: Any) -> dict[str, str]:
    """The expected response time (and due instant when an SLA clock runs), in the active language."""
    if view is None:
        return {"response_time": _minutes_text(ticket.priority.response_minutes), "response_due": ""}
    from itdesk.sla.explain import format_when, target_text

    return {
        "response_time": target_text(view.clock.target_amount, view.clock.target_unit),
        "response_due": format_when(view.due_at),
    }


# The relations of a ticket each event template names beyond the shared layout (number, title,
# priority, status): only these are read for its snapshot, so queueing reads no row it does not show.
TEMPLATE_RELATIONS: dict[str, tuple[str, ...]] = {
    "acknowledged": ("assignee",),
    "escalated": ("group",),
    "escalated_to_group": ("requester",),
    "requester_reply": ("requester",),
}


def _person(user: Any) -> dict[str, str] | None:
    return {"name": user.name} if user is not None else None


def snapshot(ticket: Ticket, template: str, language: str) -> dict[str, Any]:
    """What a notification shows of `ticket`, as JSON: kept on the outbox row, rendered when sent.

    Returns the context keys `ticket` (the values the layout and `template` read, under the names the
    templates use) and `status_label` (the status in `language`).
    """
    data: dict[str, Any] = {
        "number": ticket.number,
        "title": ticket.title,
        "priority": {"code": ticket.priority.code},
        "resolution": ticket.resolution,
    }
    for name in TEMPLATE_RELATIONS.get(template, ()):
        data[name] = _person(getattr(ticket, name))
    return {"ticket": data, "status_label": status_label(ticket, language)}


def _comment_snapshot(comment: Comment | None) -> dict[str, Any] | None:
    if comment is None:
        return None
    return {"body": comment.body, "author": _person(comment.author)}


def queue_ticket_notifications(
    ticket: Ticket,
    event: str,
    *,
    event_id: int,
    comment: Comment | None = None,
    clocks: Sequence[Any] | None = None,
) -> list[OutboxMessage]:
    """Render and queue the messages of a ticket event: one per recipient and chosen channel."""
    plan: list[tuple[str, str, Any, list[Recipient]]] = []
    if event in REQUESTER_KINDS:
        plan.append((REQUESTER, REQUESTER_KINDS[event], REQUESTER_SUBJECTS[event], _requester(ticket)))
    if event in DESK_KINDS:
        plan.append((DESK, DESK_KINDS[event], DESK_SUBJECTS[event], _desk(ticket)))
    if event in APPROVER_KINDS:
        plan.append((APPROVER, APPROVER_KINDS[event], APPROVER_SUBJECTS[event], _approvers(ticket)))
    note = ""
    if event in QUOTES_NOTE:
        from itdesk.tickets.models import TicketEvent

        note = TicketEvent.objects.filter(pk=event_id).values_list("note", flat=True).first() or ""
    response_view = _response_clock(ticket, clocks) if event == "received" else None
    queued: list[OutboxMessage] = []
    for audience, kind, subject, recipients in plan:
        page = "web:portal-ticket" if audience == REQUESTER else "web:desk-ticket"
        for recipient in recipients:
            if not recipient.email and recipient.user is None:
                continue
            who = f"u{recipient.user.pk}" if recipient.user is not None else recipient.email
            dedupe_key = f"ticket:{ticket.pk}:{event}:{event_id}:{audience}:{who}"
            with translation.override(recipient.lang):
                url = _url(page, ticket.number)
                subject_text = str(subject % {"number": ticket.number, "title": ticket.title})
                context: dict[str, Any] = {
                    **snapshot(ticket, kind, recipient.lang),
                    "event": event,
                    "comment": _comment_snapshot(comment),
                    "note": note,
                    "audience": audience,
                    "recipient_name": recipient.name,
                    "url": url,
                    "survey_url": f"{url}#survey",
                    "action_label": str(ACTION_LABELS.get(kind, "")),
                    "subject": subject_text,
                }
                if event == "received":
                    context.update(_response_texts(ticket, response_view))
            root = event == "received" and audience == REQUESTER
            queued += dispatch(
                recipient=recipient,
                event=kind,
                dedupe_key=dedupe_key,
                message=Pending(subject=clean_subject(subject_text), template=kind, context=context),
                ticket_id=ticket.pk,
                email_headers=lambda key, root=root: ticket_headers(ticket.number, dedupe_key=key, root=root),
            )
    return queued


def queue_sla_alert(
    clock: TicketClock, event: str, action: str, recipients: list[tuple[str, str]], subject: Any
) -> int:
    """Queue an SLA warning or breach for the desk: same layout, threading and channels as ticket mail.

    `recipients` are (address, language) pairs from the SLA watcher; an address that is the assignee's
    or the group lead's reaches that person on their chosen channels, any other address gets e-mail.
    """
    from itdesk.sla import selectors
    from itdesk.sla.explain import KIND_LABELS, format_when

    ticket = clock.ticket
    people = {}
    for user in (ticket.assignee, ticket.group.lead if ticket.group is not None else None):
        if user is not None and user.email:
            people.setdefault(user.email, user)
    kind = "sla_breach" if event == "breach" else "sla_warning"
    queued = 0
    for address, language in recipients:
        if not address:
            continue
        user = people.get(address)
        recipient = (
            Recipient.person(user)
            if user is not None
            else Recipient(user=None, email=address, language=language)
        )
        with translation.override(recipient.lang):
            view = selectors.clock_view(clock, timezone.now())
            due = format_when(clock.due_at.astimezone(view.zone))
            target = str(KIND_LABELS.get(clock.kind, clock.kind))
            subject_text = str(subject % {"number": ticket.number, "target": target, "due": due})
            context = {
                **snapshot(ticket, "sla_alert", recipient.lang),
                "event": event,
                "target": target,
                "due": due,
                "summary": view.explanation().summary,
                "audience": DESK,
                "recipient_name": recipient.name,
                "url": _url("web:desk-ticket", ticket.number),
                "action_label": str(_("Open the ticket")),
                "subject": subject_text,
            }
        queued += len(
            dispatch(
                recipient=recipient,
                event=kind,
                dedupe_key=f"sla:{clock.pk}:{event}:{action}:{address}",
                message=Pending(subject=clean_subject(subject_text), template="sla_alert", context=context),
                ticket_id=ticket.pk,
                email_headers=lambda key: ticket_headers(ticket.number, dedupe_key=key),
            )
        )
    return queued


__all__ = ["notify_ticket_event", "queue_sla_alert", "queue_ticket_notifications", "transaction"]
