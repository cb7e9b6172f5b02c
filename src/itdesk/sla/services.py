"""SLA writes: each ticket's clocks recomputed from its history, holiday imports, bulk recomputation.

`refresh_ticket_clocks` runs inside the ticket services' transaction (the ticket row is locked), so a
ticket and its clocks always change together.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from itdesk.accounts.models import Department
from itdesk.core import events, inserts
from itdesk.core.errors import ServiceError
from itdesk.core.versioned import VersionedCache
from itdesk.sla import calendars, derive, holidays
from itdesk.sla.calendars import CalendarUnusable, LoadedCalendar
from itdesk.sla.models import (
    Calendar,
    CalendarDay,
    ClockState,
    DayKind,
    DaySource,
    Policy,
    PolicyRule,
    PolicyTarget,
    TargetUnit,
    TicketClock,
)
from itdesk.tickets.choices import EventKind
from itdesk.tickets.models import Category, Ticket, TicketEvent

log = logging.getLogger(__name__)


class HolidaysUnknown(ServiceError):
    code = "holidays_unknown"
    default_message = _("The official holiday schedule of this year is not known.")


# ---------------------------------------------------------------- choosing a policy


def _ancestors(model: type[Category] | type[Department], pk: int | None) -> set[int]:
    """`pk` and every ancestor of it in a small tree table (categories, departments)."""
    if pk is None:
        return set()
    parents = dict(model.objects.values_list("pk", "parent_id"))
    chain: set[int] = set()
    while pk is not None and pk not in chain:
        chain.add(pk)
        pk = parents.get(pk)
    return chain


@dataclass(frozen=True)
class _PolicySet:
    """Every active rule in order, the default policy and each policy's targets, read together."""

    rules: tuple[PolicyRule, ...]
    default: Policy | None
    targets: dict[int, dict[tuple[str, str], PolicyTarget]]  # policy id -> (priority code, kind) -> target


def _load_policy_set() -> _PolicySet:
    """Every active rule in order, the default policy and all targets, read together."""
    rules = tuple(
        PolicyRule.objects.filter(is_active=True, policy__is_active=True)
        .select_related("policy__calendar")
        .order_by("position", "pk")
    )
    default = Policy.objects.filter(is_default=True, is_active=True).select_related("calendar").first()
    targets: dict[int, dict[tuple[str, str], PolicyTarget]] = {}
    for target in PolicyTarget.objects.select_related("priority", "calendar"):
        targets.setdefault(target.policy_id, {})[(target.priority.code, target.kind)] = target
    return _PolicySet(rules, default, targets)


_policies = VersionedCache("sla:policies", _load_policy_set)


def policies_changed() -> None:
    """Tell every process to re-read the policies."""
    _policies.changed()


def _policy_set() -> _PolicySet:
    """The policy set from the process cache, re-read when any policy, rule or target changed."""
    return _policies.get()


def clear_policy_cache() -> None:
    """Forget the cached policy set (tests)."""
    _policies.clear()


def select_policy(ticket: Ticket) -> Policy | None:
    """The policy of the first active rule the ticket matches (by order), else the default policy."""
    return _select(ticket, _policy_set())


def _select(ticket: Ticket, policies: _PolicySet) -> Policy | None:
    categories: set[int] | None = None
    departments: set[int] | None = None
    for rule in policies.rules:
        if rule.priority_id is not None and rule.priority_id != ticket.priority_id:
            continue
        if rule.category_id is not None:
            categories = _ancestors(Category, ticket.category_id) if categories is None else categories
            if rule.category_id not in categories:
                continue
        if rule.department_id is not None:
            if departments is None:
                departments = _ancestors(Department, ticket.requester.department_id)
            if rule.department_id not in departments:
                continue
        return rule.policy
    return policies.default


def target_duration(amount: int, unit: str, calendar: LoadedCalendar) -> timedelta:
    """A target's length: minutes and hours as they are, days as working days of the calendar."""
    if unit == TargetUnit.DAYS:
        return calendar.engine.working_day * amount
    return timedelta(hours=amount) if unit == TargetUnit.HOURS else timedelta(minutes=amount)


# ---------------------------------------------------------------- a ticket's history


