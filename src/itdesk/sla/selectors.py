"""SLA reads shared by pages, the API and commands: clocks as people see them, queue order, warnings.

Callers pass tickets they already obtained through `tickets.selectors` (which scope what a user may
see); these functions only add the SLA figures, in one query per batch of tickets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from functools import cached_property

from django.db import DatabaseError
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itdesk.accounts.models import User
from itdesk.sla import calendars
from itdesk.sla.calendars import CalendarUnusable, LoadedCalendar
from itdesk.sla.engine import add_business_time, business_time_between
from itdesk.sla.explain import Explanation, settled, summary, timeline
from itdesk.sla.models import Calendar, CalendarDay, ClockState, TargetKind, TicketClock
from itdesk.tickets.models import Ticket

KIND_ORDER = {TargetKind.RESPONSE: 0, TargetKind.ESCALATION: 1, TargetKind.RESOLUTION: 2}
# What a requester may see of the desk's clocks: when they will hear back and when it will be solved.
REQUESTER_KINDS = frozenset({TargetKind.RESPONSE, TargetKind.RESOLUTION})
DISPLAY_STATES = {
    "running": _("Running"),
    "paused": _("Paused"),
    "met": _("Met"),
    "warning": _("At risk"),
    "breached": _("Breached"),
    "cancelled": _("No longer applies"),
}
# The schedule of next year is usually published by the State Council in the last quarter: from
# October on, a missing next year is worth a warning; before that it would be permanent noise.
NEXT_YEAR_WARNING_FROM_MONTH = 10


@dataclass
class ClockView:
    """One clock as it stands at `now`: display state, due instant, time used and left."""

    clock: TicketClock
    calendar: LoadedCalendar | None
    now: datetime

    @property
    def kind(self) -> str:
        """response, escalation or resolution."""
        return self.clock.kind

    @property
    def kind_label(self) -> str:
        """The target's name."""
        return str(self.clock.get_kind_display())

    @cached_property
    def paused_now(self) -> bool:
        """Whether an open pause holds the clock (waiting on the requester, ...)."""
        return self.clock.stopped_at is None and any(
            end is None for _start, end, _reason in self.clock.pauses
        )

    @cached_property
    def elapsed(self) -> timedelta:
        """Business time used so far (to the stop, or to now)."""
        clock = self.clock
        if clock.stopped_at is not None or self.paused_now or self.calendar is None:
            return clock.elapsed
        if self.now <= clock.computed_at:
            return clock.elapsed
        # Nothing changed since the last computation (every change recomputes), so the clock has
        # counted on its current calendar, without pauses, ever since.
        return clock.elapsed + business_time_between(self.calendar.engine, clock.computed_at, self.now)

    @property
    def remaining(self) -> timedelta:
        """Business time left before the due instant; negative once overdue."""
        return self.clock.target - self.elapsed

    @property
    def fraction_used(self) -> float:
        """Share of the target used (may exceed 1 once breached)."""
        target = self.clock.target
        return self.elapsed / target if target else 1.0

    @cached_property
    def due_at(self) -> datetime:
        """Due instant in the calendar's zone; while paused, as if the clock resumed now."""
        clock, zone = self.clock, self.zone
        if self.paused_now and self.calendar is not None and self.remaining > timedelta(0):
            return add_business_time(self.calendar.engine, self.now, self.remaining).astimezone(zone)
        return clock.due_at.astimezone(zone)

    @property
    def zone(self) -> tzinfo:
        """The calendar's time zone (the server's when the calendar is gone)."""
        return self.calendar.engine.zone if self.calendar else timezone.get_current_timezone()

    @cached_property
    def state(self) -> str:
        """running, paused, met, warning, breached or cancelled."""
        clock = self.clock
        if clock.state in (ClockState.CANCELLED, ClockState.BREACHED, ClockState.MET, ClockState.PAUSED):
            return str(clock.state)
        if self.now >= clock.due_at:
            return "breached"
        if clock.warned_at is not None or self.now >= clock.warn_at:
            return "warning"
        return "running"

    @property
    def state_label(self) -> str:
        """The state in words."""
        return str(DISPLAY_STATES[self.state])

    def explanation(self, calendars_by_id: dict[int, LoadedCalendar] | None = None) -> Explanation:
        """Why it is due then, in the active language."""
        known = dict(calendars_by_id or {})
        if self.calendar is not None:
            known.setdefault(self.calendar.id, self.calendar)
        missing = {cid for _start, cid in self.clock.segments if cid not in known}
        if missing:
            known.update(_load(missing))
        with settled():
            text = summary(
                clock=self.clock,
                calendar=self.calendar,
                state=self.state,
                due_at=self.due_at,
                remaining=abs(self.remaining),
                fraction_used=self.fraction_used,
            )
            return Explanation(text, timeline(self.clock, known, self.now))


