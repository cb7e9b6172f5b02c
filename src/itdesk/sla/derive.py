"""SLA clocks derived from a ticket's history (pure Python, no Django).

A ticket's clocks are never "started" or "stopped" by hand: they are recomputed from the ticket's event
history each time it changes, so they are always what the history says.

Definitions (documented in docs/architecture.md, "SLA"):

* Every clock starts when the ticket is created.
* A clock does not count while the ticket waits on the requester (a status of the "paused" category), nor
  while a plan awaits approval when the policy says so. The resolution clock also does not count the
  time a ticket spent resolved before it was reopened: reopening restarts it where it stopped.
* First response stops at the first public reply or acknowledgement by the desk
  (`Ticket.first_response_at`), at the desk's first question to the requester (the move to "waiting on
  requester", which carries a public note), or at the first resolution when the desk resolved without
  replying.
* Escalation measures the time a ticket stays at first line before reaching a specialist group. It stops
  at the first move to "escalated", at the first resolution (first line solved it), or when the ticket
  was handed to a group that is not first line without the escalate move (at the time of that group
  change). A ticket that was created in a specialist group never was at first line: it has no
  escalation clock at all, so nothing about escalation can fire at creation.
* Resolution stops when the ticket is resolved (and stays stopped when it is closed).
* Cancelling stops every clock still counting, without an outcome ("no longer applies").
* Re-targeting: the target is always the current priority's. The time used is measured piece by piece,
  each piece on the calendar of the priority the ticket had then, so a priority change never loses
  time already spent or paused; the clock continues on the new priority's calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from itdesk.sla.engine import BusinessCalendar, add_business_time, business_time_between

RESPONSE = "response"
ESCALATION = "escalation"
RESOLUTION = "resolution"
KINDS = (RESPONSE, ESCALATION, RESOLUTION)

WAITING = "waiting_on_requester"
APPROVAL = "awaiting_approval"
ESCALATED = "escalated"
RESOLVED = "resolved"
CLOSED = "closed"
CANCELLED = "cancelled"
_DONE = frozenset({RESOLVED, CLOSED})


@dataclass(frozen=True)
class History:
    """What the clocks need to know about a ticket, read from its row and its events."""

    created_at: datetime
    status: str
    #: (when, old status, new status), oldest first.
    status_changes: Sequence[tuple[datetime, str, str]] = ()
    first_response_at: datetime | None = None
    priority: str = ""
    #: (when, old priority code, new priority code), oldest first.
    priority_changes: Sequence[tuple[datetime, str, str]] = ()
    #: Whether the ticket's current group is a first-line group (or it has no group).
    at_first_line: bool = True
    #: When the group last changed, if it ever did.
    group_changed_at: datetime | None = None


@dataclass(frozen=True)
class Pause:
    """An interval a clock did not count; `end` is None while it lasts. `reason` is a status value."""

    start: datetime
    end: datetime | None
    reason: str


@dataclass(frozen=True)
class Window:
    """When a clock counts: from `start`, except `pauses`, until `stopped_at` (None: still counting)."""

    kind: str
    start: datetime
    pauses: tuple[Pause, ...] = ()
    stopped_at: datetime | None = None
    #: Why it stopped: responded, escalated, handed_over, resolved or cancelled.
    stop_reason: str = ""

    @property
    def cancelled(self) -> bool:
        """Whether the ticket was withdrawn before the clock's goal was reached."""
        return self.stop_reason == CANCELLED


@dataclass(frozen=True)
class Computed:
    """A clock's figures at an evaluation instant."""

    due_at: datetime
    warn_at: datetime
    #: Business time used up to the stop, or up to the evaluation instant while it counts.
    elapsed: timedelta
    paused: bool
    #: met or breached for a stopped clock (not cancelled), else "".
    outcome: str


def status_segments(history: History) -> list[tuple[datetime, datetime | None, str]]:
    """The ticket's statuses as (from, until or None, status), oldest first."""
    changes = list(history.status_changes)
    current = changes[0][1] if changes else history.status
    segments: list[tuple[datetime, datetime | None, str]] = []
    since = history.created_at
    for when, _old, new in changes:
        segments.append((since, when, current))
        since, current = when, new
    segments.append((since, None, current))
    return segments


def priority_segments(history: History) -> list[tuple[datetime, str]]:
    """The ticket's priorities as (from, code), oldest first, the first from creation."""
    changes = list(history.priority_changes)
    segments = [(history.created_at, changes[0][1] if changes else history.priority)]
    segments.extend((when, new) for when, _old, new in changes)
    return segments


def _first_entry(
    segments: list[tuple[datetime, datetime | None, str]], statuses: frozenset[str]
) -> datetime | None:
    return next((start for start, _end, status in segments if status in statuses), None)


def _earliest(candidates: list[tuple[datetime | None, str]]) -> tuple[datetime | None, str]:
    present = [(when, reason) for when, reason in candidates if when is not None]
    return min(present, key=lambda item: item[0]) if present else (None, "")


