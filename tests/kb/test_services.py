"""Writing articles: versions, workflow, links to tickets, votes, feedback and deflections."""

import datetime as dt

import pytest

from itdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from itdesk.kb import selectors, services
from itdesk.kb.models import ArticleTicketLink, Deflection
from itdesk.tickets import services as ticket_services

pytestmark = pytest.mark.django_db


def test_a_new_article_is_a_draft_owned_by_its_writer_with_a_first_version(agent1, printer_category):
    article = services.create_article(
        actor=agent1,
        title="打印机卡纸处理",
        body="关闭电源。",
        keywords="打印机， 卡纸, 打印机, E05",
        category=printer_category,
        article_type="how_to",
    )
    assert article.status == "draft" and article.published_at is None
    assert article.owner == agent1 and article.version == 1
    assert article.keywords == ["打印机", "卡纸", "E05"]  # split on either comma, duplicates dropped
    [version] = article.versions.all()
    assert (version.number, version.title, version.author) == (1, "打印机卡纸处理", agent1)


def test_an_agent_may_publish_directly(agent1):
    article = services.create_article(
        actor=agent1, title="VPN连接失败", body="重启客户端。", status="published"
    )
    assert article.status == "published" and article.published_at is not None


@pytest.mark.parametrize("who", ["alice", "auditor", "manager1"])
def test_only_agents_write_articles(request, who):
    with pytest.raises(PermissionDenied):
        services.create_article(actor=request.getfixturevalue(who), title="t", body="b")


def test_a_new_text_is_a_new_version_and_the_history_keeps_the_old_one(agent1, lead1, make_article):
    article = make_article(body="第一步：关机。")
    services.update_article(
        article=article, actor=lead1, changes={"body": "第一步：关机。\n第二步：取纸。"}, note="加了第二步"
    )
    article.refresh_from_db()
    assert article.version == 2
    versions = list(selectors.versions_for(lead1, article))
    assert [(v.number, v.author) for v in versions] == [(2, lead1), (1, agent1)]
    assert versions[0].note == "加了第二步" and versions[1].body == "第一步：关机。"


def test_changing_only_settings_keeps_the_version(agent1, make_article):
    article = make_article()
    services.update_article(article=article, actor=agent1, changes={"review_date": dt.date(2030, 1, 1)})
    article.refresh_from_db()
    assert article.version == 1 and article.review_date == dt.date(2030, 1, 1)
    assert article.versions.count() == 1


def test_a_stale_edit_is_refused(agent1, make_article):
    article = make_article()
    services.update_article(article=article, actor=agent1, changes={"title": "新标题"}, expected_version=1)
    with pytest.raises(services.ArticleStale) as refused:
        services.update_article(
            article=article, actor=agent1, changes={"title": "又一个"}, expected_version=1
        )
    assert refused.value.code == "stale_version" and refused.value.status == 409


def test_group_visibility_needs_the_group(agent1, network_group):
    with pytest.raises(ValidationFailed) as refused:
        services.create_article(actor=agent1, title="t", body="b", visibility="group")
    assert "group" in refused.value.fields
    article = services.create_article(
        actor=agent1, title="t", body="b", visibility="group", group=network_group
    )
    assert article.group == network_group


def test_empty_title_and_unknown_choices_are_refused_field_by_field(agent1):
    with pytest.raises(ValidationFailed) as refused:
        services.create_article(actor=agent1, title=" ", body="b", visibility="secret", language="fr")
    assert set(refused.value.fields) == {"title", "visibility", "language"}


def test_the_workflow_from_draft_to_archived(agent1):
    article = services.create_article(actor=agent1, title="t", body="b")
    for target in ("in_review", "published", "archived", "draft"):
        article = services.transition_article(article=article, actor=agent1, to=target)
        assert article.status == target
    with pytest.raises(services.InvalidArticleTransition) as refused:
        services.transition_article(article=article, actor=agent1, to="draft")
    assert refused.value.code == "invalid_transition" and refused.value.status == 409


def _resolved_ticket(alice, agent1, title="打印机卡纸", resolution="顺着走纸方向取出卡纸后恢复正常。"):
    ticket = ticket_services.create_ticket(actor=alice, title=title, description="三楼打印机卡纸，报错E05")
    ticket_services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    return ticket_services.transition_ticket(
        ticket=ticket, actor=agent1, to="resolved", resolution=resolution
    )


