"""The article transition table (pure: no database)."""

import pytest

from itdesk.kb.workflow import TRANSITIONS, ArticleWorkflowError, available_transitions, check_transition

AGENT = frozenset({"agent"})


@pytest.mark.parametrize(
    ("source", "target", "action"),
    [
        ("draft", "in_review", "submit"),
        ("draft", "published", "publish"),
        ("in_review", "published", "publish"),
        ("in_review", "draft", "return"),
        ("published", "archived", "archive"),
        ("archived", "draft", "restore"),
    ],
)
def test_an_agent_may_make_each_move_of_the_table(source, target, action):
    assert check_transition(source, target, AGENT).action == action


@pytest.mark.parametrize("capabilities", [frozenset(), frozenset({"auditor"}), frozenset({"approver"})])
def test_only_writers_move_articles(capabilities):
    for move in TRANSITIONS:
        with pytest.raises(ArticleWorkflowError) as refused:
            check_transition(move.source, move.target, capabilities)
        assert refused.value.code == "transition_not_permitted"


@pytest.mark.parametrize(
    ("source", "target"),
    [("published", "in_review"), ("archived", "published"), ("draft", "draft"), ("draft", "deleted")],
)
def test_moves_outside_the_table_are_invalid(source, target):
    with pytest.raises(ArticleWorkflowError) as refused:
        check_transition(source, target, AGENT)
    assert refused.value.code == "invalid_transition"


def test_the_moves_offered_from_a_draft():
    assert [m.target for m in available_transitions("draft", AGENT)] == ["in_review", "published", "archived"]
    assert available_transitions("draft", frozenset()) == []
