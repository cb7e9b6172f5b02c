"""A rebuild in several batches (prepared by a worker process outside a transaction) loses nothing."""

import pytest

from itdesk.search import services
from itdesk.search.models import SearchDocument
from itdesk.tickets import services as ticket_services
from tests.search.helpers import found


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_in_several_batches_indexes_every_ticket(corpus, alice, bob, agent1):
    SearchDocument.objects.filter(kind="ticket").delete()  # its full-text rows go with it
    assert found(alice, "卡纸", kinds={"ticket"}) == []
    seen = []
    assert services.rebuild("ticket", batch=1, progress=seen.append) == 4
    assert seen == [1, 1, 1, 1]
    assert found(alice, "卡纸", kinds={"ticket"}) == [("ticket", corpus["jam"].number)]
    assert found(bob, "VPN", kinds={"ticket"}) == [("ticket", corpus["vpn"].number)]
    assert found(agent1, "ABC123") == [("ticket", corpus["jam"].number)]  # the internal note too
    assert found(alice, "ABC123") == []
    assert SearchDocument.objects.filter(kind="ticket").count() == 5  # four public texts and one note
    assert services.search(agent1, "打印").total == 5  # as before the rebuild


@pytest.mark.django_db(transaction=True)
def test_a_ticket_changed_while_its_batch_was_prepared_keeps_its_newer_text(corpus, indexed, alice):
    ticket = corpus["password"]
    chunk = sorted(
        SearchDocument.objects.filter(kind="ticket").values_list("object_id", flat=True).distinct()
    )
    marker, records = services._prepare("ticket", chunk)  # what a rebuild worker read
    indexed(
        ticket_services.update_ticket, ticket=ticket, actor=alice, changes={"title": "Locked out of e-mail"}
    )
    services._write_batch("ticket", chunk, marker, records)  # then written: must not bring the old title back
    assert found(alice, "locked") == [("ticket", ticket.number)]
    assert found(alice, "卡纸", kinds={"ticket"}) == [("ticket", corpus["jam"].number)]
    assert SearchDocument.objects.filter(kind="ticket", object_id=ticket.pk).count() == 1