def ticket_history(ticket: Ticket, *, new: bool = False) -> derive.History:
    """Read what the clocks need from the ticket's row and its status, priority and group events.

    `new`: the ticket was created in this transaction, so it has no such events yet (nothing to read).
    """
    status_changes: list[tuple[datetime, str, str]] = []
    priority_changes: list[tuple[datetime, str, str]] = []
    group_changed_at = None
    events = (
        []
        if new
        else TicketEvent.objects.filter(ticket_id=ticket.pk)
        .filter(Q(kind=EventKind.STATUS) | Q(kind=EventKind.FIELD, field__in=("priority", "group")))
        .order_by("created_at", "pk")
        .values_list("created_at", "kind", "field", "old_value", "new_value")
    )
    for when, kind, field, old, new in events:
        if kind == EventKind.STATUS:
            status_changes.append((when, old, new))
        elif field == "priority":
            priority_changes.append((when, old, new))
        else:
            group_changed_at = when
    return derive.History(
        created_at=ticket.created_at,
        status=ticket.status,
        status_changes=status_changes,
        first_response_at=ticket.first_response_at,
        priority=ticket.priority.code,
        priority_changes=priority_changes,
        at_first_line=ticket.group is None or ticket.group.is_first_line,
        group_changed_at=group_changed_at,
    )


# ---------------------------------------------------------------- refreshing clocks


@dataclass(frozen=True)
class _Plan:
    policy: Policy
    targets: dict[tuple[str, str], PolicyTarget]  # (priority code, kind) -> target

    def calendar(self, code: str, kind: str, fallback: LoadedCalendar) -> LoadedCalendar:
        target = self.targets.get((code, kind))
        if target is None:
            return fallback
        return calendars.loaded(target.calendar or self.policy.calendar)


def refresh_ticket_clocks(
    ticket: Ticket | int, *, now: datetime | None = None, locked: bool = False
) -> list[TicketClock]:
    """Recompute a ticket's clocks from its history (call inside the transaction that changed it).

    `locked=True`: the instance is the row the caller locked in this transaction, with every change it
    made saved, so it is used as it is instead of being read again.
    """
    now = now or timezone.now()
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    if locked and isinstance(ticket, Ticket):
        row = ticket
    else:
        # Re-read: an instance the caller merely holds may be stale (another write may have moved it).
        row = Ticket.objects.select_related("priority", "group", "requester").get(pk=pk)
    existing = {clock.kind: clock for clock in TicketClock.objects.filter(ticket_id=pk)}
    clocks = _compute_clocks(row, existing, now, None)
    _keep_next_due(row, ticket, clocks)
    return clocks


def new_ticket_clocks(ticket: Ticket, *, now: datetime | None = None) -> list[TicketClock]:
    """The clocks of a ticket create_ticket is about to insert, not saved yet; sets its `sla_next_due`.

    Computed before the ticket's INSERT so the row is written once, with its next due time in it; the
    clocks follow with insert_new_clocks once the ticket has its id.
    """
    clocks = _compute_clocks(ticket, {}, now or timezone.now(), new_clocks=[])
    ticket.sla_next_due = _next_due(clocks)
    return clocks


def insert_new_clocks(clocks: list[TicketClock]) -> None:
    """Write the clocks new_ticket_clocks planned (their ticket is saved by now), in one statement."""
    inserts.insert_all(clocks)


def _compute_clocks(
    row: Ticket, existing: dict[str, TicketClock], now: datetime, new_clocks: list[TicketClock] | None
) -> list[TicketClock]:
    """Bring the clocks of `row` up to date; `new_clocks` collects a new ticket's clocks instead of saving."""
    policies = _policy_set()
    policy = _select(row, policies)
    if policy is None:
        for clock in existing.values():
            _retire(clock, now)
        return []
    plan = _Plan(policy, policies.targets.get(policy.pk, {}))
    history = ticket_history(row, new=new_clocks is not None)
    windows = derive.derive_windows(history, pause_on_approval=policy.pause_on_approval)
    clocks: list[TicketClock] = []
    for kind in derive.KINDS:
        window = windows[kind]
        target = plan.targets.get((row.priority.code, kind))
        if window is None or target is None:
            if kind in existing:
                _retire(existing[kind], now)
            continue
        try:
            clock = _refresh_clock(row, plan, target, window, history, existing.get(kind), now, new_clocks)
        except CalendarUnusable as exc:
            # A broken calendar must not stop the desk from working tickets: keep the last figures and
            # let calendar_warnings() tell the administrators.
            log.error("SLA clock of ticket %s not computed: %s", row.number, exc)
            continue
        clocks.append(clock)
    return clocks