def _kind_rank(view: ClockView) -> int:
    """Response, escalation, resolution: the order clocks are shown in."""
    return KIND_ORDER.get(view.kind, 9)


def _load(ids: Iterable[int]) -> dict[int, LoadedCalendar]:
    try:
        return calendars.loaded_by_id(ids)
    except CalendarUnusable:
        return {}


def clock_view(clock: TicketClock, now: datetime) -> ClockView:
    """A clock row as it stands at `now`, with its calendar from the cache."""
    calendar = None
    if clock.calendar is not None:
        try:
            calendar = calendars.loaded(clock.calendar)
        except CalendarUnusable:
            calendar = None
    return ClockView(clock, calendar, now)


def clocks_for_tickets(
    user: User, tickets: Sequence[Ticket], *, now: datetime | None = None
) -> dict[int, list[ClockView]]:
    """The clocks of several (already visible) tickets, in one query: ticket id -> clocks in order."""
    now = now or timezone.now()
    ids = [ticket.pk for ticket in tickets]
    result: dict[int, list[ClockView]] = {pk: [] for pk in ids}
    if not ids:
        return result
    rows = TicketClock.objects.filter(ticket_id__in=ids).select_related("calendar", "policy")
    if not user.is_desk:
        rows = rows.filter(kind__in=REQUESTER_KINDS)
    for clock in rows:
        result[clock.ticket_id].append(clock_view(clock, now))
    for views in result.values():
        views.sort(key=_kind_rank)
    return result


def ticket_clocks(user: User, ticket: Ticket, *, now: datetime | None = None) -> list[ClockView]:
    """One (already visible) ticket's clocks, in order: response, escalation, resolution."""
    return clocks_for_tickets(user, [ticket], now=now)[ticket.pk]


def views_of(user: User, clocks: Iterable[TicketClock], *, now: datetime | None = None) -> list[ClockView]:
    """Clocks the caller holds already (a new ticket's, as create_ticket started them), as `user` sees them.

    The same views as ticket_clocks would give from the rows, without reading them back.
    """
    now = now or timezone.now()
    views = [clock_view(clock, now) for clock in clocks if user.is_desk or clock.kind in REQUESTER_KINDS]
    views.sort(key=_kind_rank)
    return views


def order_by_time_to_breach(qs: QuerySet[Ticket], *, descending: bool = False) -> QuerySet[Ticket]:
    """Most urgent first: overdue tickets, then the nearest breach; tickets without a counting clock last."""
    due = F("sla_next_due")
    first = due.desc(nulls_last=True) if descending else due.asc(nulls_last=True)
    return qs.order_by(first, "-pk")


# ---------------------------------------------------------------- calendar warnings


def calendar_warnings(today: date | None = None) -> list[str]:
    """Translated warnings for the desk: calendars missing a year's holidays, or unusable calendars."""
    today = today or timezone.localdate()
    years = [today.year]
    if today.month >= NEXT_YEAR_WARNING_FROM_MONTH:
        years.append(today.year + 1)
    watched = list(Calendar.objects.filter(is_24x7=False, warn_missing_holidays=True).order_by("name"))
    if not watched:
        return []
    loaded_years = set(
        CalendarDay.objects.filter(calendar__in=watched, date__year__in=years)
        .values_list("calendar_id", "date__year")
        .distinct()
    )
    messages: list[str] = []
    for calendar in watched:
        for year in years:
            if (calendar.pk, year) not in loaded_years:
                messages.append(
                    str(
                        _(
                            "The calendar “%(calendar)s” has no holidays for %(year)s, so SLA due times in "
                            "%(year)s ignore them. Run “itdesk sla import-holidays --year %(year)s”, or add "
                            "them in the admin once the State Council publishes the schedule."
                        )
                        % {"calendar": calendar.name, "year": year}
                    )
                )
    for calendar in Calendar.objects.all():
        try:
            calendars.loaded(calendar)
        except CalendarUnusable as exc:
            messages.append(
                str(
                    _("The calendar “%(calendar)s” cannot be used: %(reason)s")
                    % {"calendar": calendar.name, "reason": str(exc)}
                )
            )
    return messages


def safe_calendar_warnings(today: date | None = None) -> list[str]:
    """Like calendar_warnings, but empty when the tables do not exist yet (before migrating)."""
    try:
        return calendar_warnings(today)
    except DatabaseError:
        return []
