"""SLA test fixtures. Django is imported lazily: the engine tests in this folder run without it."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_calendar_cache(request):
    """Each test starts with no built calendar: rolled-back tests reuse calendar ids and versions."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    from itdesk.sla import calendars, services

    calendars.clear_cache()
    services.clear_policy_cache()