def _next_due(clocks: list[TicketClock]) -> datetime | None:
    """The earliest due time of a clock still counting (or already breached), else None."""
    counting = [
        clock.due_at
        for clock in clocks
        if clock.state in (ClockState.RUNNING, ClockState.BREACHED) and clock.stopped_at is None
    ]
    return min(counting) if counting else None


def _keep_next_due(row: Ticket, given: Ticket | int, clocks: list[TicketClock]) -> None:
    """Store the earliest due time of a clock still counting (or already breached) on the ticket row."""
    next_due = _next_due(clocks)
    if row.sla_next_due != next_due:
        Ticket.objects.filter(pk=row.pk).update(sla_next_due=next_due)
    row.sla_next_due = next_due
    if isinstance(given, Ticket):
        given.sla_next_due = next_due


def _refresh_clock(
    ticket: Ticket,
    plan: _Plan,
    target: PolicyTarget,
    window: derive.Window,
    history: derive.History,
    clock: TicketClock | None,
    now: datetime,
    new_clocks: list[TicketClock] | None = None,
) -> TicketClock:
    current = calendars.loaded(target.calendar or plan.policy.calendar)
    spans: list[tuple[datetime, LoadedCalendar]] = []
    for start, code in derive.priority_segments(history):
        loaded = plan.calendar(code, window.kind, current)
        if not spans or spans[-1][1].id != loaded.id:
            spans.append((start, loaded))
    duration = target_duration(target.amount, target.unit, current)
    computed = derive.compute(
        window,
        [(start, loaded.engine) for start, loaded in spans],
        duration,
        warn_fraction=plan.policy.warn_at_percent / 100,
        now=now,
    )
    clock = clock or TicketClock(ticket=ticket, kind=window.kind)
    before = _snapshot(clock) if clock.pk else None
    record_breach = False
    if window.cancelled:
        state = ClockState.BREACHED if clock.breached_at else ClockState.CANCELLED
    elif clock.breached_at is not None:
        state = ClockState.BREACHED  # a recorded breach is never undone by a later re-target
    elif computed.outcome == "met":
        state = ClockState.MET
    elif computed.outcome == "breached":
        # Stopped after its due time between two watcher passes: record the breach now, no actions
        # (the goal was reached, late).
        state, record_breach = ClockState.BREACHED, True
    elif computed.paused:
        state = ClockState.PAUSED
    else:
        state = ClockState.RUNNING
    clock.policy = plan.policy
    if spans[-1][1].id == current.id:
        clock.calendar = target.calendar or plan.policy.calendar  # the row at hand: no read to show it
    else:
        clock.calendar_id = spans[-1][1].id
    clock.target_amount, clock.target_unit, clock.target = target.amount, target.unit, duration
    clock.state = state
    clock.started_at = window.start
    clock.due_at, clock.warn_at = computed.due_at, computed.warn_at
    clock.stopped_at = window.stopped_at
    clock.elapsed = computed.elapsed
    clock.computed_at = now
    clock.segments = [[start.isoformat(), loaded.id] for start, loaded in spans]
    clock.pauses = [
        [p.start.isoformat(), p.end.isoformat() if p.end else None, p.reason] for p in window.pauses
    ]
    if record_breach:
        clock.breached_at = now
        clock.warned_at = clock.warned_at or now
    if before is not None and _snapshot(clock) == before:
        # Same figures: keep the row (its time used and computed_at stay consistent with each other).
        return clock
    if new_clocks is not None:
        # A new ticket's clocks, inserted together by the caller (a clock that has not stopped cannot
        # have a breach to record yet).
        new_clocks.append(clock)
        return clock
    clock.save()
    if record_breach:
        record_sla_event(clock, EventKind.SLA_BREACH, [])
    return clock


