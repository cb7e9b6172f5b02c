"""Outgoing IM: ticket events to group robots, notifications to people, answers to incoming messages.

All three go through the notifications outbox, so a platform that is down gets the message later:
"im-robot" rows (recipient "integration:<pk>") post to a group robot, "im-reply" rows answer a message
in its chat/thread, and the per-platform channels "dingtalk", "wecom", "feishu", "slack" message a person
whose address is their ImIdentity on that platform.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from itdesk.channels.im import clients
from itdesk.channels.im.models import ImIdentity, ImIntegration, Platform, RobotEvent
from itdesk.core.versioned import VersionedCache
from itdesk.notifications import registry
from itdesk.notifications.services import queue_message

log = logging.getLogger(__name__)

ROBOT_CHANNEL = "im-robot"
REPLY_CHANNEL = "im-reply"

ROBOT_HEADLINES = {
    RobotEvent.CREATED: _("New ticket %(number)s: %(title)s"),
    RobotEvent.ESCALATED: _("Ticket %(number)s escalated: %(title)s"),
    RobotEvent.RESOLVED: _("Ticket %(number)s resolved: %(title)s"),
    RobotEvent.CLOSED: _("Ticket %(number)s closed: %(title)s"),
    RobotEvent.REQUESTER_REPLY: _("The requester replied on %(number)s: %(title)s"),
    RobotEvent.SLA_WARNING: _("SLA warning on %(number)s: %(title)s"),
    RobotEvent.SLA_BREACH: _("SLA breached on %(number)s: %(title)s"),
}


# ---------------------------------------------------------------- which integrations listen


def _load_robot_targets() -> list[tuple[int, frozenset[str], str]]:
    return [
        (pk, frozenset(events or ()), language)
        for pk, events, language, robot_url in ImIntegration.objects.filter(active=True).values_list(
            "pk", "robot_events", "language", "robot_url"
        )
        if robot_url
    ]


# Every ticket event asks which robots listen: the list is kept per process until an integration changes
# in any process (one token read per use, see core.versioned).
_robots = VersionedCache("im.robot-targets", _load_robot_targets)


def robot_targets() -> list[tuple[int, frozenset[str], str]]:
    """(pk, events, language) of every active integration with a group robot."""
    return _robots.get()


def forget_robot_targets(**kwargs: Any) -> None:
    """Signal receiver (an integration saved or deleted): every process re-reads the robot list."""
    if not kwargs.get("raw"):
        with transaction.atomic():
            _robots.changed()


def robot_event_for(event: Any) -> str | None:
    """Which robot event kind a TicketEvent is, if any."""
    kind = event.kind
    if kind in (RobotEvent.CREATED, RobotEvent.SLA_WARNING, RobotEvent.SLA_BREACH):
        return str(kind)
    if kind == "status" and event.new_value in (RobotEvent.ESCALATED, RobotEvent.RESOLVED, RobotEvent.CLOSED):
        return str(event.new_value)
    if kind == "comment" and event.actor_id and event.actor_id == event.ticket.requester_id:
        return RobotEvent.REQUESTER_REPLY
    return None


def on_ticket_event(event: Any) -> None:
    """core.events subscriber: queue a group robot post for each integration that wants this event."""
    targets = robot_targets()
    if not targets:
        return
    kind = robot_event_for(event)
    if kind is None:
        return
    for pk, kinds, language in targets:
        if kind in kinds:
            queue_robot_post(integration_id=pk, language=language, event=event, kind=kind)


def _robot_text(ticket: Any, kind: str, event: Any) -> tuple[str, str]:
    headline = str(ROBOT_HEADLINES[kind] % {"number": ticket.number, "title": ticket.title})
    lines = [f"### {headline}"]
    details = [
        (_("Status"), ticket.get_status_display()),
        (_("Priority"), str(ticket.priority) if ticket.priority_id else ""),
        (_("Requester"), ticket.requester.name),
        (_("Group"), str(ticket.group) if ticket.group_id else ""),
        (_("Assignee"), ticket.assignee.name if ticket.assignee_id else ""),
    ]
    lines += [f"- {label}: {value}" for label, value in details if value]
    if kind in (RobotEvent.SLA_WARNING, RobotEvent.SLA_BREACH) and event.note:
        lines.append(f"- {event.note}")
    url = f"{settings.SITE_URL}{reverse('web:desk-ticket', args=[ticket.number])}"
    lines.append(f"\n[{_('Open ticket')}]({url})")
    return headline, "\n".join(lines)


def queue_robot_post(*, integration_id: int, language: str, event: Any, kind: str) -> None:
    """Write the outbox row for one robot post (in the event's transaction)."""
    ticket = event.ticket
    with translation.override(language or settings.LANGUAGE_CODE):
        title, text = _robot_text(ticket, kind, event)
    queue_message(
        channel=ROBOT_CHANNEL,
        dedupe_key=f"im-robot:{integration_id}:{event.pk}",
        recipient=f"integration:{integration_id}",
        subject=title,
        body_text=text,
        language=language,
        ticket_id=ticket.pk,
        event=f"robot:{kind}",
    )


def _integration_from(recipient: str) -> ImIntegration | None:
    prefix, _sep, pk = recipient.partition(":")
    if prefix != "integration" or not pk.isdigit():
        return None
    return ImIntegration.objects.filter(pk=int(pk)).first()


def send_robot_post(message: Any) -> None:
    """Outbox sender of "im-robot": post to the group robot (raises so the outbox retries)."""
    integration = _integration_from(message.recipient)
    if integration is None or not integration.active or not integration.has_robot:
        log.info("robot post %s dropped: integration gone or inactive", message.pk)
        return
    clients.post_to_robot(integration, message.subject, message.body_text)


def send_reply(message: Any) -> None:
    """Outbox sender of "im-reply": answer an incoming message where it was asked."""
    integration = _integration_from(message.recipient)
    if integration is None or not integration.active:
        log.info("IM reply %s dropped: integration gone or inactive", message.pk)
        return
    clients.reply(integration, dict(message.headers or {}), message.body_text)


def queue_reply(
    *, integration: ImIntegration, message_id: str, context: dict[str, str], text: str, ticket_id: int | None
) -> None:
    """Queue the answer to an incoming message (Feishu, Slack: they answer through their API)."""
    queue_message(
        channel=REPLY_CHANNEL,
        dedupe_key=f"im-reply:{integration.pk}:{message_id}",
        recipient=f"integration:{integration.pk}",
        subject=text[:300],
        body_text=text,
        headers=context,
        ticket_id=ticket_id,
        event="im_reply",
    )


# ---------------------------------------------------------------- people


def app_integration(platform: str) -> ImIntegration | None:
    """The platform's active integration that can message people (the first configured one)."""
    for integration in ImIntegration.objects.filter(platform=platform, active=True).order_by("pk"):
        if integration.has_app:
            return integration
    return None


def person_text(message: Any) -> str:
    """A notification as one IM text: subject line, then the text body."""
    body = (message.body_text or "").strip()
    return f"{message.subject}\n\n{body}" if body else message.subject


def person_sender(platform: str) -> Any:
    """The outbox sender for people on `platform`: the recipient is their platform user id."""

    def send(message: Any) -> None:
        integration = app_integration(platform)
        if integration is None:
            raise clients.ImApiError(f"no active {platform} integration with app credentials")
        clients.send_to_person(integration, message.recipient, person_text(message))

    send.__name__ = f"send_{platform}"
    return send


def person_address(platform: str) -> Any:
    """address_for(user) on `platform`: the person's ImIdentity external id there, or None."""

    def address_for(user: Any) -> str | None:
        if user is None or getattr(user, "pk", None) is None:
            return None
        return (
            ImIdentity.objects.filter(user_id=user.pk, platform=platform)
            .values_list("external_id", flat=True)
            .first()
        )

    return address_for


def register_channels() -> None:
    """Register the outbox senders (called from ImConfig.ready)."""
    registry.register(ROBOT_CHANNEL, send_robot_post)
    registry.register(REPLY_CHANNEL, send_reply)
    for platform in Platform.values:
        registry.register(platform, person_sender(platform), address_for=person_address(platform))
