"""The standard IT support process as a transition table.

Pure Python (no Django): which moves exist, who may make each, and what each needs. Services call
`check_transition`; pages and the API call `available_transitions` to offer only legal moves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    DIAGNOSING = "diagnosing"
    ESCALATED = "escalated"
    PLANNING = "planning"
    AWAITING_APPROVAL = "awaiting_approval"
    IN_PROGRESS = "in_progress"
    WAITING_ON_REQUESTER = "waiting_on_requester"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Category(StrEnum):
    """What a status means for clocks and queues."""

    OPEN = "open"
    PAUSED = "paused"
    RESOLVED = "resolved"
    CLOSED = "closed"


STATUS_CATEGORY: dict[Status, Category] = {
    Status.NEW: Category.OPEN,
    Status.ACKNOWLEDGED: Category.OPEN,
    Status.DIAGNOSING: Category.OPEN,
    Status.ESCALATED: Category.OPEN,
    Status.PLANNING: Category.OPEN,
    Status.AWAITING_APPROVAL: Category.OPEN,
    Status.IN_PROGRESS: Category.OPEN,
    Status.WAITING_ON_REQUESTER: Category.PAUSED,
    Status.RESOLVED: Category.RESOLVED,
    Status.CLOSED: Category.CLOSED,
    Status.CANCELLED: Category.CLOSED,
}

ACTIVE_STATUSES = frozenset(s for s, c in STATUS_CATEGORY.items() if c in (Category.OPEN, Category.PAUSED))
FINAL_STATUSES = frozenset(s for s, c in STATUS_CATEGORY.items() if c is Category.CLOSED)


class Need(StrEnum):
    """Something a move requires from the person making it; the value is the error code when missing."""

    NOTE = "note_required"
    REASON = "reason_required"
    RESOLUTION = "resolution_required"
    GROUP = "group_required"


# Capabilities: "agent", "lead", "approver", "admin", "auditor" come from roles; "requester" is granted
# to the ticket's own requester; "system" to jobs and automatic moves (a requester's reply resumes a
# paused ticket, the documented auto-close).
AGENT = frozenset({"agent"})
REQUESTER = frozenset({"requester"})
APPROVER = frozenset({"approver"})
SYSTEM = frozenset({"system"})


@dataclass(frozen=True)
class Transition:
    """One legal move: from `source` to `target`, by anyone holding one of `by`, given `needs`."""

    source: Status
    target: Status
    by: frozenset[str]
    needs: frozenset[Need] = frozenset()
    action: str = ""  # a verb for buttons and the timeline: "acknowledge", "escalate", ...
    note_public: bool = True  # whether the note given with the move is shown to the requester


class WorkflowError(Exception):
    """A refused move; `code` is stable and machine-readable."""

    code = "invalid_transition"

    def __init__(self, code: str, source: Status, target: str, needs: Iterable[Need] = ()) -> None:
        self.code = code
        self.source = source
        self.target = target
        self.needs = tuple(needs)
        super().__init__(f"{code}: {source} -> {target}")


def _moves(sources: Iterable[Status], target: Status, by: frozenset[str], **kw: object) -> list[Transition]:
    return [Transition(source, target, by, **kw) for source in sources]  # type: ignore[arg-type]


S = Status
_WORKING = (S.ACKNOWLEDGED, S.DIAGNOSING, S.ESCALATED, S.PLANNING, S.IN_PROGRESS)
_RESUMABLE = (S.DIAGNOSING, S.ESCALATED, S.PLANNING, S.IN_PROGRESS)
_CANCELLABLE = (*(s for s in Status if s in ACTIVE_STATUSES),)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.NEW, S.ACKNOWLEDGED, AGENT, action="acknowledge"),
    Transition(S.NEW, S.DIAGNOSING, AGENT, action="diagnose"),
    Transition(S.ACKNOWLEDGED, S.DIAGNOSING, AGENT, action="diagnose"),
    Transition(S.ESCALATED, S.DIAGNOSING, AGENT, action="take_over"),
    *_moves(
        (S.NEW, S.ACKNOWLEDGED, S.DIAGNOSING, S.PLANNING, S.IN_PROGRESS),
        S.ESCALATED,
        AGENT | SYSTEM,  # the SLA watcher escalates an at-risk ticket to its category's group
        needs=frozenset({Need.GROUP, Need.NOTE}),
        action="escalate",
        note_public=False,
    ),
    *_moves((S.DIAGNOSING, S.ESCALATED), S.PLANNING, AGENT, action="plan"),
    Transition(S.PLANNING, S.AWAITING_APPROVAL, AGENT, frozenset({Need.NOTE}), "request_approval", False),
    Transition(S.AWAITING_APPROVAL, S.IN_PROGRESS, APPROVER, action="approve", note_public=False),
    Transition(S.AWAITING_APPROVAL, S.PLANNING, APPROVER, frozenset({Need.REASON}), "reject", False),
    Transition(S.PLANNING, S.IN_PROGRESS, AGENT, frozenset({Need.NOTE}), "execute", False),
    Transition(S.IN_PROGRESS, S.PLANNING, AGENT, frozenset({Need.REASON}), "reassess", False),
    *_moves(
        _WORKING, S.WAITING_ON_REQUESTER, AGENT, needs=frozenset({Need.NOTE}), action="wait_on_requester"
    ),
    *_moves(_RESUMABLE, S.WAITING_ON_REQUESTER, SYSTEM, action="wait_on_requester"),
    # Resuming returns to wherever the ticket was put on hold from, acknowledged included.
    *(Transition(S.WAITING_ON_REQUESTER, target, AGENT | SYSTEM, action="resume") for target in _WORKING),
    *_moves(
        (S.DIAGNOSING, S.ESCALATED, S.IN_PROGRESS),
        S.RESOLVED,
        AGENT,
        needs=frozenset({Need.RESOLUTION}),
        action="resolve",
    ),
    Transition(S.RESOLVED, S.CLOSED, REQUESTER | SYSTEM, action="confirm"),
    Transition(S.RESOLVED, S.CLOSED, AGENT, frozenset({Need.NOTE}), "close"),
    Transition(S.RESOLVED, S.DIAGNOSING, REQUESTER | AGENT, frozenset({Need.REASON}), "reopen"),
    *_moves(_CANCELLABLE, S.CANCELLED, REQUESTER | AGENT, needs=frozenset({Need.REASON}), action="cancel"),
)


def _dedupe() -> dict[tuple[Status, Status], tuple[Transition, ...]]:
    table: dict[tuple[Status, Status], list[Transition]] = {}
    for t in TRANSITIONS:
        # A later, more permissive entry for the same move and people would be dead: keep the first.
        table.setdefault((t.source, t.target), []).append(t)
    return {k: tuple(v) for k, v in table.items()}


_TABLE = _dedupe()


def category_of(status: str) -> Category:
    """The category (open, paused, resolved, closed) of a status."""
    return STATUS_CATEGORY[Status(status)]


def find_transition(source: str, target: str, capabilities: Iterable[str]) -> Transition:
    """The move from `source` to `target` open to someone with `capabilities`, or WorkflowError."""
    try:
        src, dst = Status(source), Status(target)
    except ValueError:
        raise WorkflowError("invalid_transition", Status(source), target) from None
    candidates = _TABLE.get((src, dst))
    if not candidates:
        raise WorkflowError("invalid_transition", src, dst)
    caps = frozenset(capabilities)
    for move in candidates:
        if move.by & caps:
            return move
    raise WorkflowError("transition_not_permitted", src, dst)


def check_transition(
    source: str, target: str, capabilities: Iterable[str], provided: Iterable[Need] = ()
) -> Transition:
    """Return the move if it is legal for these capabilities with what was provided; raise otherwise."""
    move = find_transition(source, target, capabilities)
    missing = sorted(move.needs - frozenset(provided))
    if missing:
        raise WorkflowError(missing[0].value, move.source, move.target, missing)
    return move


def available_transitions(source: str, capabilities: Iterable[str]) -> list[Transition]:
    """Every move from `source` open to someone with `capabilities`, one per target, in table order."""
    caps = frozenset(capabilities)
    seen: set[Status] = set()
    result: list[Transition] = []
    for move in TRANSITIONS:
        if move.source == source and move.by & caps and move.target not in seen:
            for candidate in _TABLE[(move.source, move.target)]:
                if candidate.by & caps:
                    result.append(candidate)
                    break
            seen.add(move.target)
    return result
