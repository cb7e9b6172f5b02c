"""The two full-text engines behind one interface: SQLite FTS5 (bm25) and PostgreSQL (tsvector, GIN, ts_rank_cd).

Both index the same tokens from `tokenize.py`: the "head" (title, keywords, exact terms) weighs more than
the body. Visibility is a SQL condition of the same query (`services.access_for`), mirrored by index tags so
the engine filters while it matches: the page and the total only ever count documents the caller may see.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from itdesk.search.models import SearchDocument
from itdesk.search.registry import GROUP, PUBLIC, Document
from itdesk.search.tokenize import Query

TABLE = SearchDocument._meta.db_table
FTS_TABLE = "search_fts"
TSV_TABLE = "search_tsv"  # PostgreSQL: narrow table of id, kind, object, visibility and tsvector (0002)
TSV_COLUMNS = ("id", "kind", "object_id", "audience", "owner_id", "group_id", "published", "tsv")
HEAD_WEIGHT = 5.0  # bm25 column weight of the head against 1.0 for the body
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_BODY_TOKENS = 20_000  # a tsvector must stay under 1 MB; nobody searches past this much text
CANDIDATES = 500  # per kind: past this many matches, only the most recently indexed are ranked
TAG_MARK = "~"  # PostgreSQL: tags share the tsvector; words never contain "~"
RECENT_WINDOW = 20_000  # PostgreSQL: newest documents of a kind walked before asking the GIN index
WIDER_WINDOW_MIN_HITS = 150  # PostgreSQL: with this many hits in that window, widen it before the index
MAX_WINDOW = 100_000


@dataclass(frozen=True)
class Row:
    """A document ready to write: the builder's `Document` and its head and body tokens."""

    document: Document
    head: Sequence[str]
    body: Sequence[str]


# The document table's columns as written; `_values` gives them in this order.
COLUMNS = (
    "kind",
    "object_id",
    "reference",
    "audience",
    "owner_id",
    "group_id",
    "published",
    "language",
    "title",
    "body",
    "url",
    "updated_at",
)


def _values(document: Document) -> list[Any]:
    return [
        document.kind,
        document.object_id,
        document.reference[:60],
        document.audience,
        document.owner_id,
        document.group_id,
        document.published,
        document.language,
        document.title[:300],
        document.body,
        document.url,
        connection.ops.adapt_datetimefield_value(document.updated_at),
    ]


def delete(kind: str, object_ids: Sequence[int]) -> None:
    """Remove the documents of these objects (their full-text rows go with them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one array parameter instead of thousands of placeholders
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE kind = %s AND object_id = ANY(CAST(%s AS bigint[]))",  # noqa: S608
                [kind, [int(pk) for pk in object_ids]],
            )
            return
        for start in range(0, len(object_ids), 500):
            chunk = list(object_ids[start : start + 500])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {TABLE} WHERE kind = %s AND object_id IN ({marks})", [kind, *chunk])  # noqa: S608


def delete_older(kind: str, up_to_id: int) -> None:
    """Remove the documents of `kind` with id <= `up_to_id` (what a rebuild did not write again)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE kind = %s AND id <= %s", [kind, up_to_id])  # noqa: S608


def objects_written_after(kind: str, object_ids: Sequence[int], after_id: int) -> set[int]:
    """Which of these objects have a document with an id above `after_id` (written since)."""
    if not object_ids:
        return set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT DISTINCT object_id FROM {TABLE} WHERE id > %s AND kind = %s "  # noqa: S608
                "AND object_id = ANY(CAST(%s AS bigint[]))",
                [after_id, kind, [int(pk) for pk in object_ids]],
            )
            return {int(found[0]) for found in cursor.fetchall()}
        sql = f"SELECT DISTINCT object_id FROM {TABLE} WHERE id > %s AND kind = %s"  # noqa: S608
        cursor.execute(sql, [after_id, kind])
        wanted = set(object_ids)
        return {int(found[0]) for found in cursor.fetchall() if found[0] in wanted}


