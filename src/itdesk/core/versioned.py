"""Rows every write reads (SLA policies, webhook endpoints), kept per process while they are unchanged.

A `VersionedCache` holds what `build()` made from the database together with the token of its `Counter`
row; each use costs one primary-key read of that token, and a change anywhere (`changed()`, in the
editing transaction) gives the row a new random token, so every process rebuilds on its next use. A
random token, not an increment: a rolled-back edit can never leave a token another process already holds.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import transaction

from itdesk.core.models import Counter
from itdesk.core.sequences import current_value

T = TypeVar("T")


class VersionedCache(Generic[T]):
    """`build()`'s result, rebuilt when the token under `key` changes."""

    def __init__(self, key: str, build: Callable[[], T]) -> None:
        self.key = key
        self.build = build
        self._held: tuple[int, T] | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        """The cached value, rebuilt first when the token moved since it was built."""
        token = current_value(self.key)
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
        self.clear()
        transaction.on_commit(self.clear)

    def clear(self) -> None:
        """Forget this process's copy."""
        with self._lock:
            self._held = None
