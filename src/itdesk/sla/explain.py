"""Why a clock is due when it is, in words an agent reads: the engine's steps, translated and grouped.

Every sentence is a translatable template with named placeholders; dates use Django's localised formats
(weekday and month names in Chinese or English), times are 24-hour in the calendar's zone.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from itdesk.sla.calendars import LoadedCalendar
from itdesk.sla.engine import ExplanationStep, StepKind, business_time_between, explain_due
from itdesk.sla.models import TargetKind, TargetUnit, TicketClock
from itdesk.tickets.choices import EventKind, Status

REASON_LABELS = {
    Status.WAITING_ON_REQUESTER: _("waiting on the requester"),
    Status.AWAITING_APPROVAL: _("awaiting approval"),
    Status.RESOLVED: _("resolved, then reopened"),
}


@dataclass(frozen=True)
class Explanation:
    """A one-paragraph summary and the timeline behind it, line by line."""

    summary: str
    steps: list[str]


# ---------------------------------------------------------------- small formats


def format_duration(value: timedelta) -> str:
    """A duration as people say it: 2 h 30 min, 45 min, 20 s."""
    seconds = int(abs(value).total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours and minutes:
        return str(_("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes})
    if hours:
        return str(_("%(hours)s h") % {"hours": hours})
    if minutes:
        return str(_("%(minutes)s min") % {"minutes": minutes})
    return str(_("%(seconds)s s") % {"seconds": seconds})


# Inside `settled()`: the active language and the local year, as they were on entering it.
_SETTLED: ContextVar[tuple[str | None, int] | None] = ContextVar("itdesk_sla_explain_settled", default=None)


@contextmanager
def settled() -> Iterator[None]:
    """Format with the language and local year looked up once, on entry (see format_day).

    An explanation names a few dozen days; looking both up again for each (Django keeps them per thread
    and per context) took a quarter of the time of explaining a ticket's clocks.
    """
    token = _SETTLED.set((get_language(), timezone.localdate().year))
    try:
        yield
    finally:
        _SETTLED.reset(token)


def format_day(day: date) -> str:
    """A local date with its weekday: Fri November 20 (or 11月20日 星期五)."""
    known = _SETTLED.get()
    language, year = known if known is not None else (get_language(), timezone.localdate().year)
    return _format_day(day, language, day.year == year)


@lru_cache(maxsize=4096)
def _format_day(day: date, language: str | None, this_year: bool) -> str:
    # Memoised: an explanation names the same few days over and over, and Django's localised date
    # formatting is slow (a format lookup per letter). Translations are fixed for the process's life.
    shown = date_format(day, "MONTH_DAY_FORMAT") if this_year else date_format(day)
    return str(_("%(weekday)s %(date)s") % {"weekday": date_format(day, "D"), "date": shown})


def format_when(value: datetime) -> str:
    """A local instant: Fri November 20 17:30."""
    return str(_("%(day)s %(time)s") % {"day": format_day(value.date()), "time": f"{value:%H:%M}"})


def format_span(start: datetime, end: datetime) -> str:
    """Two local instants: Mon November 23 09:00–09:30, or across days with both dates."""
    if start.date() == end.date():
        return str(
            _("%(day)s %(start)s–%(end)s")
            % {"day": format_day(start.date()), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
        )
    return str(_("%(start)s – %(end)s") % {"start": format_when(start), "end": format_when(end)})


def target_text(amount: int, unit: str) -> str:
    """A target as its policy states it: 30 minutes, 8 hours, 3 working days."""
    if unit == TargetUnit.DAYS:
        return ngettext("%(n)s working day", "%(n)s working days", amount) % {"n": amount}
    if unit == TargetUnit.HOURS:
        return ngettext("%(n)s hour", "%(n)s hours", amount) % {"n": amount}
    return ngettext("%(n)s minute", "%(n)s minutes", amount) % {"n": amount}


def _name(names: tuple[str, str] | None) -> str:
    if names is None:
        return ""
    english, chinese = names
    return chinese if (get_language() or "").startswith("zh") and chinese else english


def _reason_text(reasons: Sequence[str]) -> str:
    labels = [str(REASON_LABELS.get(reason, reason)) for reason in dict.fromkeys(reasons)]
    return ", ".join(labels) if labels else str(_("paused"))


# ---------------------------------------------------------------- steps → lines


def describe_steps(
    steps: Sequence[ExplanationStep],
    calendar: LoadedCalendar,
    pauses: Sequence[tuple[datetime, datetime, str]],
) -> list[str]:
    """Group the engine's steps into lines: a line per working day, per run of days off, per pause."""
    lines: list[str] = []
    day_pieces: list[ExplanationStep] = []
    breaks: list[ExplanationStep] = []
    off: list[ExplanationStep] = []  # consecutive holidays or weekend days

    def flush_day() -> None:
        if not day_pieces:
            return
        first = day_pieces[0]
        periods = ", ".join(f"{p.start:%H:%M}–{p.end:%H:%M}" for p in day_pieces)
        counted = format_duration(sum((p.business_time for p in day_pieces), timedelta(0)))
        params = {"day": format_day(first.date), "periods": periods, "duration": counted}
        if first.kind == StepKind.USED_MAKEUP_WORKDAY:
            params["festival"] = _name(calendar.day_names.get(first.date))
            lines.append(
                str(_("%(day)s, make-up workday (%(festival)s): counted %(periods)s (%(duration)s)") % params)
            )
        elif breaks:
            params["breaks"] = ", ".join(f"{b.start:%H:%M}–{b.end:%H:%M}" for b in breaks)
            lines.append(
                str(_("%(day)s: counted %(periods)s (%(duration)s); break %(breaks)s not counted") % params)
            )
        else:
            lines.append(str(_("%(day)s: counted %(periods)s (%(duration)s)") % params))
        day_pieces.clear()
        breaks.clear()

    def flush_off() -> None:
        if not off:
            return
        # The engine merges consecutive days off into one step: the last day is the one its end falls in.
        first, last = off[0].date, (off[-1].end - timedelta(microseconds=1)).date()
        if off[0].kind == StepKind.SKIPPED_HOLIDAY:
            names = [
                _name(calendar.day_names.get(first + timedelta(days=n)))
                for n in range((last - first).days + 1)
            ]
            festival = ", ".join(name for name in dict.fromkeys(names) if name)
            if first == last:
                text = _("%(day)s: public holiday (%(festival)s), not counted")
            else:
                text = _("%(first)s – %(last)s: public holiday (%(festival)s), not counted")
        else:
            festival = ""
            text = (
                _("%(day)s: day off, not counted")
                if first == last
                else _("%(first)s – %(last)s: days off, not counted")
            )
        params = {
            "day": format_day(first),
            "first": format_day(first),
            "last": format_day(last),
            "festival": festival,
        }
        lines.append(str(text % params))
        off.clear()

    for step in steps:
        kind = step.kind
        if kind in (StepKind.COUNTED, StepKind.USED_MAKEUP_WORKDAY):
            flush_off()
            if day_pieces and day_pieces[-1].date != step.date:
                flush_day()
            if calendar.is_24x7:
                lines.append(
                    str(
                        _("%(span)s: counted %(duration)s (around the clock)")
                        % {
                            "span": format_span(step.start, step.end),
                            "duration": format_duration(step.business_time),
                        }
                    )
                )
            else:
                day_pieces.append(step)
        elif kind == StepKind.SKIPPED_BREAK:
            if day_pieces and day_pieces[-1].date == step.date:
                breaks.append(step)
        elif kind in (StepKind.SKIPPED_HOLIDAY, StepKind.SKIPPED_WEEKEND):
            flush_day()
            if off and off[-1].kind != kind:
                flush_off()
            off.append(step)
        elif kind == StepKind.SKIPPED_PAUSE:
            flush_day()
            flush_off()
            reasons = [reason for start, end, reason in pauses if start < step.end and end > step.start]
            lines.append(
                str(
                    _("%(span)s: paused (%(reason)s), %(duration)s not counted")
                    % {
                        "span": format_span(step.start, step.end),
                        "reason": _reason_text(reasons),
                        "duration": format_duration(step.business_time),
                    }
                )
            )
        # Nights (outside working hours) are implied by the counted periods: no line for them.
    flush_day()
    flush_off()
    return lines


