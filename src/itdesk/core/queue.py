"""The job queue's SQLite storage, tuned like ITDesk's own database.

Huey's SqliteStorage leaves SQLite's default synchronous=FULL, so every enqueue waits for an fsync of the
queue file — a few milliseconds on each ticket write. In WAL mode synchronous=NORMAL keeps the file
consistent after a crash and only risks the last jobs on a power cut; nothing is lost then either,
because every job re-derives its work from committed rows that periodic jobs sweep (the outbox, webhook
deliveries, the search index's catch-up).
"""

from __future__ import annotations

import sqlite3

from huey import Huey
from huey.storage import SqliteStorage


class QueueStorage(SqliteStorage):
    """Huey's SQLite storage with synchronous=NORMAL (WAL)."""

    def _create_connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


class SqliteHuey(Huey):
    """Huey on a SQLite file in the data directory (the default without REDIS_URL)."""

    storage_class = QueueStorage