def derive_windows(history: History, *, pause_on_approval: bool) -> dict[str, Window | None]:
    """Each clock's window from the history; None for a clock that does not apply to this ticket."""
    segments = status_segments(history)
    paused_statuses = {WAITING, APPROVAL} if pause_on_approval else {WAITING}
    resolved_at = _first_entry(segments, frozenset({RESOLVED}))
    cancelled_at = _first_entry(segments, frozenset({CANCELLED}))

    def window(kind: str, stop: tuple[datetime | None, str], extra: frozenset[str] = frozenset()) -> Window:
        stopped_at, reason = stop
        pauses = []
        for start, end, status in segments:
            # `extra` statuses pause only when they ended (a resolved period ended by a reopen).
            if not (status in paused_statuses or (status in extra and end is not None)):
                continue
            if stopped_at is not None:
                if start >= stopped_at:
                    continue
                if end is None or end > stopped_at:
                    end = stopped_at
            pauses.append(Pause(start, end, status))
        return Window(kind, history.created_at, tuple(pauses), stopped_at, reason)

    windows: dict[str, Window | None] = {}
    asked_at = _first_entry(segments, frozenset({WAITING}))  # the desk's question reached the requester
    windows[RESPONSE] = window(
        RESPONSE,
        _earliest(
            [
                (history.first_response_at, "responded"),
                (asked_at, "responded"),
                (resolved_at, RESOLVED),
                (cancelled_at, CANCELLED),
            ]
        ),
    )

    escalation = [
        (_first_entry(segments, frozenset({ESCALATED})), ESCALATED),
        (resolved_at, RESOLVED),
        (cancelled_at, CANCELLED),
    ]
    if not history.at_first_line and escalation[0][0] is None:
        if history.group_changed_at is None:
            windows[ESCALATION] = None  # created in a specialist group: never at first line
        else:
            escalation.append((history.group_changed_at, "handed_over"))
    if ESCALATION not in windows:
        windows[ESCALATION] = window(ESCALATION, _earliest(escalation))

    # Resolution: a resolved period that ended with a reopen is a pause; the last one, if the ticket is
    # still resolved (or closed since), is the stop.
    last_start, _last_end, last_status = segments[-1]
    if last_status in _DONE:
        done_since = last_start
        for start, _end, status in reversed(segments):
            if status not in _DONE:
                break
            done_since = start
        stop: tuple[datetime | None, str] = (done_since, RESOLVED)
    elif last_status == CANCELLED:
        stop = (last_start, CANCELLED)
    else:
        stop = (None, "")
    windows[RESOLUTION] = window(RESOLUTION, stop, extra=frozenset({RESOLVED}))
    return windows


Spans = Sequence[tuple[datetime, BusinessCalendar]]


def _closed_pauses(window: Window, at: datetime) -> list[tuple[datetime, datetime]]:
    """The window's pauses as closed intervals, an open one lasting until `at`."""
    result = []
    for pause in window.pauses:
        end = pause.end if pause.end is not None else max(pause.start, at)
        if end > pause.start:
            result.append((pause.start, end))
    return result


def elapsed_until(spans: Spans, at: datetime, pauses: list[tuple[datetime, datetime]]) -> timedelta:
    """Business time counted from the first span's start until `at`, each span on its own calendar."""
    total = timedelta(0)
    for index, (start, calendar) in enumerate(spans):
        if start >= at:
            break
        end = spans[index + 1][0] if index + 1 < len(spans) else at
        total += business_time_between(calendar, start, min(end, at), pauses)
    return total


def instant_reaching(spans: Spans, amount: timedelta, pauses: list[tuple[datetime, datetime]]) -> datetime:
    """The instant at which `amount` of business time has been counted across the spans."""
    if amount <= timedelta(0):
        return spans[0][0]
    used = timedelta(0)
    for index, (start, calendar) in enumerate(spans):
        if index + 1 < len(spans):
            end = spans[index + 1][0]
            available = business_time_between(calendar, start, end, pauses)
            if used + available < amount:
                used += available
                continue
        return add_business_time(calendar, start, amount - used, pauses)
    raise AssertionError("unreachable: the last span is open-ended")


def compute(
    window: Window, spans: Spans, target: timedelta, *, warn_fraction: float, now: datetime
) -> Computed:
    """Due and warning instants, time used and outcome of a clock at `now`."""
    at = window.stopped_at or now
    pauses = _closed_pauses(window, now if window.stopped_at is None else at)
    due = instant_reaching(spans, target, pauses)
    warn_after = timedelta(microseconds=round(target // timedelta(microseconds=1) * warn_fraction))
    warn = instant_reaching(spans, warn_after, pauses)
    elapsed = elapsed_until(spans, at, pauses)
    paused = window.stopped_at is None and any(p.end is None and p.start <= now for p in window.pauses)
    outcome = ""
    if window.stopped_at is not None and not window.cancelled:
        outcome = "met" if window.stopped_at <= due else "breached"
    zone = spans[-1][1].zone
    return Computed(due.astimezone(zone), warn.astimezone(zone), elapsed, paused, outcome)