def max_id() -> int:
    """The highest document id so far (0 when empty)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {TABLE}")  # noqa: S608
        return int(cursor.fetchone()[0])


def write(rows: Sequence[Row]) -> None:
    """Insert documents and their full-text entries (call inside a transaction)."""
    write_prepared(prepare(rows))


def prepare(rows: Sequence[Row]) -> list[list[Any]]:
    """The records `write_prepared` inserts: column values, then the engine's full-text part.

    Pure computation (no query), the costly half of indexing: a rebuild runs it in a worker process
    while the previous batch is written. PostgreSQL: one tsvector literal; SQLite: head, body, tags.
    """
    if connection.vendor == "postgresql":
        return [
            [*_values(row.document), tsvector_literal(row.head, row.body, document_tags(row.document))]
            for row in rows
        ]
    return [
        [
            *_values(row.document),
            " ".join(row.head),
            " ".join(row.body[:MAX_BODY_TOKENS]),
            " ".join(document_tags(row.document)),
        ]
        for row in rows
    ]


def write_prepared(records: Sequence[list[Any]]) -> None:
    """Insert what `prepare` made (call inside a transaction)."""
    if not records:
        return
    if connection.vendor == "postgresql":
        _write_postgresql(records)
    else:
        _write_sqlite(records)


def _write_sqlite(records: Sequence[list[Any]]) -> None:
    columns = ", ".join(COLUMNS)
    marks = ", ".join(["%s"] * (len(COLUMNS) + 1))
    width = len(COLUMNS)
    with connection.cursor() as cursor:
        # The transaction holds SQLite's write lock (IMMEDIATE), so ids after the highest ever used
        # (AUTOINCREMENT keeps it in sqlite_sequence) are ours; choosing them lets executemany write both
        # tables without reading ids back.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [TABLE])
        found = cursor.fetchone()
        next_id = max(int(found[0]) if found else 0, max_id()) + 1
        ids = range(next_id, next_id + len(records))
        cursor.executemany(
            f"INSERT INTO {TABLE} (id, {columns}) VALUES ({marks})",  # noqa: S608
            [[pk, *record[:width]] for pk, record in zip(ids, records, strict=True)],
        )
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, head, body, tags) VALUES (%s, %s, %s, %s)",  # noqa: S608
            [[pk, *record[width:]] for pk, record in zip(ids, records, strict=True)],
        )


def tsvector_literal(head: Sequence[str], body: Sequence[str], tags: Sequence[str] = ()) -> str:
    """A tsvector in PostgreSQL's input syntax: head tokens weighted A, body tokens D, then the tags.

    Head tokens take positions 1.., the body starts one position later and the tags one after the body
    (no phrase spans head and body); positions stop growing at PostgreSQL's maximum. Each lexeme is
    written once with all its positions ('打印':1A,7), which is what PostgreSQL makes of it anyway, and
    much less text to build and parse. This runs for every document of a rebuild: keep it lean.
    """
    body = body[:MAX_BODY_TOKENS]
    positions: dict[str, list[str]] = {}
    get = positions.get
    parts = (
        (head, "A", 1),
        (body, "", len(head) + 2),
        ([TAG_MARK + tag for tag in tags], "", len(head) + len(body) + 3),
    )
    for tokens, weight, first in parts:
        if first + len(tokens) > MAX_POSITION:
            labels = [f"{min(first + i, MAX_POSITION)}{weight}" for i in range(len(tokens))]
        elif weight:
            labels = [f"{p}{weight}" for p in range(first, first + len(tokens))]
        else:
            labels = list(map(str, range(first, first + len(tokens))))
        for token, label in zip(tokens, labels, strict=True):
            found = get(token)
            if found is None:
                positions[token] = [label]
            else:
                found.append(label)
    quote = _quote if "'" in "".join(positions) or "\\" in "".join(positions) else str
    return " ".join([f"'{quote(token)}':{','.join(at)}" for token, at in positions.items()])


def _quote(token: str) -> str:
    return token.replace("\\", "\\\\").replace("'", "''")


def _write_postgresql(records: Sequence[list[Any]]) -> None:
    # Ids come from the table's sequence first, so both tables are written with COPY (several times
    # faster than INSERT) without reading ids back.
    width = len(COLUMNS)
    # kind, object_id, audience, owner_id, group_id, published: the visibility columns of search_tsv
    narrow = [COLUMNS.index(column) for column in TSV_COLUMNS[1:-1]]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [TABLE, len(records)],
        )
        ids = [int(found[0]) for found in cursor.fetchall()]
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no COPY
        with raw.copy(f"COPY {TABLE} (id, {', '.join(COLUMNS)}) FROM STDIN") as copy:
            for pk, record in zip(ids, records, strict=True):
                copy.write_row([pk, *record[:width]])
        with raw.copy(f"COPY {TSV_TABLE} ({', '.join(TSV_COLUMNS)}) FROM STDIN") as copy:
            for pk, record in zip(ids, records, strict=True):
                copy.write_row([pk, *[record[i] for i in narrow], record[width]])


def compact() -> None:
    """After replacing much of the index (a full rebuild): PostgreSQL rebuilds the GIN index.

    Deleted and re-inserted entries leave its posting lists fragmented (about twice the size, and
    several times slower to read: 2 ms became 20 ms on a million documents). CONCURRENTLY keeps
    searches and writes going; it cannot run inside a transaction, so it is skipped there.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"REINDEX INDEX CONCURRENTLY {TSV_TABLE}_gin")


