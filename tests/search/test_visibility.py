"""Every result is filtered by what the caller may see, and totals and snippets leak nothing."""

import pytest

from itdesk.search import services
from itdesk.search.registry import PUBLIC
from tests.factories import UserFactory
from tests.search.helpers import found


def test_a_requester_never_finds_another_requesters_ticket(corpus, alice, bob):
    assert found(alice, corpus["vpn"].number) == []
    assert found(alice, "VPN", kinds={"ticket"}) == []
    assert found(bob, "卡纸", kinds={"ticket"}) == []
    assert found(bob, "VPN", kinds={"ticket"}) == [("ticket", corpus["vpn"].number)]


def test_a_requester_never_finds_an_internal_note_even_on_their_own_ticket(corpus, alice, agent1):
    assert services.search(alice, "ABC123").total == 0
    assert services.search(alice, "供应商合同").total == 0
    assert found(agent1, "ABC123") == [("ticket", corpus["jam"].number)]
    hit = services.search(agent1, "供应商").hits[0]
    assert hit.audience == "desk" and "<mark>供应商</mark>" in hit.snippet


def test_a_ticket_found_by_its_text_and_its_notes_is_one_hit(corpus, agent1):
    assert found(agent1, corpus["jam"].number) == [("ticket", corpus["jam"].number)]
    assert services.search(agent1, corpus["jam"].number).total == 1


def test_drafts_are_for_the_desk_only(corpus, alice, agent1):
    assert found(alice, "固件") == []
    assert found(agent1, "固件") == [("article", 6)]


def test_internal_articles_are_for_the_desk_only(corpus, alice, agent1, auditor, manager1):
    assert found(alice, "打印服务器") == []
    for desk_user in (agent1, auditor, manager1):
        assert found(desk_user, "打印服务器") == [("article", 7)]


def test_group_articles_are_for_that_groups_members_and_administrators(corpus, alice, agent1, agent2):
    admin = UserFactory(username="admin1", role="admin")
    assert found(agent2, "交换机") == [("article", 8)]
    assert found(admin, "交换机") == [("article", 8)]
    assert found(agent1, "交换机") == []
    assert found(alice, "交换机") == []


def test_totals_count_only_what_the_caller_may_see(corpus, alice, bob, agent1):
    # "打印" is in alice's ticket (and its note), the jam, driver, draft, firmware and server articles.
    assert services.search(agent1, "打印").total == 5
    assert services.search(alice, "打印").total == 3  # her ticket, articles 1 and 5
    assert services.search(bob, "打印").total == 2  # articles 1 and 5 only
    assert {hit.object_id for hit in services.search(bob, "打印").hits} == {1, 5}


def test_snippets_of_visible_hits_never_show_hidden_text(corpus, alice):
    for hit in services.search(alice, "打印", limit=50).hits:
        assert "供应商" not in hit.snippet and "固件" not in hit.snippet and "服务台" not in hit.snippet


def test_an_article_that_becomes_a_draft_or_internal_disappears_for_requesters(
    corpus, articles, alice, agent1
):
    articles.change(2, published=False)
    assert found(alice, "809", kinds={"article"}) == []
    articles.change(2, published=True, audience="desk")
    assert found(alice, "809", kinds={"article"}) == []
    assert found(agent1, "809", kinds={"article"}) == [("article", 2)]
    articles.change(2, audience=PUBLIC)
    assert found(alice, "809", kinds={"article"}) == [("article", 2)]


def test_an_article_with_an_owner_is_only_that_persons(corpus, articles, alice, bob):
    articles.add(9, "个人笔记：打印机", "只给 alice 看", owner_id=alice.pk)
    assert ("article", 9) in found(alice, "笔记")
    assert found(bob, "笔记") == []


@pytest.mark.parametrize("who", ["anonymous", "inactive"])
def test_anonymous_and_inactive_users_find_nothing(corpus, who, agent1):
    from django.contrib.auth.models import AnonymousUser

    if who == "anonymous":
        user = AnonymousUser()
    else:
        user = agent1
        user.is_active = False
    assert services.search(user, "打印").total == 0


def test_past_the_candidate_cap_only_the_newest_are_ranked_and_the_total_says_so(
    corpus, alice, bob, agent1, monkeypatch
):
    from itdesk.search import backends

    monkeypatch.setattr(backends, "CANDIDATES", 1)
    desk = services.search(agent1, "打印")
    # Ranked: per kind the newest matches (one more than the cap, to know it was exceeded), of 6 documents.
    assert desk.capped and desk.total == len(desk.hits) == 3
    assert {hit.kind for hit in desk.hits} == {"ticket", "article"}
    requester = services.search(bob, "打印")  # only articles 1 and 5 are his to see
    assert requester.capped and requester.total == 2
    assert {(hit.kind, hit.object_id) for hit in requester.hits} == {("article", 1), ("article", 5)}
    own = services.search(alice, "打印", kinds={"ticket"})  # her ticket; its internal note is not hers
    assert not own.capped and own.total == 1
