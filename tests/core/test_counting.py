"""core.counting: list totals, exact while small."""

import pytest

from itdesk.core.counting import CountingPaginator, count
from itdesk.tickets import services
from itdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_queries_that_can_match_nothing_count_zero(alice, service_desk):
    services.create_ticket(actor=alice, title="Printer jam", description="E05")
    assert count(Ticket.objects.all()) == 1
    assert count(Ticket.objects.none()) == 0
    assert count(Ticket.objects.filter(pk__in=[])) == 0
    page = CountingPaginator(Ticket.objects.none(), 25).get_page(1)
    assert page.paginator.count == 0 and list(page) == []
