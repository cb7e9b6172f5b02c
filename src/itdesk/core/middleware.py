"""Request-level instrumentation shared by every package."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

QUERY_COUNT_HEADER = "X-ITDesk-Queries"


class _QueryCounter:
    """An execute wrapper that counts the SQL statements run through it."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


class QueryCountMiddleware:
    """Report how many SQL queries a request ran in the X-ITDesk-Queries header.

    Off unless settings.ITDESK_QUERY_COUNT_HEADER is true: it is for benchmarks and N+1 hunting, and the
    number tells an outsider something about the data behind a page. Put it first in MIDDLEWARE so the
    session and user look-ups count too. Queries run while a streaming response is consumed are not
    counted, because the header is sent before the body.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not getattr(settings, "ITDESK_QUERY_COUNT_HEADER", False):
            return self.get_response(request)
        counter = _QueryCounter()
        with ExitStack() as stack:
            for connection in connections.all():
                stack.enter_context(connection.execute_wrapper(counter))
            response = self.get_response(request)
        response[QUERY_COUNT_HEADER] = str(counter.count)
        return response