def bulk_session() -> None:
    """Settings for a rebuild's write transactions (call inside one): a lost rebuild batch is simply redone.

    On PostgreSQL the commit does not wait for the WAL flush; SQLite needs nothing (its writes are
    already batched in one transaction).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


# ---------------------------------------------------------------- queries


@dataclass(frozen=True)
class Access:
    """What a caller may see: a SQL condition on alias `d`, and the same rule as index tags.

    `allow`: the document must carry one of these tags (None: no such condition); `deny`: it must carry
    none of these. Tags are expressed so that their lists stay short: the engines pay for a long list
    (bm25 counts the documents of every phrase of its query; GIN intersects posting lists).
    """

    where: str
    params: list[Any]
    allow: tuple[str, ...] | None = None
    deny: tuple[str, ...] = ()


# Kinds with many documents: a filter on them is written as "none of the other kinds" (see Access).
LARGE_KINDS = frozenset({"ticket"})


def _kind_tag(kind: str) -> str:
    return "k" + re.sub(r"[^a-z0-9]", "", kind.lower())


def document_tags(document: Document) -> list[str]:
    """Index tags of a document's kind and audience, so the engine filters while it matches.

    They mirror `Access.where`: "own<user>" for a public document with an owner, "pub" for a public
    published one without, "grp<group>" for a group's document.
    """
    tags = [_kind_tag(document.kind)]
    if document.audience == GROUP:
        tags.append(f"grp{document.group_id}")
    if document.audience == PUBLIC and document.owner_id is not None:
        tags.append(f"own{document.owner_id}")
    elif document.audience == PUBLIC and document.published:
        tags.append("pub")
    return tags


def _kind_filter(
    kinds: Sequence[str], known: Sequence[str]
) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """(allow, deny) tags that keep only `kinds`."""
    if LARGE_KINDS.intersection(kinds):
        return None, tuple(_kind_tag(k) for k in known if k not in kinds)
    return tuple(_kind_tag(k) for k in kinds), ()


def _fts5_filter(text: str, access: Access, kinds: Sequence[str] | None, known: Sequence[str]) -> str:
    expression = text
    allows = [access.allow]
    denies = list(access.deny)
    if kinds is not None:
        allow, deny = _kind_filter(kinds, known)
        allows.append(allow)
        denies += deny
    for allow in allows:
        if allow is not None:
            expression += " AND tags : (" + " OR ".join(allow) + ")"
    if denies:
        expression += " NOT tags : (" + " OR ".join(denies) + ")"
    return expression


def _tsquery_filter(text: str, access: Access, kinds: Sequence[str] | None, known: Sequence[str]) -> str:
    expression = "(" + text + ")"
    allows = [access.allow]
    denies = list(access.deny)
    if kinds is not None:
        allow, deny = _kind_filter(kinds, known)
        allows.append(allow)
        denies += deny
    for allow in allows:
        if allow is not None:
            expression += " & (" + " | ".join(f"'{TAG_MARK}{t}'" for t in allow) + ")"
    if denies:
        expression += " & !(" + " | ".join(f"'{TAG_MARK}{t}'" for t in denies) + ")"
    return expression


def fts5_expression(query: Query) -> str:
    """The FTS5 MATCH expression of a query (over the head and body columns)."""
    clauses = []
    for clause in query.clauses:
        terms = [f'"{term.token}"' + ("*" if term.prefix else "") for term in clause]
        clauses.append(terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")")
    return "{head body} : (" + " AND ".join(clauses) + ")"


def tsquery_literal(query: Query) -> str:
    """The tsquery of a query, in PostgreSQL's input syntax."""
    clauses = []
    for clause in query.clauses:
        terms = [f"'{_quote(term.token)}'" + (":*" if term.prefix else "") for term in clause]
        clauses.append(terms[0] if len(terms) == 1 else "(" + " | ".join(terms) + ")")
    return " & ".join(clauses)


