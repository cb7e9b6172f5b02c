"""Senders for outbox channels other than e-mail (IM platforms, ...), registered by their apps.

An outbox row's `channel` names its sender: "email" is built in (notifications.services); an app that
adds a channel registers `sender(message)` in its AppConfig.ready(). A sender raises on any failure, so
the outbox keeps the message and retries it with back-off; returning means delivered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Sender = Callable[[Any], None]
AddressFor = Callable[[Any], str | None]
_senders: dict[str, Sender] = {}
_addresses: dict[str, AddressFor] = {}


def register(channel: str, sender: Sender, address_for: AddressFor | None = None) -> None:
    """Register the sender of `channel`, and how to find a person's address on it (their IM user id)."""
    _senders[channel] = sender
    if address_for is not None:
        _addresses[channel] = address_for


def sender_for(channel: str) -> Sender | None:
    """The sender registered for `channel`, or None."""
    return _senders.get(channel)


def address_for(channel: str, user: Any) -> str | None:
    """A person's address on `channel` (None when they have none there); e-mail is their e-mail."""
    if channel == "email":
        return getattr(user, "email", "") or None
    resolver = _addresses.get(channel)
    return resolver(user) if resolver is not None else None


def channels() -> list[str]:
    """Every channel that can deliver: e-mail plus the registered ones."""
    return ["email", *sorted(_senders)]


def person_channels() -> list[str]:
    """The channels that reach a person (those that know a person's address): e-mail first."""
    return ["email", *sorted(channel for channel in _addresses if channel in _senders)]
