"""Helpers for the Django SLA tests: Shanghai wall-clock instants, frozen time, reading clocks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An instant given as Shanghai wall-clock time."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def at(moment: datetime):
    """Freeze time at `moment` (use as a context manager)."""
    return time_machine.travel(moment, tick=False)


def clocks(ticket) -> dict:
    """The ticket's clock rows by kind, fresh from the database."""
    from itdesk.sla.models import TicketClock

    return {clock.kind: clock for clock in TicketClock.objects.filter(ticket_id=ticket.pk)}


def views(ticket, user=None) -> dict:
    """The ticket's clocks as people see them now, by kind."""
    from itdesk.sla import selectors

    class Desk:
        is_desk = True

    return {view.kind: view for view in selectors.ticket_clocks(user or Desk(), ticket)}
