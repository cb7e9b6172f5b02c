"""What the search index sees of an article: who may find it follows the article's visibility and status."""

import pytest

from itdesk.kb import services
from itdesk.kb.search_documents import build_article_documents
from itdesk.search import registry
from itdesk.search import services as search_services

pytestmark = pytest.mark.django_db


def document(article):
    [doc] = build_article_documents([article.pk])
    return doc


def test_the_article_kind_is_registered():
    assert "article" in registry.kinds()


def test_audience_and_publication_follow_the_article(make_article, agent1, network_group, printer_category):
    public = make_article(keywords=["打印机", "E05"], category=printer_category, language="zh-hans")
    doc = document(public)
    assert (doc.kind, doc.object_id, doc.audience, doc.published, doc.owner_id) == (
        "article",
        public.pk,
        "public",
        True,
        None,
    )
    assert "E05" in doc.keywords and "打印机" in doc.keywords and doc.language == "zh-hans"

    assert document(make_article(visibility="internal")).audience == "desk"
    group_doc = document(make_article(visibility="group", group=network_group))
    assert (group_doc.audience, group_doc.group_id) == ("group", network_group.pk)
    assert document(make_article(status="draft")).published is False
    services.transition_article(article=public, actor=agent1, to="archived")
    assert document(public).published is False


def test_a_deleted_article_has_no_document(make_article):
    article = make_article()
    pk = article.pk
    article.delete()
    assert list(build_article_documents([pk])) == []


def test_a_hit_links_to_the_desk_page_for_the_desk_and_the_portal_page_for_others(
    make_article, alice, agent1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article()
    [mine] = search_services.search(alice, "卡纸", kinds={"article"}).hits
    [desk] = search_services.search(agent1, "卡纸", kinds={"article"}).hits
    assert mine.url == f"/portal/kb/{article.pk}/"
    assert desk.url == f"/desk/kb/{article.pk}/"