# ---------------------------------------------------------------- a clock


def clock_pauses(clock: TicketClock, now: datetime) -> list[tuple[datetime, datetime, str]]:
    """The clock's stored pauses as closed intervals (an open one lasts until `now`)."""
    result = []
    for start_text, end_text, reason in clock.pauses:
        start = datetime.fromisoformat(start_text)
        end = datetime.fromisoformat(end_text) if end_text else max(start, now)
        if end > start:
            result.append((start, end, reason))
    return result


def timeline(clock: TicketClock, calendars: dict[int, LoadedCalendar], now: datetime) -> list[str]:
    """The lines explaining the clock's due instant, span by span (a span per priority calendar)."""
    pauses = clock_pauses(clock, now)
    closed = [(start, end) for start, end, _reason in pauses]
    spans = [
        (datetime.fromisoformat(start), calendars.get(calendar_id)) for start, calendar_id in clock.segments
    ]
    lines: list[str] = []
    used = timedelta(0)
    for index, (start, calendar) in enumerate(spans):
        if calendar is None:
            lines.append(str(_("The calendar this clock counted on was deleted.")))
            break
        when = format_when(start.astimezone(calendar.engine.zone))
        if index and used >= clock.target:
            lines.append(
                str(
                    _("%(when)s: the priority changed; the new target had already been used up.")
                    % {"when": when}
                )
            )
            break
        if index:
            lines.append(
                str(
                    _("%(when)s: the priority changed; from here on the clock counts on “%(calendar)s”.")
                    % {"when": when, "calendar": calendar.name}
                )
            )
        amount = clock.target - used
        if index + 1 < len(spans):
            amount = min(amount, business_time_between(calendar.engine, start, spans[index + 1][0], closed))
        if amount <= timedelta(0):
            break
        lines.extend(describe_steps(explain_due(calendar.engine, start, amount, closed), calendar, pauses))
        used += amount
    return lines


