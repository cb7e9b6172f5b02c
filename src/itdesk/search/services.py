"""Keeping the index current and searching it: the one search service in front of both engines."""

from __future__ import annotations

import logging
import multiprocessing as mp
import queue
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone
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
COMPACT_AFTER = 50_000  # a rebuild of at least this many objects compacts the index afterwards


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
    """A page of hits, best first, and how many there are (a lower bound when `capped`: "1,000+")."""

    hits: list[Hit]
    total: int
    query: Query = field(default_factory=lambda: Query(()))
    capped: bool = False  # more documents match than are ranked (backends.CANDIDATES per kind)


# ---------------------------------------------------------------- writing the index


def _row(document: Document) -> backends.Row:
    if document.audience not in registry.AUDIENCES:
        raise ValueError(f"unknown audience {document.audience!r}")
    head = tokens(document.title)
    head += tokens(document.keywords.replace(",", " "))
    for term in document.exact_terms:
        head += tokens(term)
    return backends.Row(document, head, tokens(document.body))


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
    from itdesk.search.tasks import index_objects

    for kind, ids in by_kind.items():
        try:
            index_objects(kind, sorted(ids))
        except Exception:  # the job queue is unavailable: index now rather than not at all
            log.exception("could not queue the re-index of %s %s; indexing now", kind, ids[:10])
            reindex(kind, ids)


def catch_up(window: timedelta) -> int:
    """Re-index what changed within `window` (a crash between commit and queueing left it stale)."""
    since = timezone.now() - window
    done = 0
    for name in registry.kinds():
        spec = registry.get(name)
        if spec.changed_since is None:
            continue
        ids = sorted({int(pk) for pk in spec.changed_since(since)})
        for start in range(0, len(ids), REBUILD_BATCH):
            reindex(name, ids[start : start + REBUILD_BATCH])
        done += len(ids)
    return done


def schedule_index(kind: str, object_id: int) -> None:
    """Re-index an object by a job once the current transaction commits (several calls: once).

    The job queue's worker does the indexing, so a write's request does not wait for it (Huey runs it at
    once in tests); `catch_up` re-indexes recent changes every few minutes in case a job was lost.
    """
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
    and the documents of objects that no longer exist are removed at the end. Building documents (reading
    objects, tokenising) is most of the work: with more than one batch, outside a transaction, a forked
    worker process builds the next batches while this one writes. An object re-indexed by its own change
    after the worker read it keeps that newer document (see `_write_batch`).
    """
    spec = registry.get(kind)
    if spec.all_ids is not None:
        ids = sorted({int(pk) for pk in spec.all_ids()})
    else:
        ids = sorted(set(SearchDocument.objects.filter(kind=kind).values_list("object_id", flat=True)))
    if on_total is not None:
        on_total(len(ids))
    before = backends.max_id()
    chunks = [ids[start : start + batch] for start in range(0, len(ids), batch)]
    for chunk, marker, records in _prepared_batches(kind, chunks):
        _write_batch(kind, chunk, marker, records)
        if progress is not None:
            progress(len(chunk))
    backends.delete_older(kind, before)
    if len(ids) >= COMPACT_AFTER:
        backends.compact()
    return len(ids)


def _prepare(kind: str, chunk: list[int]) -> tuple[int, list[list[Any]]]:
    """The highest document id before reading, and the write-ready records of these objects."""
    marker = backends.max_id()
    rows = [_row(document) for document in registry.get(kind).build(chunk)]
    return marker, backends.prepare(rows)


def _write_batch(kind: str, chunk: list[int], marker: int, records: list[list[Any]]) -> None:
    """Replace the documents of `chunk` with `records`, except objects re-indexed since `marker`.

    Such an object changed after its records were read: its newer documents (ids above `marker`) stay.
    """
    with transaction.atomic():
        backends.bulk_session()
        newer = backends.objects_written_after(kind, chunk, marker)
        if newer:
            chunk = [pk for pk in chunk if pk not in newer]
            records = [record for record in records if record[1] not in newer]  # record[1]: object_id
        backends.delete(kind, chunk)
        backends.write_prepared(records)


def _prepared_batches(kind: str, chunks: list[list[int]]) -> Iterator[tuple[list[int], int, list[list[Any]]]]:
    """(chunk, marker, records) per chunk, prepared by a forked worker when that is possible."""
    if (
        len(chunks) < 2
        or connection.in_atomic_block  # the worker could not see uncommitted objects
        or (connection.vendor == "sqlite" and connection.is_in_memory_db())  # nor another process's memory
        or "fork" not in mp.get_all_start_methods()
    ):
        for chunk in chunks:
            yield chunk, *_prepare(kind, chunk)
        return
    context = mp.get_context("fork")
    results = context.Queue(maxsize=3)
    connections.close_all()  # the worker must open its own connection, never share this one
    worker = context.Process(target=_prepare_worker, args=(kind, chunks, results), daemon=True)
    worker.start()
    try:
        for chunk in chunks:
            while True:
                try:
                    item = results.get(timeout=5)
                    break
                except queue.Empty:
                    if not worker.is_alive():
                        raise RuntimeError("the search rebuild worker stopped") from None
            if isinstance(item, str):
                raise RuntimeError(f"the search rebuild worker failed:\n{item}")
            yield chunk, *item
    finally:
        if worker.is_alive():
            worker.terminate()
        worker.join()


def _prepare_worker(kind: str, chunks: list[list[int]], results: Any) -> None:
    """Worker process: prepare every chunk in order (a traceback text on failure)."""
    try:
        for chunk in chunks:
            results.put(_prepare(kind, chunk))
    except Exception:  # reported to the parent, which raises
        results.put(traceback.format_exc())
    finally:
        connections.close_all()


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
    """Search what `user` may see, best first; `total` counts only visible hits (see `SearchResults`)."""
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
    ranked, total, capped = backends.run_search(
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
        document = documents.get(pk)
        if document is None:  # deleted between the ranking query and this read
            continue
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
    return SearchResults(hits, total, query, capped)


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
