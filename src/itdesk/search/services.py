"""Keeping the index current and searching it: the one search service in front of both engines."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from itdesk.accounts.models import Membership, SupportGroup
from itdesk.core.errors import ServiceError
from itdesk.search import backends, registry, snippets
from itdesk.search.models import SearchDocument
from itdesk.search.registry import DESK, GROUP, PUBLIC, Document
from itdesk.search.tokenize import Query, parse_query, tokens

log = logging.getLogger(__name__)
MAX_QUERY_CHARS = 200
REBUILD_BATCH = 2_000


class QueryRequired(ServiceError):
    code = "query_required"
    default_message = _("Type something to search for.")


class QueryTooLong(ServiceError):
    code = "query_too_long"
    default_message = _("The search text is too long.")


class UnknownKind(ServiceError):
    code = "unknown_kind"
    default_message = _("There is nothing of this kind to search.")


@dataclass(frozen=True)
class Hit:
    """One search result as the caller may see it."""

    kind: str
    object_id: int
    reference: str
    title: str
    title_html: str  # the title, HTML-escaped, matches in <mark>
    snippet: str  # safe HTML: escaped text with <mark> around matches
    rank: float  # higher is better
    url: str
    audience: str


@dataclass(frozen=True)
class SearchResults:
    """A page of hits, best first, and how many visible documents match in all."""

    hits: list[Hit]
    total: int
    query: Query = field(default_factory=lambda: Query(()))


# ---------------------------------------------------------------- writing the index


def _row(document: Document) -> backends.Row:
    if document.audience not in registry.AUDIENCES:
        raise ValueError(f"unknown audience {document.audience!r}")
    head = tokens(document.title)
    head += tokens(document.keywords.replace(",", " "))
    for term in document.exact_terms:
        head += tokens(term)
    model = SearchDocument(
        kind=document.kind,
        object_id=document.object_id,
        reference=document.reference[:60],
        audience=document.audience,
        owner_id=document.owner_id,
        group_id=document.group_id,
        published=document.published,
        language=document.language,
        title=document.title[:300],
        body=document.body,
        url=document.url,
        updated_at=document.updated_at,
    )
    return backends.Row(model, head, tokens(document.body))


def reindex(kind: str, ids: Iterable[int]) -> None:
    """Index these objects again now (their old documents are replaced; gone objects leave the index)."""
    object_ids = sorted({int(pk) for pk in ids})
    if not object_ids:
        return
    build = registry.get(kind).build
    # Read and write in one transaction, so a slower re-index never overwrites a newer one.
    with transaction.atomic():
        rows = [_row(document) for document in build(object_ids)]
        backends.delete(kind, object_ids)
        backends.write(rows)


_pending = threading.local()


def _pending_set() -> set[tuple[str, int]]:
    if not hasattr(_pending, "items"):
        _pending.items = set()
    items: set[tuple[str, int]] = _pending.items
    return items


def _flush() -> None:
    items = _pending_set()
    by_kind: dict[str, list[int]] = {}
    while items:
        kind, pk = items.pop()
        by_kind.setdefault(kind, []).append(pk)
    for kind, ids in by_kind.items():
        reindex(kind, ids)


def schedule_index(kind: str, object_id: int) -> None:
    """Re-index an object once the current transaction commits (several calls in one transaction: once)."""
    registry.get(kind)  # an unknown kind is a programming error: fail now, not after commit
    _pending_set().add((kind, int(object_id)))
    # Each call registers a flush; the first to run empties the set, the others find nothing to do. A
    # rolled-back transaction drops its callbacks but leaves its items, re-indexed harmlessly next time.
    # robust: a failure to index is logged and must not turn a committed change into an error page.
    transaction.on_commit(_flush, robust=True)


def rebuild(
    kind: str,
    *,
    batch: int = REBUILD_BATCH,
    progress: Callable[[int], Any] | None = None,
    on_total: Callable[[int], Any] | None = None,
) -> int:
    """Index every object of `kind` afresh, batch by batch; returns the number of objects.

    `on_total(n)` is told how many objects there are, then `progress(k)` after each batch of k.

    Searching keeps working meanwhile: each batch replaces its objects' documents in one transaction,
    and the documents of objects that no longer exist are removed at the end.
    """
    spec = registry.get(kind)
    if spec.all_ids is not None:
        ids = sorted({int(pk) for pk in spec.all_ids()})
    else:
        ids = sorted(set(SearchDocument.objects.filter(kind=kind).values_list("object_id", flat=True)))
    if on_total is not None:
        on_total(len(ids))
    before = backends.max_id()
    for start in range(0, len(ids), batch):
        reindex(kind, ids[start : start + batch])
        if progress is not None:
            progress(len(ids[start : start + batch]))
    backends.delete_older(kind, before)
    return len(ids)


# ---------------------------------------------------------------- searching


def access_for(user: Any) -> backends.Access | None:
    """What `user` may see, as a SQL condition on alias `d` and as index tags; None: nothing at all."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if "admin" in user.capabilities:
        return backends.Access("1 = 1", [])
    if user.is_desk:
        memberships = Membership._meta.db_table
        # Written as "not the other groups' documents": the list of other groups is short.
        others = SupportGroup.objects.exclude(membership__user_id=user.pk).values_list("pk", flat=True)
        return backends.Access(
            f"(d.audience <> %s OR d.group_id IN (SELECT group_id FROM {memberships} WHERE user_id = %s))",  # noqa: S608
            [GROUP, user.pk],
            deny=tuple(f"grp{pk}" for pk in others),
        )
    return backends.Access(
        "(d.audience = %s AND (d.owner_id = %s OR (d.owner_id IS NULL AND d.published = %s)))",
        [PUBLIC, user.pk, True],
        allow=("pub", f"own{user.pk}"),
    )


def _url(document: SearchDocument, user: Any) -> str:
    if document.url:
        return document.url
    try:
        url_for = registry.get(document.kind).url_for
    except KeyError:
        return ""
    return url_for(document.reference, user) if url_for else ""


def search(
    user: Any, q: str, *, kinds: set[str] | None = None, limit: int = 20, offset: int = 0
) -> SearchResults:
    """Search what `user` may see, best first; `total` counts only visible matches."""
    if not (q or "").strip():
        raise QueryRequired()
    if len(q) > MAX_QUERY_CHARS:
        raise QueryTooLong()
    query = parse_query(q)
    if not query:
        return SearchResults([], 0, query)
    access = access_for(user)
    if access is None:
        return SearchResults([], 0, query)
    ranked, total = backends.run_search(
        query,
        access=access,
        kinds=sorted(kinds) if kinds is not None else registry.kinds(),
        known=registry.kinds(),
        all_kinds=kinds is None,
        limit=max(1, min(limit, 200)),
        offset=max(0, offset),
    )
    documents = SearchDocument.objects.in_bulk([pk for pk, _score in ranked])
    hits = []
    for pk, score in ranked:
        document = documents[pk]
        hits.append(
            Hit(
                kind=document.kind,
                object_id=document.object_id,
                reference=document.reference,
                title=document.title,
                title_html=snippets.highlight(document.title, query),
                snippet=snippets.snippet(document.body, query),
                rank=-score if backends.connection.vendor == "sqlite" else score,
                url=_url(document, user),
                audience=document.audience,
            )
        )
    return SearchResults(hits, total, query)


__all__ = [
    "DESK",
    "Hit",
    "QueryRequired",
    "QueryTooLong",
    "SearchResults",
    "UnknownKind",
    "rebuild",
    "reindex",
    "schedule_index",
    "search",
    "access_for",
]