def summary(
    *,
    clock: TicketClock,
    calendar: LoadedCalendar | None,
    state: str,
    due_at: datetime,
    remaining: timedelta,
    fraction_used: float,
) -> str:
    """One paragraph: the target, where it counts, when it is due, and how it stands."""
    zone = calendar.engine.zone if calendar else due_at.tzinfo
    start = clock.started_at.astimezone(zone)
    due = due_at.astimezone(zone)
    head = _("Target %(target)s on “%(calendar)s” (%(zone)s), counted from %(start)s: due %(due)s.") % {
        "target": target_text(clock.target_amount, clock.target_unit),
        "calendar": calendar.name if calendar else "—",
        "zone": str(zone),
        "start": format_when(start),
        "due": format_when(due),
    }
    stopped = format_when(clock.stopped_at.astimezone(zone)) if clock.stopped_at else ""
    left = format_duration(remaining)
    if state == "met":
        tail = _("Met at %(when)s, with %(spare)s to spare.") % {"when": stopped, "spare": left}
    elif state == "breached" and clock.stopped_at:
        tail = _("Breached: stopped at %(when)s, %(late)s late.") % {"when": stopped, "late": left}
    elif state == "breached":
        tail = _("Breached: %(late)s overdue.") % {"late": left}
    elif state == "warning":
        tail = _("Warning: %(percent)s%% of the target used, %(left)s left.") % {
            "percent": int(fraction_used * 100),
            "left": left,
        }
    elif state == "paused":
        reasons = [reason for _start, end, reason in clock.pauses if end is None]
        tail = _("Paused (%(reason)s): %(left)s left when the clock resumes.") % {
            "reason": _reason_text(reasons),
            "left": left,
        }
    elif state == "cancelled":
        tail = _("No longer applies.")
    else:
        tail = _("%(left)s left.") % {"left": left}
    return f"{head} {tail}"


# ---------------------------------------------------------------- the timeline entry


KIND_LABELS = dict(TargetKind.choices)


def event_note(clock: TicketClock, kind: str, done: Sequence[str]) -> str:
    """The text of an "SLA warning" / "SLA breached" timeline entry, with the actions taken."""
    params = {
        "target": KIND_LABELS.get(clock.kind, clock.kind),
        # The desk's local time, like every time on the pages (a clock read back from the database is UTC).
        "due": format_when(timezone.localtime(clock.due_at)),
        "percent": clock.policy.warn_at_percent if clock.policy else 75,
    }
    if kind == EventKind.SLA_WARNING:
        text = str(_("%(target)s: %(percent)s%% of the target used; due %(due)s.") % params)
    else:
        text = str(_("%(target)s: target breached; it was due %(due)s.") % params)
    if done:
        text += " " + str(_("Actions: %(actions)s.") % {"actions": "; ".join(done)})
    return text
