"""Row counts for pages and queue tabs: exact while small, briefly remembered once large.

Counting a desk's open queue on a million-ticket database reads tens of thousands of index entries on
every page view, and is the largest part of a list page. A count at or above
`ITDESK_EXACT_COUNT_BELOW` is kept in the cache for `ITDESK_LARGE_COUNT_SECONDS`, keyed by the exact
SQL and parameters of the query (so every filter, queue and caller has its own); below the threshold
counts are never cached. A large count is therefore at most that many seconds old; the rows of a page
are always read live.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


def count(qs: QuerySet[Any]) -> int:
    """`qs.count()`, or a count of the same query taken less than ITDESK_LARGE_COUNT_SECONDS ago when large."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # .none(), or a filter that can match nothing (pk__in=[])
        return 0
    key = "itdesk:count:" + hashlib.sha256(repr((qs.db, sql, params)).encode()).hexdigest()
    remembered = cache.get(key)
    if remembered is not None:
        return int(remembered)
    exact = qs.count()
    if exact >= settings.ITDESK_EXACT_COUNT_BELOW:
        cache.set(key, exact, settings.ITDESK_LARGE_COUNT_SECONDS)
    return exact


class CountingPaginator(Paginator):
    """A Paginator whose total comes from `count()` above."""

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        """The number of rows (briefly remembered when large)."""
        if isinstance(self.object_list, QuerySet):
            return count(self.object_list)
        return len(self.object_list)

    def page(self, number: Any) -> Page:
        """The page's rows, read live: a remembered total must not cut the last page short."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.orphans and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.object_list[bottom:top], number, self)
