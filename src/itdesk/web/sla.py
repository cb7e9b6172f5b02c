"""SLA figures as the pages show them: the ticket's SLA card, the queue's nearest target, timeline headings.

The figures come from `sla.selectors` (one query per ticket or per page of tickets); this module only
turns them into words, colours and local times.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from itdesk.accounts.models import User
from itdesk.sla import calendars
from itdesk.sla import selectors as sla_selectors
from itdesk.sla.calendars import CalendarUnusable, LoadedCalendar
from itdesk.sla.explain import KIND_LABELS, Explanation, format_duration, format_when
from itdesk.sla.selectors import ClockView
from itdesk.tickets.models import Ticket

# Badge colours per display state (the stylesheet's badge palette).
STATE_COLOURS = {
    "running": "blue",
    "paused": "grey",
    "met": "green",
    "warning": "amber",
    "breached": "red",
    "cancelled": "grey",
}
# Short target names for the queue's narrow column.
SHORT_KIND_LABELS = {
    "response": pgettext_lazy("SLA target", "Response"),
    "escalation": pgettext_lazy("SLA target", "Escalation"),
    "resolution": pgettext_lazy("SLA target", "Resolution"),
}
# States of a clock that still counts towards (or is already past) its due time.
COUNTING_STATES = frozenset({"running", "warning", "breached"})


@dataclass
class ClockLine:
    """One target of one ticket, ready for a page."""

    view: ClockView
    explanation: Explanation | None = None

    @property
    def kind(self) -> str:
        """response, escalation or resolution."""
        return self.view.kind

    @property
    def label(self) -> str:
        """The target's full name."""
        return self.view.kind_label

    @property
    def short_label(self) -> str:
        """The target's short name (for the queue)."""
        return str(SHORT_KIND_LABELS.get(self.kind, self.label))

    @property
    def state(self) -> str:
        """running, paused, met, warning, breached or cancelled."""
        return self.view.state

    @property
    def state_label(self) -> str:
        """The state in words."""
        return self.view.state_label

    @property
    def colour(self) -> str:
        """The badge colour of the state."""
        return STATE_COLOURS.get(self.state, "grey")

    @property
    def due_at(self) -> datetime:
        """The due instant in the user's time zone."""
        return timezone.localtime(self.view.due_at)

    @property
    def due_text(self) -> str:
        """The due instant as people read it: Mon November 23 09:30."""
        return format_when(self.due_at)

    @property
    def paused(self) -> bool:
        """Whether the due time is only what it would be if the clock resumed now."""
        return self.state == "paused"

    @property
    def remaining_text(self) -> str:
        """How the clock stands in one phrase: time left, overdue by, reached late or in time."""
        return remaining_text(self.view)


def _working(view: ClockView) -> bool:
    # On a 24x7 calendar every minute counts: "working time" would mislead.
    return view.calendar is not None and not view.calendar.is_24x7


def remaining_text(view: ClockView) -> str:
    """The clock's time left (or late) in words: "2 h 15 min working time left", "overdue by 40 min"."""
    time = format_duration(view.remaining)
    state = view.state
    if state == "cancelled":
        return ""
    if state == "met":
        return str(_("reached with %(time)s to spare") % {"time": time})
    if state == "breached":
        if view.clock.stopped_at is not None:
            return str(_("reached %(time)s late") % {"time": time})
        return str(_("overdue by %(time)s") % {"time": time})
    if _working(view):
        return str(_("%(time)s working time left") % {"time": time})
    return str(_("%(time)s left") % {"time": time})


def _calendars_for(views: Sequence[ClockView]) -> dict[int, LoadedCalendar]:
    """Every calendar the clocks' explanations need, read at most once for all of them."""
    known = {view.calendar.id: view.calendar for view in views if view.calendar is not None}
    missing = {cid for view in views for _start, cid in view.clock.segments if cid not in known}
    if missing:
        # An unusable calendar: the explanation says the calendar is gone.
        with suppress(CalendarUnusable):
            known.update(calendars.loaded_by_id(missing))
    return known


def ticket_card(
    user: User, ticket: Ticket, *, requester_view: bool = False, now: datetime | None = None
) -> list[ClockLine]:
    """The SLA card of one ticket: each target with its explanation, in order.

    `requester_view` shows what the requester sees (first response and resolution) to anyone, as the
    portal page does for a desk member's own request.
    """
    views = sla_selectors.ticket_clocks(user, ticket, now=now)
    if requester_view:
        views = [view for view in views if view.kind in sla_selectors.REQUESTER_KINDS]
    known = _calendars_for(views)
    return [ClockLine(view, view.explanation(known)) for view in views]


def nearest_target(views: Sequence[ClockView]) -> ClockLine | None:
    """The target a queue row shows: the counting clock due first, else a paused one, else none."""
    counting = [view for view in views if view.clock.stopped_at is None and view.state in COUNTING_STATES]
    if counting:
        return ClockLine(min(counting, key=lambda view: view.due_at))
    paused = [view for view in views if view.state == "paused"]
    if paused:
        return ClockLine(min(paused, key=lambda view: view.remaining))
    return None


def queue_rows(
    user: User, tickets: Sequence[Ticket], *, now: datetime | None = None
) -> list[tuple[Ticket, ClockLine | None]]:
    """A page of queue tickets, each with its nearest SLA target (one query for the whole page)."""
    tickets = list(tickets)
    clocks = sla_selectors.clocks_for_tickets(user, tickets, now=now)
    return [(ticket, nearest_target(clocks.get(ticket.pk, []))) for ticket in tickets]


def event_heading(kind_code: str, due_iso: str, happened_at: datetime) -> tuple[str, str]:
    """(target, due) for an "SLA warning" / "SLA breached" timeline entry, in the user's zone and language.

    The due time shows as 14:30 on the day the entry happened, with the date on any other day.
    """
    label = str(KIND_LABELS.get(kind_code, kind_code))
    # Mid-sentence in English ("SLA warning: first response due 14:30"); Chinese has no case.
    target = label[:1].lower() + label[1:]
    try:
        due = timezone.localtime(datetime.fromisoformat(due_iso))
    except ValueError:
        return target, ""
    if due.date() == timezone.localtime(happened_at).date():
        return target, f"{due:%H:%M}"
    return target, format_when(due)
