"""A small in-process bus for ticket events, so output channels (webhooks, IM) hear every event.

`tickets.services` publishes each TicketEvent inside the transaction that writes it; a subscriber does
cheap work there (writing its own outbox rows) and defers anything slow with transaction.on_commit, so
a failed write leaves nothing behind and a slow receiver never holds the desk up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Subscriber = Callable[[Any], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Register `subscriber(event)` for every ticket event; returns it, so it can decorate."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def publish(event: Any) -> None:
    """Hand a just-written TicketEvent to every subscriber (in the caller's transaction)."""
    for subscriber in list(_subscribers):
        subscriber(event)
