"""A system check that repeats the desk's calendar warnings (run by `migrate` and `check --database`)."""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register


@register(Tags.database)
def holiday_schedules_loaded(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[Warning]:
    """Warn when a calendar misses the current or next year's holidays, or cannot be used."""
    if not databases:
        return []
    from itdesk.sla.selectors import safe_calendar_warnings

    return [Warning(message, id="itdesk_sla.W001") for message in safe_calendar_warnings()]
