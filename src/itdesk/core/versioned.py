"""Rows every write reads (SLA policies, webhook endpoints), kept per process while they are unchanged.

A `VersionedCache` holds what `build()` made from the database together with the token of its `Counter`
row; each use costs one primary-key read of that token, and a change anywhere (`changed()`, in the
editing transaction) gives the row a new random token, so every process rebuilds on its next use. A
random token, not an increment: a rolled-back edit can never leave a token another process already holds.

Within a web request the tokens of all the caches are read together, by the first use, in one query, and
held until the request leaves the transaction they were read in (or, read outside any, until it enters
one): a write still sees every change committed before its transaction began, and a create reads its six
tokens in two queries instead of six. A request that changes a cached row goes back to reading each token
as it is used.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.signals import request_finished, request_started
from django.db import connection, transaction

from itdesk.core.models import Counter
from itdesk.core.sequences import current_value, current_values

T = TypeVar("T")

_keys: set[str] = set()  # the key of every VersionedCache
# This thread's current request: .tokens (read for every key at once; None outside a request) and
# .scope (the transaction they were read in, None for none).
_request = threading.local()


def _transaction() -> object | None:
    """The outermost transaction the connection is in (a test case's own wrapping does not count)."""
    for block in connection.atomic_blocks:
        if not getattr(block, "_from_testcase", False):
            return block
    return None


def _token(key: str) -> int:
    """The token under `key`: from this request's snapshot (read for all keys at once), else the database."""
    tokens = getattr(_request, "tokens", None)
    if tokens is None:
        return current_value(key)
    scope = _transaction()
    if scope is not _request.scope:
        _request.scope = scope
        tokens.clear()
    if key not in tokens:  # every cache registers its key in _keys when it is made
        read = current_values(sorted(_keys))
        tokens.update({name: read.get(name, 0) for name in _keys})
    return int(tokens[key])


def _start_snapshot(**kwargs: object) -> None:
    _request.tokens, _request.scope = {}, None


def _end_snapshot(**kwargs: object) -> None:
    _request.tokens, _request.scope = None, None


request_started.connect(_start_snapshot, dispatch_uid="itdesk-versioned-request-started")
request_finished.connect(_end_snapshot, dispatch_uid="itdesk-versioned-request-finished")


class VersionedCache(Generic[T]):
    """`build()`'s result, rebuilt when the token under `key` changes."""

    def __init__(self, key: str, build: Callable[[], T]) -> None:
        self.key = key
        self.build = build
        _keys.add(key)
        self._held: tuple[int, T] | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        """The cached value, rebuilt first when the token moved since it was built."""
        token = _token(self.key)
        held = self._held
        if held is not None and held[0] == token:
            return held[1]
        fresh = self.build()
        with self._lock:
            self._held = (token, fresh)
        return fresh

    def changed(self) -> None:
        """Tell every process to rebuild (call in the transaction that changed the rows)."""
        Counter.objects.update_or_create(key=self.key, defaults={"value": secrets.randbits(62)})
        _end_snapshot()  # the edit may still roll back: read each token afresh for the rest of the request
        self.clear()
        transaction.on_commit(self.clear)

    def clear(self) -> None:
        """Forget this process's copy."""
        with self._lock:
            self._held = None
