"""Insert a row that a unique constraint allows only once, without breaking the caller's transaction."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import IntegrityError, connection, models, transaction

from itdesk.core import inserts

M = TypeVar("M", bound=models.Model)


def create_once(model: type[M], **fields: Any) -> M | None:
    """`model.objects.create(**fields)`, or None when a unique constraint says the row already exists.

    The row is written by core.inserts (a precompiled INSERT, or save() where that is needed).

    The caller's transaction goes on either way. PostgreSQL aborts a whole transaction on an error, so the
    insert runs in a savepoint there. SQLite undoes only the failing statement and keeps the transaction
    going, so inside a transaction the savepoint (two more statements on every insert of the hot paths:
    each queued message, each incoming e-mail) protects nothing; only the "needs rollback" mark that
    save() leaves on the way out is lifted again.
    """
    if connection.vendor == "sqlite" and connection.in_atomic_block:
        try:
            return inserts.insert(model(**fields))
        except IntegrityError:
            transaction.set_rollback(False)
            return None
    try:
        with transaction.atomic():
            return inserts.insert(model(**fields))
    except IntegrityError:
        return None
