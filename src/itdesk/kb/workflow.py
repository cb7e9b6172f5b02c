"""An article's life as a transition table: draft -> in review -> published -> archived.

Pure Python (no Django), like tickets/workflow.py. Agents (and leads and administrators, who hold the
agent capability) write articles and may publish directly; nobody else changes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    ARCHIVED = "archived"


WRITER = frozenset({"agent"})


@dataclass(frozen=True)
class ArticleTransition:
    """One legal move of an article, by anyone holding one of `by`."""

    source: ArticleStatus
    target: ArticleStatus
    action: str
    by: frozenset[str] = WRITER


class ArticleWorkflowError(Exception):
    """A refused move; `code` is stable: invalid_transition or transition_not_permitted."""

    def __init__(self, code: str, source: str, target: str) -> None:
        self.code = code
        self.source = source
        self.target = target
        super().__init__(f"{code}: {source} -> {target}")


A = ArticleStatus
TRANSITIONS: tuple[ArticleTransition, ...] = (
    ArticleTransition(A.DRAFT, A.IN_REVIEW, "submit"),
    ArticleTransition(A.DRAFT, A.PUBLISHED, "publish"),  # an agent may publish directly
    ArticleTransition(A.IN_REVIEW, A.PUBLISHED, "publish"),
    ArticleTransition(A.IN_REVIEW, A.DRAFT, "return"),
    ArticleTransition(A.PUBLISHED, A.ARCHIVED, "archive"),
    ArticleTransition(A.DRAFT, A.ARCHIVED, "archive"),
    ArticleTransition(A.IN_REVIEW, A.ARCHIVED, "archive"),
    ArticleTransition(A.ARCHIVED, A.DRAFT, "restore"),
)
_TABLE = {(t.source, t.target): t for t in TRANSITIONS}


def check_transition(source: str, target: str, capabilities: frozenset[str] | set[str]) -> ArticleTransition:
    """The move from `source` to `target` if it exists and `capabilities` may make it; raise otherwise."""
    try:
        move = _TABLE[(ArticleStatus(source), ArticleStatus(target))]
    except (KeyError, ValueError):
        raise ArticleWorkflowError("invalid_transition", source, target) from None
    if not move.by & set(capabilities):
        raise ArticleWorkflowError("transition_not_permitted", source, target)
    return move


def available_transitions(source: str, capabilities: frozenset[str] | set[str]) -> list[ArticleTransition]:
    """The moves from `source` that `capabilities` may make, in table order."""
    return [t for t in TRANSITIONS if t.source == source and t.by & set(capabilities)]