def run_search(
    query: Query,
    *,
    access: Access,
    kinds: Sequence[str],
    known: Sequence[str],
    limit: int,
    offset: int,
    all_kinds: bool,
) -> tuple[list[tuple[int, float]], int, bool]:
    """Ids and scores of one page of visible matches, best first, the number of hits, and whether capped.

    One hit per object: an object with several visible documents (a ticket's public text and its
    internal notes) is ranked by its best one. Only the CANDIDATES most recently indexed matching
    documents of each kind are ranked (ranking or even counting 100,000 matches of "打印" costs hundreds
    of milliseconds and says little). The total is the number of ranked objects: exact when no kind has
    more matches than that, otherwise a lower bound, and the third value says so ("1,000+").
    """
    if not kinds:
        return [], 0, False
    postgresql = connection.vendor == "postgresql"
    if not all_kinds:  # the tags narrow the match; the SQL condition is exact
        marks = ", ".join(["%s"] * len(kinds))
        access = Access(
            f"{access.where} AND d.kind IN ({marks})", [*access.params, *kinds], access.allow, access.deny
        )
    text = tsquery_literal(query) if postgresql else fts5_expression(query)
    build = _tsquery_filter if postgresql else _fts5_filter
    arms = [build(text, access, [kind], known) for kind in kinds]  # each arm: one kind, newest first
    if postgresql:
        return _postgresql_search(text, arms, access, kinds, limit, offset)
    sql, params = _sqlite_sql(text, arms, access)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
        if not rows and offset > 0:  # past the last page: count what there is
            cursor.execute(f"SELECT COUNT(*), MAX(most) FROM ({sql}) page", [*params, 1_000_000_000, 0])  # noqa: S608
            rows = [(None, None, *cursor.fetchone())]
    if not rows or not rows[0][2]:
        return [], 0, False
    page = [(int(pk), float(score)) for pk, score, _total, _most in rows if pk is not None]
    return page, int(rows[0][2]), int(rows[0][3]) > CANDIDATES


def _sqlite_sql(text: str, arms: list[str], access: Access) -> tuple[str, list[Any]]:
    # The materialised CTE keeps bm25() in plain FTS5 queries: FTS5 refuses it under a join, GROUP BY or
    # window function. bm25: lower is better; the tags column weighs nothing. With MIN(), SQLite takes
    # the bare column `id` from the row holding the minimum. Each arm takes one more than CANDIDATES, so
    # `most` tells whether a kind had more matches than are ranked.
    score = f"bm25({FTS_TABLE}, {HEAD_WEIGHT}, 1.0, 0.0)"
    candidates = " UNION ALL ".join(
        f"SELECT * FROM (SELECT rowid AS id, {score} AS score, {number} AS arm FROM {FTS_TABLE} "  # noqa: S608
        f"WHERE {FTS_TABLE} MATCH %s ORDER BY rowid DESC LIMIT {CANDIDATES + 1})"
        for number in range(len(arms))
    )
    sql = (
        f"WITH candidates AS MATERIALIZED ({candidates}) "  # noqa: S608
        "SELECT id, score, COUNT(*) OVER () AS total, "
        "(SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM candidates GROUP BY arm)) AS most "
        "FROM (SELECT d.id AS id, MIN(c.score) AS score "
        f"FROM candidates c CROSS JOIN {TABLE} d ON d.id = c.id WHERE {access.where} "
        "GROUP BY d.kind, d.object_id) best ORDER BY score, id DESC LIMIT %s OFFSET %s"
    )
    return sql, [*arms, *access.params]


