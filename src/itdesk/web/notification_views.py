"""The "Notification settings" page: which notifications a person gets, on which channels.

The same page serves the portal and the desk (two routes); it lists the kinds of notification that can
reach the signed-in person and saves through notifications.preferences.set_preferences.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from itdesk.core.errors import ValidationFailed
from itdesk.notifications import catalog, preferences


def _table(
    rows: list[preferences.PreferenceRow], linked: dict[str, bool], errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    return [
        {
            "key": row.key,
            "label": row.kind.label,
            "help": row.kind.help,
            "mandatory": row.kind.mandatory,
            "errors": errors.get(row.key, []),
            "cells": [
                {"channel": channel, "name": f"{row.key}:{channel}", "checked": channel in row.channels}
                for channel in linked
            ],
        }
        for row in rows
    ]


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Show and save the signed-in person's notification channels (a table of kinds x channels)."""
    user = request.user
    rows = preferences.preferences_of(user)
    linked = preferences.linked_channels(user)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        choices = {row.key: [c for c in linked if request.POST.get(f"{row.key}:{c}")] for row in rows}
        try:
            preferences.set_preferences(user=user, choices=choices)
        except ValidationFailed as exc:
            errors, status = exc.fields, 400
            rows = [preferences.PreferenceRow(row.kind, tuple(choices[row.key])) for row in rows]
            messages.error(request, _("Nothing was saved: correct the marked rows."))
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect(request.path)
    context = {
        "rows": _table(rows, linked, errors),
        "channels": [
            {"name": name, "label": catalog.channel_label(name), "linked": ok} for name, ok in linked.items()
        ],
    }
    return render(request, "web/notifications/preferences.html", context, status=status)
