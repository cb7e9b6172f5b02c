"""Race-free, gap-free counters.

The increment happens inside the caller's transaction: if the caller rolls back, so does the number,
which is what keeps request numbers gap-free. Concurrent callers queue on the counter row's lock
(PostgreSQL row lock; SQLite's IMMEDIATE transactions serialise writers).
"""

from __future__ import annotations

from django.db import connection, transaction

from itdesk.core.models import Counter


def next_value(key: str) -> int:
    """Increment the counter `key` and return its new value; call inside a transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_value() must run inside transaction.atomic()")
    table = connection.ops.quote_name(Counter._meta.db_table)
    # One statement on both engines (SQLite >= 3.35, PostgreSQL): create or increment, and read back.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, value) VALUES (%s, 1) "  # noqa: S608 - table name from the model
            f"ON CONFLICT (key) DO UPDATE SET value = {table}.value + 1 RETURNING value",
            [key],
        )
        return int(cursor.fetchone()[0])


def current_value(key: str) -> int:
    """Return the counter's current value (0 when it has never been used)."""
    # Plain SQL: the versioned caches read a token this way on every write, and compiling the ORM query
    # cost several times the look-up itself.
    table = connection.ops.quote_name(Counter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {table} WHERE key = %s", [key])  # noqa: S608 - table from the model
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def current_values(keys: list[str]) -> dict[str, int]:
    """The current values of several counters in one query (a counter never used is left out)."""
    if not keys:
        return {}
    table = connection.ops.quote_name(Counter._meta.db_table)
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, value FROM {table} WHERE key IN ({marks})", list(keys))  # noqa: S608
        return {key: int(value) for key, value in cursor.fetchall()}


__all__ = ["current_value", "current_values", "next_value", "transaction"]
