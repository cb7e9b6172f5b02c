"""Who reads which article: requesters published public ones only; groups keep their own."""

import pytest

from itdesk.core.errors import NotFound
from itdesk.kb import selectors, services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(agent1, agent2, network_group, make_article):
    return {
        "public": make_article(title="public"),
        "draft": make_article(title="draft", status="draft"),
        "in_review": make_article(title="in review", status="in_review"),
        "internal": make_article(title="internal", visibility="internal"),
        "network": make_article(title="network", visibility="group", group=network_group, actor=agent2),
    }


def titles(qs):
    return sorted(a.title for a in qs)


def test_a_requester_reads_only_published_public_articles(alice, shelf):
    assert titles(selectors.visible_articles(alice)) == ["public"]
    for name in ("draft", "in_review", "internal", "network"):
        with pytest.raises(NotFound):
            selectors.get_article(alice, shelf[name].pk)


def test_archiving_takes_an_article_away_from_requesters(alice, agent1, shelf):
    services.transition_article(article=shelf["public"], actor=agent1, to="archived")
    assert titles(selectors.visible_articles(alice)) == []


def test_the_desk_reads_everything_but_other_groups_articles(agent1, agent2, auditor, shelf):
    assert titles(selectors.visible_articles(agent1)) == ["draft", "in review", "internal", "public"]
    assert titles(selectors.visible_articles(auditor)) == ["draft", "in review", "internal", "public"]
    assert "network" in titles(selectors.visible_articles(agent2))


def test_an_administrator_reads_group_articles_too(shelf):
    admin = UserFactory(username="root", role="admin")
    assert "network" in titles(selectors.visible_articles(admin))


def test_an_agent_cannot_edit_another_groups_article(agent1, shelf):
    with pytest.raises(NotFound):
        services.update_article(article=shelf["network"], actor=agent1, changes={"title": "mine"})


def test_requesters_see_no_history(alice, shelf):
    assert list(selectors.versions_for(alice, shelf["public"])) == []
