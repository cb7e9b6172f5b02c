"""Template helpers for ITDesk pages: badges, local times, durations, form fields, sort links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.forms import BoundField
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import ngettext

from itdesk.tickets.choices import STATUS_COLOURS, Status

register = template.Library()

# The colours the stylesheet knows; anything else an administrator types falls back to grey.
BADGE_COLOURS = frozenset({"blue", "indigo", "orange", "amber", "green", "grey", "red", "purple", "teal"})


def _colour(value: str) -> str:
    value = (value or "").strip().lower()
    return value if value in BADGE_COLOURS else "grey"


@register.simple_tag
def status_badge(status: str) -> SafeString:
    """A coloured badge for a ticket status."""
    try:
        label = Status(status).label
    except ValueError:
        label = status
    return format_html(
        '<span class="badge badge-{}" data-status="{}">{}</span>',
        _colour(STATUS_COLOURS.get(status, "")),
        status,
        label,
    )


@register.simple_tag
def priority_badge(priority: Any, short: bool = False) -> SafeString:
    """A coloured badge for a priority level: its code and, unless short, its name."""
    if priority is None:
        return format_html("{}", "")
    text = priority.code if short else f"{priority.code} · {priority.label}"
    return format_html(
        '<span class="badge badge-{} badge-priority" title="{}">{}</span>',
        _colour(priority.colour),
        priority.label,
        text,
    )


@register.simple_tag
def when(value: datetime | None, style: str = "full") -> SafeString:
    """A time in the desk's time zone (settings.TIME_ZONE), machine-readable in the datetime attribute."""
    if value is None:
        return format_html('<span class="muted">{}</span>', "—")
    local = timezone.localtime(value)
    shown = local.strftime("%m-%d %H:%M") if style == "short" else local.strftime("%Y-%m-%d %H:%M")
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        local.strftime("%Y-%m-%d %H:%M:%S %Z"),
        shown,
    )


@register.filter
def duration(minutes: int | None) -> str:
    """A number of minutes as people say it: 30 minutes, 4 hours, 3 days."""
    if minutes is None:
        return ""
    minutes = int(minutes)
    if minutes and minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    if minutes and minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}


@register.filter
def filesize(size: int | None) -> str:
    """A byte count in KB or MB (units are the same in both languages)."""
    size = int(size or 0)
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@register.inclusion_tag("web/includes/field.html")
def field(bound: BoundField, wide: bool = False, hint: str = "") -> dict[str, Any]:
    """A labelled form field with its help text and errors."""
    return {"field": bound, "wide": wide, "hint": hint}


@register.simple_tag
def next_sort(current: str, key: str) -> str:
    """The sort value a column header links to: toggles when it is already the sort."""
    if current == key:
        return f"-{key}"
    if current == f"-{key}":
        return key
    # Times read newest first; priority and time to breach read most urgent first.
    return key if key in ("priority", "breach") else f"-{key}"


@register.simple_tag
def sort_mark(current: str, key: str) -> str:
    """An arrow showing whether and how a column is sorted."""
    if current == key:
        return "▲"
    if current == f"-{key}":
        return "▼"
    return ""
