"""What can be searched: each kind of object registers a builder that turns objects into `Document`s."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

PUBLIC = "public"  # anyone the owner rules allow: the owner, or everyone when there is no owner
DESK = "desk"  # agents, leads, approvers, administrators and auditors
GROUP = "group"  # the desk members of `group_id` (and administrators)
AUDIENCES = (PUBLIC, DESK, GROUP)


@dataclass(frozen=True)
class Document:
    """One searchable text of an object (an object may have several, e.g. a ticket's internal notes)."""

    kind: str
    object_id: int
    title: str
    body: str
    keywords: str = ""  # weighted like the title
    exact_terms: tuple[str, ...] = ()  # ticket numbers, error codes: matched whole, weighted like the title
    audience: str = PUBLIC
    owner_id: int | None = None  # a non-desk user sees owned documents, or published ones without owner
    group_id: int | None = None
    published: bool = True
    language: str = ""
    url: str = ""  # a path; empty lets the kind's `url` function decide per user
    updated_at: datetime | None = None
    reference: str = ""  # what people call the object, e.g. a ticket's number


Builder = Callable[[Iterable[int]], Iterable[Document]]
UrlFor = Callable[[str, Any], str]  # (reference, user) -> URL


@dataclass(frozen=True)
class Kind:
    """A registered kind of document."""

    name: str
    build: Builder
    url_for: UrlFor | None = None
    all_ids: Callable[[], Iterable[int]] | None = None
    changed_since: Callable[[datetime], Iterable[int]] | None = None


_KINDS: dict[str, Kind] = {}


def register(
    kind: str,
    build: Builder,
    *,
    url: UrlFor | None = None,
    all_ids: Callable[[], Iterable[int]] | None = None,
    changed_since: Callable[[datetime], Iterable[int]] | None = None,
) -> None:
    """Make `kind` searchable: `build(ids)` returns the documents of those objects (none for gone ones).

    `url(reference, user)` gives a hit's link when its document has no `url`; `all_ids()` lists every
    object for `itdesk search rebuild` (without it, rebuild re-indexes the ids already in the index);
    `changed_since(when)` lists the objects changed since then, for the periodic catch-up job.
    """
    _KINDS[kind] = Kind(kind, build, url, all_ids, changed_since)


def unregister(kind: str) -> None:
    """Forget a kind (tests register fakes)."""
    _KINDS.pop(kind, None)


def get(kind: str) -> Kind:
    """The registered kind called `kind` (KeyError if none)."""
    return _KINDS[kind]


def kinds() -> list[str]:
    """Names of the registered kinds."""
    return sorted(_KINDS)
