"""Clock windows derived from a ticket's history, and re-targeting across calendars (pure: no Django)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from itdesk.sla.derive import History, Pause, Window, compute, derive_windows
from itdesk.sla.engine import BusinessCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
M = timedelta(minutes=1)
OFFICE = BusinessCalendar(
    "Asia/Shanghai",
    {d: [(time(9), time(12)), (time(13, 30), time(18))] for d in ("mon", "tue", "wed", "thu", "fri")},
)
ALWAYS = BusinessCalendar.twenty_four_seven("Asia/Shanghai")


def sh(day: int, hour: int, minute: int = 0) -> datetime:
    """A Shanghai instant in the week of Monday 23 November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI)


def history(*moves: tuple[datetime, str, str], **kw) -> History:
    status = moves[-1][2] if moves else "new"
    return History(created_at=sh(23, 9), status=status, status_changes=moves, **kw)


def test_response_stops_at_the_first_of_reply_question_or_resolution():
    replied = derive_windows(history(first_response_at=sh(23, 9, 20)), pause_on_approval=False)["response"]
    assert (replied.stopped_at, replied.stop_reason) == (sh(23, 9, 20), "responded")
    asked = history(
        (sh(23, 9, 5), "new", "diagnosing"), (sh(23, 9, 10), "diagnosing", "waiting_on_requester")
    )
    assert derive_windows(asked, pause_on_approval=False)["response"].stopped_at == sh(23, 9, 10)
    fixed = history((sh(23, 9, 5), "new", "diagnosing"), (sh(23, 11), "diagnosing", "resolved"))
    assert derive_windows(fixed, pause_on_approval=False)["response"].stop_reason == "resolved"


def test_only_waiting_on_the_requester_pauses_unless_the_policy_pauses_approvals_too():
    moves = (
        (sh(23, 9, 5), "new", "diagnosing"),
        (sh(23, 9, 10), "diagnosing", "planning"),
        (sh(23, 10), "planning", "awaiting_approval"),
        (sh(23, 11), "awaiting_approval", "in_progress"),
        (sh(23, 14), "in_progress", "waiting_on_requester"),
    )
    plain = derive_windows(history(*moves), pause_on_approval=False)["resolution"]
    assert plain.pauses == (Pause(sh(23, 14), None, "waiting_on_requester"),)
    both = derive_windows(history(*moves), pause_on_approval=True)["resolution"]
    assert both.pauses == (
        Pause(sh(23, 10), sh(23, 11), "awaiting_approval"),
        Pause(sh(23, 14), None, "waiting_on_requester"),
    )


def test_closing_keeps_the_resolution_stopped_at_the_resolution():
    moves = (
        (sh(23, 9, 5), "new", "diagnosing"),
        (sh(23, 11), "diagnosing", "resolved"),
        (sh(24, 9), "resolved", "closed"),
    )
    resolution = derive_windows(history(*moves), pause_on_approval=False)["resolution"]
    assert (resolution.stopped_at, resolution.pauses) == (sh(23, 11), ())


def test_the_escalation_clock_does_not_exist_for_a_ticket_born_at_a_specialist_group():
    born_there = derive_windows(history(at_first_line=False), pause_on_approval=False)
    assert born_there["escalation"] is None
    moved = derive_windows(
        history(at_first_line=False, group_changed_at=sh(23, 9, 50)), pause_on_approval=False
    )
    assert (moved["escalation"].stopped_at, moved["escalation"].stop_reason) == (sh(23, 9, 50), "handed_over")
    at_first_line = derive_windows(history(), pause_on_approval=False)["escalation"]
    assert at_first_line.stopped_at is None and at_first_line.start == sh(23, 9)


def test_cancelling_stops_what_still_counts_without_an_outcome():
    moves = ((sh(23, 9, 5), "new", "cancelled"),)
    windows = derive_windows(history(*moves, first_response_at=None), pause_on_approval=False)
    assert all(w.cancelled for w in windows.values())
    computed = compute(windows["resolution"], [(sh(23, 9), OFFICE)], 8 * H, warn_fraction=0.75, now=sh(24, 9))
    assert computed.outcome == "" and computed.elapsed == 5 * M


def test_retargeting_across_calendars_keeps_the_time_used_on_each():
    # P3 on office hours from Friday 17:30, P2 (24x7) from Monday 09:00: 30 min used on Friday, the
    # weekend was not working time for the ticket then and is not charged now.
    friday = datetime(2026, 11, 20, 17, 30, tzinfo=SHANGHAI)
    window = Window("resolution", friday)
    spans = [(friday, OFFICE), (sh(23, 9), ALWAYS)]
    computed = compute(window, spans, 4 * H, warn_fraction=0.75, now=sh(23, 10))
    assert computed.due_at == sh(23, 12, 30)
    assert computed.warn_at == sh(23, 11, 30)
    assert computed.elapsed == 90 * M
    # A target shorter than what was already used is due where it ran out, on the old calendar.
    short = compute(window, spans, 15 * M, warn_fraction=0.75, now=sh(23, 10))
    assert short.due_at == datetime(2026, 11, 20, 17, 45, tzinfo=SHANGHAI)


def test_an_open_pause_projects_the_due_time_as_if_the_clock_resumed_now():
    moves = ((sh(23, 9, 5), "new", "diagnosing"), (sh(23, 10), "diagnosing", "waiting_on_requester"))
    window = derive_windows(history(*moves), pause_on_approval=False)["resolution"]
    early = compute(window, [(sh(23, 9), OFFICE)], 8 * H, warn_fraction=0.75, now=sh(23, 11))
    later = compute(window, [(sh(23, 9), OFFICE)], 8 * H, warn_fraction=0.75, now=sh(24, 11))
    assert early.paused and early.elapsed == later.elapsed == H
    assert later.due_at - early.due_at == timedelta(days=1)