def _postgresql_search(
    text: str, arms: list[str], access: Access, kinds: Sequence[str], limit: int, offset: int
) -> tuple[list[tuple[int, float]], int, bool]:
    # Candidates first, per kind: the newest CANDIDATES + 1 matches. Through the GIN index that means
    # decoding the posting list of every word and visiting the row of every match to sort them by id:
    # for a common word ("打印": 125,000 documents) hundreds of milliseconds, and PostgreSQL's estimate
    # of several words together is poor enough to pick that plan for 65,000 matches. So where matches
    # are dense (the desk sees nearly all tickets; articles are few) the newest documents are walked first:
    # the newest RECENT_WINDOW of the kind (the inner LIMIT makes that plan certain); the index is asked
    # only when a window held too few, i.e. when matches are rare and so cheap to find through it.
    # A requester's tickets (tags `allow` only their own) are sparse: those go to the index straight away.
    ids: list[int] = []
    most = 0
    with connection.cursor() as cursor:
        for kind, matched in zip(kinds, arms, strict=True):
            dense = access.allow is None or kind not in LARGE_KINDS
            found: list[int] = []
            windows: list[int | None] = [RECENT_WINDOW, None] if dense else [None]
            while windows:
                window = windows.pop(0)
                source, params = TSV_TABLE, [matched, *access.params]
                if window is not None:  # the index (kind, id) walked backwards
                    source = f"(SELECT * FROM {TSV_TABLE} WHERE kind = %s ORDER BY id DESC LIMIT {window})"  # noqa: S608
                    params = [kind, *params]
                cursor.execute(
                    f"SELECT d.id FROM {source} d WHERE d.tsv @@ CAST(%s AS tsquery) AND {access.where} "  # noqa: S608
                    f"ORDER BY d.id DESC LIMIT {CANDIDATES + 1}",
                    params,
                )
                found = [int(row[0]) for row in cursor.fetchall()]
                if len(found) > CANDIDATES:
                    break
                if window == RECENT_WINDOW and len(found) >= WIDER_WINDOW_MIN_HITS:
                    # Fairly common (e.g. "投影仪": 2.5% of tickets): a window wide enough for the hits
                    # seen so far costs less than the GIN index, which would visit every match to sort
                    # them (tens of thousands of heap pages).
                    wider = min(RECENT_WINDOW * (CANDIDATES + 1) * 5 // (len(found) * 4) + 1, MAX_WINDOW)
                    windows.insert(0, wider)
            ids += found
            most = max(most, len(found))
        if not ids:
            return [], 0, False
        # Cover density with a length normalisation (rank / (1 + log length)), the closest to BM25; ranked
        # on the words only. One hit per object: its best document.
        best = (
            "SELECT DISTINCT ON (kind, object_id) id, "  # noqa: S608
            "ts_rank_cd('{0.2, 0.2, 1.0, 1.0}', tsv, CAST(%s AS tsquery), 1) AS score "
            f"FROM {TSV_TABLE} WHERE id = ANY(CAST(%s AS bigint[])) ORDER BY kind, object_id, score DESC"
        )
        cursor.execute(
            f"SELECT id, score, COUNT(*) OVER () FROM ({best}) best "  # noqa: S608
            "ORDER BY score DESC, id DESC LIMIT %s OFFSET %s",
            [text, ids, limit, offset],
        )
        rows = cursor.fetchall()
        if rows:
            total = int(rows[0][2])
        else:  # past the last page: count what there is
            cursor.execute(f"SELECT COUNT(*) FROM ({best}) best", [text, ids])  # noqa: S608
            total = int(cursor.fetchone()[0])
    return [(int(pk), float(score)) for pk, score, _total in rows], total, most > CANDIDATES
