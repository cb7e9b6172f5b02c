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
from itdesk.search.registry import GROUP, PUBLIC
from itdesk.search.tokenize import Query

TABLE = SearchDocument._meta.db_table
FTS_TABLE = "search_fts"
HEAD_WEIGHT = 5.0  # bm25 column weight of the head against 1.0 for the body
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_BODY_TOKENS = 20_000  # a tsvector must stay under 1 MB; nobody searches past this much text
CANDIDATES = 1_000  # per kind: past this many matches, only the most recently indexed are ranked
TAG_MARK = "~"  # PostgreSQL: tags share the tsvector; words never contain "~"


@dataclass(frozen=True)
class Row:
    """A document ready to write: its model instance (no id yet) and its head and body tokens."""

    document: SearchDocument
    head: Sequence[str]
    body: Sequence[str]


def _fields() -> list[Any]:
    return [f for f in SearchDocument._meta.concrete_fields if not f.primary_key]


def _values(document: SearchDocument) -> list[Any]:
    return [f.get_db_prep_save(getattr(document, f.attname), connection) for f in _fields()]


def delete(kind: str, object_ids: Sequence[int]) -> None:
    """Remove the documents of these objects (their full-text rows go with them)."""
    with connection.cursor() as cursor:
        for start in range(0, len(object_ids), 500):
            chunk = list(object_ids[start : start + 500])
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {TABLE} WHERE kind = %s AND object_id IN ({marks})", [kind, *chunk])  # noqa: S608


def delete_older(kind: str, up_to_id: int) -> None:
    """Remove the documents of `kind` with id <= `up_to_id` (what a rebuild did not write again)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE kind = %s AND id <= %s", [kind, up_to_id])  # noqa: S608


def max_id() -> int:
    """The highest document id so far (0 when empty)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {TABLE}")  # noqa: S608
        return int(cursor.fetchone()[0])


def write(rows: Sequence[Row]) -> None:
    """Insert documents and their full-text entries (call inside a transaction)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        _write_postgresql(rows)
    else:
        _write_sqlite(rows)


def _write_sqlite(rows: Sequence[Row]) -> None:
    columns = ", ".join(f.column for f in _fields())
    marks = ", ".join(["%s"] * (len(_fields()) + 1))
    with connection.cursor() as cursor:
        # The transaction holds SQLite's write lock (IMMEDIATE), so ids after the highest ever used
        # (AUTOINCREMENT keeps it in sqlite_sequence) are ours; choosing them lets executemany write both
        # tables without reading ids back.
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [TABLE])
        found = cursor.fetchone()
        next_id = max(int(found[0]) if found else 0, max_id()) + 1
        ids = range(next_id, next_id + len(rows))
        cursor.executemany(
            f"INSERT INTO {TABLE} (id, {columns}) VALUES ({marks})",  # noqa: S608
            [[pk, *_values(row.document)] for pk, row in zip(ids, rows, strict=True)],
        )
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, head, body, tags) VALUES (%s, %s, %s, %s)",  # noqa: S608
            [
                (
                    pk,
                    " ".join(row.head),
                    " ".join(row.body[:MAX_BODY_TOKENS]),
                    " ".join(document_tags(row.document)),
                )
                for pk, row in zip(ids, rows, strict=True)
            ],
        )


def tsvector_literal(head: Sequence[str], body: Sequence[str], tags: Sequence[str] = ()) -> str:
    """A tsvector in PostgreSQL's input syntax: head tokens weighted A, body tokens D, then the tags."""
    parts = []
    position = 0
    marked = [TAG_MARK + tag for tag in tags]
    for weight, tokens in (("A", head), ("", body[:MAX_BODY_TOKENS]), ("", marked)):
        for token in tokens:
            position = min(position + 1, MAX_POSITION)
            parts.append(f"'{_quote(token)}':{position}{weight}")
        position = min(position + 1, MAX_POSITION)  # no phrase spans head and body
    return " ".join(parts)


def _quote(token: str) -> str:
    return token.replace("\\", "\\\\").replace("'", "''")


def _write_postgresql(rows: Sequence[Row]) -> None:
    columns = ", ".join(f.column for f in _fields())
    marks = ", ".join(["%s"] * len(_fields()))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {TABLE} ({columns}, tsv) VALUES ({marks}, %s::tsvector)",  # noqa: S608
            [
                [*_values(row.document), tsvector_literal(row.head, row.body, document_tags(row.document))]
                for row in rows
            ],
        )


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