def test_a_resolved_ticket_becomes_a_draft_linked_back(alice, agent1, service_desk):
    ticket = _resolved_ticket(alice, agent1)
    article = services.article_from_ticket(ticket=ticket, actor=agent1)
    assert article.status == "draft" and article.visibility == "internal"
    assert article.title == "打印机卡纸"
    assert "三楼打印机卡纸，报错E05" in article.body and "顺着走纸方向取出卡纸后恢复正常。" in article.body
    assert ArticleTicketLink.objects.filter(article=article, ticket=ticket, kind="source").exists()
    assert ticket.number in article.versions.get().note


def test_an_open_ticket_cannot_become_an_article(alice, agent1, service_desk):
    ticket = ticket_services.create_ticket(actor=alice, title="t", description="d")
    with pytest.raises(services.TicketNotResolved):
        services.article_from_ticket(ticket=ticket, actor=agent1)


def test_an_article_counts_the_tickets_it_solved(alice, bob, agent1, service_desk, make_article):
    article = make_article()
    for requester in (alice, bob):
        ticket = _resolved_ticket(requester, agent1)
        services.mark_article_solved(article=article, ticket=ticket, actor=agent1)
        services.mark_article_solved(article=article, ticket=ticket, actor=agent1)  # idempotent
    assert selectors.get_article(agent1, article.pk).tickets_solved == 2
    with pytest.raises(PermissionDenied):
        services.mark_article_solved(article=article, ticket=ticket, actor=alice)


def test_one_vote_per_person_and_voting_again_changes_it(alice, bob, make_article):
    article = make_article()
    services.vote(article=article, user=alice, helpful=True)
    services.vote(article=article, user=bob, helpful=True)
    services.vote(article=article, user=alice, helpful=False, comment="没说E05怎么办")
    counted = selectors.get_article(alice, article.pk)
    assert (counted.helpful_count, counted.not_helpful_count) == (1, 1)
    assert selectors.user_vote(alice, article).comment == "没说E05怎么办"


def test_feedback_needs_text_and_is_a_not_helpful_vote(alice, agent1, make_article):
    article = make_article()
    with pytest.raises(ValidationFailed):
        services.feedback(article=article, user=alice, text="  ")
    services.feedback(article=article, user=alice, text="步骤 2 的图看不清")
    [row] = selectors.feedback_for(agent1, article)
    assert row.helpful is False and row.comment == "步骤 2 的图看不清"
    assert list(selectors.feedback_for(alice, article)) == []


def test_drafts_cannot_be_rated(agent1, make_article):
    article = make_article(status="draft")
    with pytest.raises(services.NotPublished):
        services.vote(article=article, user=agent1, helpful=True)


def test_a_deflection_is_counted_for_the_desk(alice, agent1, make_article):
    article = make_article()
    services.record_deflection(article=article, user=alice, query="打印机卡纸")
    services.record_deflection(article=article, user=alice, query="打印机", solved=False)
    assert selectors.get_article(agent1, article.pk).deflection_count == 1
    assert selectors.deflection_count(agent1) == 1
    assert selectors.deflection_count(alice) == 0  # the figure is the desk's
    [row] = selectors.deflections(agent1, article=article)
    assert (row.user, row.query, row.solved) == (alice, "打印机卡纸", True)


def test_only_published_public_articles_deflect(alice, agent1, make_article):
    internal = make_article(visibility="internal")
    with pytest.raises(NotFound):
        services.record_deflection(article=internal, user=alice, query="x")
    with pytest.raises(NotFound):
        services.record_deflection(article=internal, user=agent1, query="x")
    assert Deflection.objects.count() == 0


def test_articles_past_their_review_date_are_listed_for_their_owner(agent1, lead1, make_article):
    today = dt.date.today()
    overdue = make_article(title="old", review_date=today - dt.timedelta(days=3))
    make_article(title="fine", review_date=today + dt.timedelta(days=3))
    make_article(title="archived", review_date=today - dt.timedelta(days=3), status="draft")
    archived = make_article(title="gone", review_date=today - dt.timedelta(days=9))
    services.transition_article(article=archived, actor=agent1, to="archived")
    make_article(title="lead's", review_date=today - dt.timedelta(days=1), actor=lead1)
    assert [a.title for a in selectors.past_review(agent1)] == ["old", "archived"]
    assert overdue in selectors.past_review(agent1)
    assert [a.title for a in selectors.past_review(lead1)] == ["lead's"]