def _snapshot(clock: TicketClock) -> tuple[object, ...]:
    """What a recomputation may change, apart from the time used (which only grows with time)."""
    return (
        clock.policy_id,
        clock.calendar_id,
        clock.target_amount,
        clock.target_unit,
        clock.target,
        clock.state,
        clock.started_at,
        clock.due_at,
        clock.warn_at,
        clock.stopped_at,
        clock.breached_at,
        clock.warned_at,
        clock.segments,
        clock.pauses,
    )


def _retire(clock: TicketClock, now: datetime) -> None:
    """A clock that no longer applies: forgotten, unless it already warned or breached (history)."""
    if clock.warned_at is None and clock.breached_at is None:
        clock.delete()
        return
    if clock.state != ClockState.BREACHED:
        clock.state = ClockState.CANCELLED
    clock.stopped_at = clock.stopped_at or now
    clock.save(update_fields=["state", "stopped_at"])


def record_sla_event(clock: TicketClock, kind: str, done: list[str]) -> TicketEvent:
    """Append the internal "SLA warning" / "SLA breached" entry to the ticket's timeline."""
    from itdesk.sla.explain import event_note

    with translation.override(settings.LANGUAGE_CODE):
        note = event_note(clock, kind, done)
    event = TicketEvent.objects.create(
        ticket_id=clock.ticket_id,
        actor=None,
        kind=kind,
        field=clock.kind,
        new_value=clock.due_at.isoformat(),
        note=note,
        public=False,
    )
    events.publish(event)
    return event


# ---------------------------------------------------------------- recomputation


def recompute_clocks(*, calendar_id: int | None = None, ticket_ids: Iterable[int] | None = None) -> int:
    """Recompute the clocks of active tickets (all, those counting on a calendar, or the ones given)."""
    policies_changed()  # whatever was edited, even by bulk updates that send no signals, is read afresh
    if ticket_ids is None:
        tickets = Ticket.objects.active()
        if calendar_id is not None:
            tickets = tickets.filter(sla_clocks__calendar_id=calendar_id).distinct()
        ticket_ids = tickets.order_by("pk").values_list("pk", flat=True)
    count = 0
    for pk in list(ticket_ids):
        with transaction.atomic():
            if not Ticket.objects.select_for_update().filter(pk=pk).exists():
                continue
            refresh_ticket_clocks(pk)
        count += 1
    return count


# ---------------------------------------------------------------- holidays


@dataclass(frozen=True)
class ImportResult:
    year: int
    holidays: int
    workdays: int
    kept_manual: int


def import_holidays(*, calendar: Calendar, year: int) -> ImportResult:
    """Load China's official holidays and make-up workdays of `year` into `calendar` (idempotent).

    Rows added by hand for that year are kept and win over the official schedule on the same date.
    """
    days = holidays.official_days(year)
    if not days:
        known = holidays.known_years()
        raise HolidaysUnknown(
            _(
                "The installed holiday schedule knows %(first)s-%(last)s, not %(year)s. Add %(year)s by hand "
                "in the admin once the State Council publishes it."
            )
            % {"first": known[0], "last": known[-1], "year": year},
            year=year,
        )
    with transaction.atomic():
        manual = set(
            CalendarDay.objects.filter(
                calendar=calendar, date__year=year, source=DaySource.MANUAL
            ).values_list("date", flat=True)
        )
        CalendarDay.objects.filter(calendar=calendar, date__year=year, source=DaySource.IMPORTED).delete()
        rows = [
            CalendarDay(
                calendar=calendar,
                date=day.date,
                kind=DayKind.HOLIDAY if day.kind == holidays.HOLIDAY else DayKind.WORKDAY,
                source=DaySource.IMPORTED,
                name_en=day.name_en,
                name_zh=day.name_zh,
            )
            for day in days
            if day.date not in manual
        ]
        CalendarDay.objects.bulk_create(rows)
        calendars.touch(calendar.pk)
    return ImportResult(
        year=year,
        holidays=sum(1 for row in rows if row.kind == DayKind.HOLIDAY),
        workdays=sum(1 for row in rows if row.kind == DayKind.WORKDAY),
        kept_manual=sum(1 for day in days if day.date in manual),
    )
