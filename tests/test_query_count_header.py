"""The X-ITDesk-Queries header reports how many SQL queries a request ran, only when switched on."""

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from itdesk.core.middleware import QueryCountMiddleware
from tests.factories import UserFactory

MIDDLEWARE_PATH = "itdesk.core.middleware.QueryCountMiddleware"


def _view_running(queries: int):
    def view(request):
        for _ in range(queries):
            UserFactory._meta.model.objects.count()
        return HttpResponse("ok")

    return view


@pytest.mark.django_db
@pytest.mark.parametrize("queries", [0, 3])
def test_header_counts_the_queries_of_the_request(settings, queries):
    settings.ITDESK_QUERY_COUNT_HEADER = True
    middleware = QueryCountMiddleware(_view_running(queries))

    response = middleware(RequestFactory().get("/"))

    assert response["X-ITDesk-Queries"] == str(queries)


@pytest.mark.django_db
def test_no_header_unless_switched_on(settings):
    settings.ITDESK_QUERY_COUNT_HEADER = False
    middleware = QueryCountMiddleware(_view_running(2))

    response = middleware(RequestFactory().get("/"))

    assert "X-ITDesk-Queries" not in response


@pytest.mark.django_db
def test_header_through_the_whole_stack_matches_the_queries_run(settings, client):
    settings.ITDESK_QUERY_COUNT_HEADER = True
    settings.MIDDLEWARE = [MIDDLEWARE_PATH, *settings.MIDDLEWARE]
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True, role="admin"))

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/")

    assert response.status_code == 200
    # Session and user look-ups count too, so a signed-in page is never zero.
    assert int(response["X-ITDesk-Queries"]) == len(captured.captured_queries) > 0
