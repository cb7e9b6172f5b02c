"""From ticket events to delivery rows: the core.events subscriber and the cached list of active endpoints.

The subscriber runs inside the transaction of every ticket write, so it must cost next to nothing when no
endpoint listens: the active endpoints are cached per process and the cache is checked against one
counter row (core.versioned: a new token whenever an endpoint is saved or deleted), one key look-up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse

from itdesk.channels.webhooks.models import EventType, WebhookDelivery, WebhookEndpoint
from itdesk.core.versioned import VersionedCache
from itdesk.tickets.choices import EventKind

log = logging.getLogger(__name__)

VERSION_KEY = "webhooks.endpoints"
COMMENT_BODY_LIMIT = 20_000


@dataclass(frozen=True)
class ActiveEndpoint:
    pk: int
    event_types: frozenset[str]
    include_internal: bool


def _load_active_endpoints() -> tuple[ActiveEndpoint, ...]:
    rows = WebhookEndpoint.objects.filter(active=True).values_list("pk", "event_types", "include_internal")
    return tuple(
        ActiveEndpoint(pk, frozenset(types or []), include_internal) for pk, types, include_internal in rows
    )


_endpoints = VersionedCache(VERSION_KEY, _load_active_endpoints)


def clear_cache() -> None:
    """Forget the cached endpoint list of this process."""
    _endpoints.clear()


def endpoints_changed(**_kwargs: Any) -> None:
    """Signal receiver (endpoint saved or deleted): retire every process's cached list."""
    with transaction.atomic():
        _endpoints.changed()


def active_endpoints() -> tuple[ActiveEndpoint, ...]:
    """The active endpoints, from the process cache while the version counter has not moved."""
    return _endpoints.get()


_FIELD_EVENTS = {
    "priority": EventType.PRIORITY_CHANGED,
    "assignee": EventType.ASSIGNED,
    "group": EventType.ASSIGNED,
}
_KIND_EVENTS = {
    EventKind.CREATED: EventType.CREATED,
    EventKind.STATUS: EventType.STATUS_CHANGED,
    EventKind.COMMENT: EventType.COMMENTED,
    EventKind.NOTE: EventType.COMMENTED,
    EventKind.ATTACHMENT: EventType.ATTACHMENT_ADDED,
    EventKind.SLA_WARNING: EventType.SLA_WARNING,
    EventKind.SLA_BREACH: EventType.SLA_BREACHED,
}


def event_type_for(kind: str, field: str) -> str | None:
    """The webhook event name of a TicketEvent kind (and changed field)."""
    if kind == EventKind.FIELD:
        return _FIELD_EVENTS.get(field, EventType.UPDATED).value
    mapped = _KIND_EVENTS.get(kind)  # type: ignore[call-overload]
    return mapped.value if mapped is not None else None


def _is_internal(event: Any) -> bool:
    """Internal notes (and files attached to them) only go to endpoints that asked for them."""
    return event.kind in (EventKind.NOTE, EventKind.ATTACHMENT) and not event.public


def ticket_url(number: str) -> str:
    """The desk page of a ticket, as an absolute URL."""
    try:
        return f"{settings.SITE_URL}{reverse('web:desk-ticket', args=[number])}"
    except NoReverseMatch:
        return ""


def build_payload(event: Any, event_type: str) -> dict[str, Any]:
    """The JSON document a receiver gets for one ticket event."""
    ticket = event.ticket
    actor = event.actor
    payload: dict[str, Any] = {
        "event": event_type,
        "event_id": event.pk,
        "occurred_at": event.created_at.isoformat(),
        "actor": (
            {"username": actor.username, "display_name": getattr(actor, "display_name", "") or actor.username}
            if actor is not None
            else None
        ),
        "ticket": {
            "number": ticket.number,
            "title": ticket.title,
            "status": ticket.status,
            "priority": ticket.priority.code if ticket.priority_id else None,
            "url": ticket_url(ticket.number),
        },
    }
    if event.kind in (EventKind.STATUS, EventKind.FIELD, EventKind.SLA_WARNING, EventKind.SLA_BREACH):
        payload["change"] = {
            "field": event.field,
            "old": event.old_value,
            "new": event.new_value,
            "note": event.note,
        }
    if event.comment_id is not None:
        comment = event.comment
        payload["comment"] = {
            "id": comment.pk,
            "internal": comment.internal,
            "body": comment.body[:COMMENT_BODY_LIMIT],
        }
    return payload


def on_ticket_event(event: Any) -> None:
    """core.events subscriber: write one delivery row per listening endpoint, send after commit."""
    endpoints = active_endpoints()
    if not endpoints:
        return
    event_type = event_type_for(event.kind, event.field)
    if event_type is None:
        return
    internal = _is_internal(event)
    targets = [e for e in endpoints if event_type in e.event_types and (e.include_internal or not internal)]
    if not targets:
        return
    payload = build_payload(event, event_type)
    rows = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint_id=target.pk,
                event_type=event_type,
                event_id=event.pk,
                ticket_id=event.ticket_id,
                payload=payload,
            )
            for target in targets
        ]
    )
    ids = [row.pk for row in rows if row.pk is not None]
    transaction.on_commit(lambda: enqueue(ids))


def enqueue(ids: list[int]) -> None:
    """Hand deliveries to the job queue; if the queue is down, the periodic sweep sends them later."""
    from itdesk.channels.webhooks.tasks import deliver_webhook

    for pk in ids:
        try:
            deliver_webhook(pk)
        except Exception:  # the queue being unavailable must not fail a committed ticket write
            log.exception("could not enqueue webhook delivery %s; the periodic sweep will send it", pk)