def document_tags(document: SearchDocument) -> list[str]:
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
) -> tuple[list[tuple[int, float]], int]:
    """Ids and scores of one page of visible matches, best first, and the number of visible matches.

    One hit per object: an object with several visible documents (a ticket's public text and its
    internal notes) is ranked by its best one. When more than CANDIDATES documents of a kind match, only
    the CANDIDATES most recently indexed of each kind are ranked (ranking 100,000 matches of "打印" costs
    hundreds of milliseconds and says little); the total then counts visible documents, so for the desk
    a ticket whose notes match too counts twice.
    """
    if not kinds:
        return [], 0
    postgresql = connection.vendor == "postgresql"
    kind_filter = None if all_kinds else kinds
    if kind_filter is not None:  # the tags narrow the match; the SQL condition is exact
        marks = ", ".join(["%s"] * len(kinds))
        access = Access(
            f"{access.where} AND d.kind IN ({marks})", [*access.params, *kinds], access.allow, access.deny
        )
    if postgresql:
        text = tsquery_literal(query)
        matched = _tsquery_filter(text, access, kind_filter, known)
        count_sql = f"SELECT COUNT(*) FROM {TABLE} d WHERE d.tsv @@ CAST(%s AS tsquery)"  # noqa: S608
    else:
        text = fts5_expression(query)
        matched = _fts5_filter(text, access, kind_filter, known)
        count_sql = f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(count_sql, [matched])
        documents = int(cursor.fetchone()[0])
        if documents == 0:
            return [], 0
        capped = documents > CANDIDATES
        build = _tsquery_filter if postgresql else _fts5_filter
        arms = [build(text, access, [kind], known) for kind in kinds] if capped else [matched]
        sql, params = (_postgresql_sql if postgresql else _sqlite_sql)(text, arms, access, capped)
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
    page = [(int(pk), float(score)) for pk, score, _total in rows]
    if capped:
        return page, documents
    if rows:
        return page, int(rows[0][2])
    return page, 0 if offset == 0 else _objects_total(text, arms[0], access, postgresql)


def _objects_total(text: str, matched: str, access: Access, postgresql: bool) -> int:
    sql, params = (_postgresql_sql if postgresql else _sqlite_sql)(text, [matched], access, False)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) page", [*params, 1_000_000_000, 0])  # noqa: S608
        return int(cursor.fetchone()[0])


def _sqlite_sql(text: str, arms: list[str], access: Access, capped: bool) -> tuple[str, list[Any]]:
    # The materialised CTE keeps bm25() in plain FTS5 queries: FTS5 refuses it under a join, GROUP BY or
    # window function. bm25: lower is better; the tags column weighs nothing. With MIN(), SQLite takes
    # the bare column `id` from the row holding the minimum.
    score = f"bm25({FTS_TABLE}, {HEAD_WEIGHT}, 1.0, 0.0)"
    limit = f" ORDER BY rowid DESC LIMIT {CANDIDATES}" if capped else ""
    arm = f"SELECT * FROM (SELECT rowid AS id, {score} AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s{limit})"  # noqa: S608
    candidates = " UNION ALL ".join([arm] * len(arms))
    sql = (
        f"WITH candidates AS MATERIALIZED ({candidates}) "  # noqa: S608
        "SELECT id, score, COUNT(*) OVER () FROM (SELECT d.id AS id, MIN(c.score) AS score "
        f"FROM candidates c CROSS JOIN {TABLE} d ON d.id = c.id WHERE {access.where} "
        "GROUP BY d.kind, d.object_id) best ORDER BY score, id DESC LIMIT %s OFFSET %s"
    )
    return sql, [*arms, *access.params]


def _postgresql_sql(text: str, arms: list[str], access: Access, capped: bool) -> tuple[str, list[Any]]:
    # Cover density with a length normalisation (rank / (1 + log length)), the closest to BM25; ranked on
    # the words only, filtered on words and tags.
    limit = f" ORDER BY d.id DESC LIMIT {CANDIDATES}" if capped else ""
    arm = (
        f"(SELECT d.id, d.kind, d.object_id, ts_rank_cd('{{0.2, 0.2, 1.0, 1.0}}', d.tsv, CAST(%s AS tsquery), 1) "  # noqa: S608
        f"AS score FROM {TABLE} d WHERE d.tsv @@ CAST(%s AS tsquery) AND {access.where}{limit})"
    )
    candidates = " UNION ALL ".join([arm] * len(arms))
    sql = (
        "SELECT id, score, COUNT(*) OVER () FROM (SELECT DISTINCT ON (kind, object_id) id, score "  # noqa: S608
        f"FROM ({candidates}) c ORDER BY kind, object_id, score DESC) best "
        "ORDER BY score DESC, id DESC LIMIT %s OFFSET %s"
    )
    params: list[Any] = []
    for matched in arms:
        params += [text, matched, *access.params]
    return sql, params
