"""The process table, exhaustively: every pair of states, every kind of person."""

import itertools

import pytest

from itdesk.tickets import workflow
from itdesk.tickets.workflow import Need, Status, WorkflowError

AGENT = {"agent"}
REQUESTER = {"requester"}
APPROVER = {"approver"}
ALL_NEEDS = set(Need)


def test_every_status_has_a_category():
    assert set(workflow.STATUS_CATEGORY) == set(Status)
    assert workflow.category_of("waiting_on_requester") is workflow.Category.PAUSED
    assert workflow.category_of("cancelled") is workflow.Category.CLOSED


def test_the_browser_walk_is_legal():
    steps = [("new", "acknowledged", AGENT), ("acknowledged", "diagnosing", AGENT)]
    for source, target, caps in steps:
        assert workflow.check_transition(source, target, caps).target == target
    move = workflow.check_transition("diagnosing", "escalated", AGENT, {Need.GROUP, Need.NOTE})
    assert move.note_public is False  # the handover note is internal
    assert workflow.check_transition("escalated", "resolved", AGENT, {Need.RESOLUTION}).action == "resolve"
    assert workflow.check_transition("resolved", "closed", REQUESTER).action == "confirm"


def test_quick_first_line_fix_and_reopen():
    assert workflow.check_transition("new", "diagnosing", AGENT)
    assert workflow.check_transition("diagnosing", "resolved", AGENT, {Need.RESOLUTION})
    assert workflow.check_transition("resolved", "diagnosing", REQUESTER, {Need.REASON}).action == "reopen"


@pytest.mark.parametrize(("source", "target"), list(itertools.product(Status, Status)))
def test_moves_outside_the_table_are_invalid_for_everyone(source, target):
    everyone = {"agent", "lead", "approver", "admin", "requester", "system", "auditor"}
    legal = {(t.source, t.target) for t in workflow.TRANSITIONS}
    if (source, target) in legal:
        assert workflow.find_transition(source, target, everyone)
    else:
        with pytest.raises(WorkflowError) as info:
            workflow.check_transition(source, target, everyone, ALL_NEEDS)
        assert info.value.code == "invalid_transition"


def test_closed_and_cancelled_are_final():
    for final in ("closed", "cancelled"):
        assert workflow.available_transitions(final, {"agent", "requester", "approver", "system"}) == []


def test_requester_cannot_do_desk_work():
    with pytest.raises(WorkflowError) as info:
        workflow.check_transition("diagnosing", "resolved", REQUESTER, ALL_NEEDS)
    assert info.value.code == "transition_not_permitted"
    assert {t.target for t in workflow.available_transitions("new", REQUESTER)} == {Status.CANCELLED}
    assert {t.target for t in workflow.available_transitions("resolved", REQUESTER)} == {
        Status.CLOSED,
        Status.DIAGNOSING,
    }


def test_auditor_can_do_nothing():
    for status in Status:
        assert workflow.available_transitions(status, {"auditor"}) == []


def test_only_an_approver_decides_on_a_plan():
    with pytest.raises(WorkflowError) as info:
        workflow.check_transition("awaiting_approval", "in_progress", AGENT)
    assert info.value.code == "transition_not_permitted"
    assert workflow.check_transition("awaiting_approval", "in_progress", APPROVER).action == "approve"
    with pytest.raises(WorkflowError) as info:
        workflow.check_transition("awaiting_approval", "planning", APPROVER)
    assert info.value.code == "reason_required"


@pytest.mark.parametrize(
    ("source", "target", "caps", "code"),
    [
        ("diagnosing", "resolved", AGENT, "resolution_required"),
        ("diagnosing", "escalated", AGENT, "group_required"),
        ("new", "cancelled", REQUESTER, "reason_required"),
        ("resolved", "closed", AGENT, "note_required"),
        ("diagnosing", "waiting_on_requester", AGENT, "note_required"),
        ("planning", "awaiting_approval", AGENT, "note_required"),
    ],
)
def test_missing_requirements_have_their_own_code(source, target, caps, code):
    with pytest.raises(WorkflowError) as info:
        workflow.check_transition(source, target, caps)
    assert info.value.code == code


def test_agent_closing_needs_a_note_but_the_requester_confirming_does_not():
    assert workflow.check_transition("resolved", "closed", REQUESTER).needs == frozenset()
    assert workflow.check_transition("resolved", "closed", AGENT, {Need.NOTE}).action == "close"


def test_waiting_resumes_by_the_system_without_a_note():
    for target in ("acknowledged", "diagnosing", "escalated", "planning", "in_progress"):
        assert workflow.check_transition("waiting_on_requester", target, {"system"}).action == "resume"


def test_available_transitions_offer_one_button_per_target():
    moves = workflow.available_transitions("resolved", {"agent", "requester"})
    targets = [m.target for m in moves]
    assert len(targets) == len(set(targets))
    assert next(m for m in moves if m.target == "closed").action == "confirm"


def test_unknown_target_is_invalid():
    with pytest.raises(WorkflowError) as info:
        workflow.check_transition("new", "teleported", AGENT)
    assert info.value.code == "invalid_transition"
