"""Database helpers shared by every package."""

from __future__ import annotations

from typing import Any


def configure_sqlite_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Make sure every SQLite connection runs in WAL mode with a busy timeout."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
