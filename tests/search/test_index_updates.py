"""The index follows every ticket change once it commits, and can be rebuilt."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction

from itdesk.search import services
from itdesk.search.models import SearchDocument
from itdesk.tickets import services as ticket_services
from tests.search.helpers import found


def test_nothing_is_indexed_before_the_transaction_commits(
    articles, alice, service_desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = ticket_services.create_ticket(actor=alice, title="显示器闪烁", description="屏幕一直闪")
    assert found(alice, "闪烁") == []
    for callback in callbacks:
        callback()
    assert found(alice, "闪烁") == [("ticket", ticket.number)]


def test_a_rolled_back_ticket_is_never_found(
    articles, alice, service_desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        ticket_services.create_ticket(actor=alice, title="显示器闪烁", description="屏幕一直闪")
        raise RuntimeError("roll back")
    assert found(alice, "闪烁") == []


def test_edits_replies_notes_and_resolutions_are_indexed(corpus, indexed, alice, agent1):
    ticket = corpus["password"]
    indexed(
        ticket_services.update_ticket, ticket=ticket, actor=alice, changes={"title": "Locked out of e-mail"}
    )
    assert found(alice, "locked") == [("ticket", ticket.number)]
    assert found(alice, "reset", kinds={"ticket"}) == [("ticket", ticket.number)]  # still in the description
    indexed(ticket_services.add_comment, ticket=ticket, actor=agent1, body="请使用自助门户解锁账号")
    assert found(alice, "解锁") == [("ticket", ticket.number)]
    indexed(ticket_services.add_comment, ticket=ticket, actor=agent1, body="疑似撞库攻击", internal=True)
    assert found(alice, "撞库") == []
    assert found(agent1, "撞库") == [("ticket", ticket.number)]
    indexed(ticket_services.transition_ticket, ticket=ticket, actor=agent1, to="diagnosing")
    indexed(
        ticket_services.transition_ticket,
        ticket=ticket,
        actor=agent1,
        to="resolved",
        resolution="已在 AD 中解除锁定",
    )
    assert found(alice, "解除锁定") == [("ticket", ticket.number)]


def test_one_commit_indexes_a_ticket_once(corpus, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ticket = ticket_services.create_ticket(actor=alice, title="键盘失灵", description="部分按键没反应")
        ticket_services.add_comment(ticket=ticket, actor=alice, body="换了 USB 口也不行")
    assert SearchDocument.objects.filter(kind="ticket", object_id=ticket.pk).count() == 1
    assert found(alice, "键盘 USB") == [("ticket", ticket.number)]


def test_rebuild_indexes_what_was_missed_and_drops_what_is_gone(corpus, articles, alice, agent1):
    # Written without indexing (as a bulk import would): the rebuild picks it up.
    missed = ticket_services.create_ticket(
        actor=alice, title="投影仪无信号", description="会议室投影仪 HDMI 无信号"
    )
    del articles.documents[3]  # an article deleted while the index was not told
    assert found(alice, "投影仪") == []
    assert ("article", 3) in found(alice, "密码")
    out = io.StringIO()
    call_command("search", "rebuild", "--no-progress", stdout=out)
    assert "ticket: 5 indexed" in out.getvalue() and "article: 7 indexed" in out.getvalue()
    assert found(alice, "投影仪") == [("ticket", missed.number)]
    assert ("article", 3) not in found(alice, "密码")
    assert found(agent1, "ABC123") == [("ticket", corpus["jam"].number)]  # notes rebuilt too
    assert SearchDocument.objects.filter(kind="ticket").count() == 6  # five public texts and one note


def test_rebuild_of_one_kind_leaves_the_others(corpus, articles, alice):
    call_command("search", "rebuild", "--kind", "ticket", "--no-progress", stdout=io.StringIO())
    assert ("article", 1) in found(alice, "卡纸")


def test_the_query_command_searches_as_a_user(corpus, alice):
    out = io.StringIO()
    call_command("search", "query", "打印", "--as", "alice", stdout=out)
    text = out.getvalue()
    assert text.startswith("3 results")
    assert corpus["jam"].number in text and "*打印*" in text
    assert "ABC123" not in text


def test_services_refuse_an_unknown_kind(db):
    with pytest.raises(KeyError):
        services.schedule_index("nonsense", 1)


def test_the_catch_up_job_restores_a_change_whose_index_job_was_lost(
    articles, alice, service_desk, django_capture_on_commit_callbacks
):
    """A crash between commit and queueing loses the index job; the periodic catch-up finds the ticket."""
    from datetime import timedelta

    from itdesk.search.tasks import catch_up_index

    with django_capture_on_commit_callbacks(execute=False):  # the job is never queued
        ticket = ticket_services.create_ticket(actor=alice, title="投影仪无信号", description="会议室投影仪")
    services._pending_set().clear()
    assert found(alice, "投影仪") == []
    assert catch_up_index.call_local() >= 1
    assert found(alice, "投影仪") == [("ticket", ticket.number)]
    # Older changes are left alone: the window is the last quarter of an hour.
    assert services.catch_up(timedelta(0)) == 0
