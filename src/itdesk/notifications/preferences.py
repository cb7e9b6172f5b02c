"""Who wants which notification on which channel: reads and the one write, for pages and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itdesk.core.errors import ValidationFailed
from itdesk.notifications import catalog, registry
from itdesk.notifications.models import NotificationPreference

DEFAULT_CHANNELS = (catalog.EMAIL,)


@dataclass(frozen=True)
class PreferenceRow:
    """One line of a person's settings: a kind of notification and the channels chosen for it."""

    kind: catalog.EventKind
    channels: tuple[str, ...]

    @property
    def key(self) -> str:
        """The event key."""
        return self.kind.key


def channels_for(user: Any, event: str) -> tuple[str, ...]:
    """The channels `user` chose for `event` (e-mail when they never chose)."""
    if user is None or getattr(user, "pk", None) is None:
        return DEFAULT_CHANNELS
    # Plain SQL on the (user, event) unique index: this runs for every message queued, inside the
    # writer's transaction, and compiling the ORM query cost some twenty times the look-up itself.
    meta = NotificationPreference._meta
    field = meta.get_field("channels")
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {quote(field.column)} FROM {quote(meta.db_table)} "  # noqa: S608 - names from the model
        f"WHERE {quote(meta.get_field('user').column)} = %s AND {quote(meta.get_field('event').column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, event])
        row = cursor.fetchone()
    if row is None:
        return DEFAULT_CHANNELS
    return tuple(field.from_db_value(row[0], None, connection))


def preferences_of(user: Any) -> list[PreferenceRow]:
    """Every kind of notification that can reach `user`, with their channels: one query."""
    stored = dict(NotificationPreference.objects.filter(user=user).values_list("event", "channels"))
    return [
        PreferenceRow(kind, tuple(stored.get(kind.key, DEFAULT_CHANNELS)))
        for kind in catalog.events_for(user)
    ]


def linked_channels(user: Any) -> dict[str, bool]:
    """Each deliverable channel, and whether `user` has an address on it (an IM account linked)."""
    return {
        channel: registry.address_for(channel, user) is not None for channel in registry.person_channels()
    }


def set_preferences(*, user: Any, choices: Mapping[str, Any]) -> list[PreferenceRow]:
    """Save `user`'s channels for the kinds given in `choices` (event key -> channel names)."""
    allowed = {kind.key: kind for kind in catalog.events_for(user)}
    known_channels = set(registry.person_channels())
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, list[str]] = {}
    for event, channels in choices.items():
        kind = allowed.get(event)
        if kind is None:
            errors[str(event)] = [str(_("Unknown notification."))]
            continue
        if not isinstance(channels, list | tuple) or not all(isinstance(c, str) for c in channels):
            errors[event] = [str(_("Give a list of channel names."))]
            continue
        unknown = sorted(set(channels) - known_channels)
        if unknown:
            errors[event] = [str(_("Unknown channel: %(names)s") % {"names": ", ".join(unknown)})]
            continue
        if kind.mandatory and not channels:
            errors[event] = [str(_("This notification cannot be switched off: keep at least one channel."))]
            continue
        cleaned[event] = [
            c for c in registry.person_channels() if c in channels
        ]  # canonical order, no repeats
    if errors:
        raise ValidationFailed(fields=errors)
    now = timezone.now()
    with transaction.atomic():
        existing = {
            row.event: row
            for row in NotificationPreference.objects.select_for_update().filter(user=user, event__in=cleaned)
        }
        for event, channels in cleaned.items():
            row = existing.get(event)
            if row is None:
                NotificationPreference.objects.create(
                    user=user, event=event, channels=channels, updated_at=now
                )
            elif row.channels != channels:
                row.channels, row.updated_at = channels, now
                row.save(update_fields=["channels", "updated_at"])
    return preferences_of(user)
