"""The knowledge base pages: the desk's list, article, editor and review list; the portal's search,
article and votes; deflection on the new-request page; the knowledge base panel on a ticket."""

import datetime as dt

import pytest

from itdesk.kb import selectors
from itdesk.kb import services as kb_services
from itdesk.kb.models import Article, ArticleTicketLink, Deflection
from itdesk.tickets import services
from itdesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def write(agent1, django_capture_on_commit_callbacks):
    """Write an article through the services and index it (published and public unless told otherwise)."""

    def make(title="打印机卡纸处理", body="1. 关闭电源\n2. 顺着走纸方向取出**卡纸**", actor=None, **fields):
        fields.setdefault("status", "published")
        fields.setdefault("visibility", "public")
        fields.setdefault("keywords", ["打印机", "卡纸", "E05"])
        with django_capture_on_commit_callbacks(execute=True):
            return kb_services.create_article(actor=actor or agent1, title=title, body=body, **fields)

    return make


def page(response, status=200):
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


# ---------------------------------------------------------------- desk


def test_the_desk_list_searches_and_filters(client_for, agent1, write):
    write()
    write(title="VPN连接失败", body="错误 809", keywords=["VPN"])
    write(title="内部：打印机驱动", body="卡纸时先看驱动", visibility="internal", status="draft")
    client = client_for(agent1)

    everything = page(client.get("/desk/kb/"))
    assert "打印机卡纸处理" in everything and "VPN连接失败" in everything and "内部：打印机驱动" in everything

    found = page(client.get("/desk/kb/", {"q": "卡纸"}))
    assert "打印机卡纸处理" in found and "VPN连接失败" not in found and "<mark>" in found

    drafts = page(client.get("/desk/kb/", {"status": "draft"}))
    assert "内部：打印机驱动" in drafts and "打印机卡纸处理" not in drafts

    partial = page(client.get("/desk/kb/", {"q": "VPN"}, HTTP_HX_REQUEST="true"))
    assert "VPN连接失败" in partial and "<html" not in partial


def test_requesters_cannot_open_desk_pages(client_for, alice, write):
    article = write()
    client = client_for(alice)
    for url in ("/desk/kb/", f"/desk/kb/{article.pk}/", "/desk/kb/new/", "/desk/kb/review/"):
        assert client.get(url).status_code == 403


def test_an_agent_writes_and_publishes_an_article_from_the_editor(client_for, agent1, alice):
    client = client_for(agent1)
    assert "Markdown" in page(client.get("/desk/kb/new/"))
    response = client.post(
        "/desk/kb/new/",
        {
            "title": "密码重置",
            "body": "## 步骤\n\n1. 打开自助门户",
            "keywords": "密码, 重置",
            "article_type": "how_to",
            "visibility": "public",
            "language": "zh-hans",
            "owner": agent1.pk,
            "then": "published",
        },
    )
    article = Article.objects.get(title="密码重置")
    assert response.status_code == 302 and response["Location"] == f"/desk/kb/{article.pk}/"
    assert article.status == "published" and article.keywords == ["密码", "重置"]
    shown = page(client.get(f"/desk/kb/{article.pk}/"))
    assert "<h2>步骤</h2>" in shown and "Published" in shown
    assert "密码重置" in page(client_for(alice).get(f"/portal/kb/{article.pk}/"))


def test_an_empty_title_is_shown_next_to_the_field(client_for, agent1):
    body = page(
        client_for(agent1).post("/desk/kb/new/", {"title": "", "body": "x", "visibility": "public"}), 400
    )
    assert "This field is required." in body


def test_editing_makes_a_new_version_and_the_page_shows_the_diff(client_for, agent1, write):
    article = write(body="第一步：关机\n第二步：取纸")
    client = client_for(agent1)
    form = page(client.get(f"/desk/kb/{article.pk}/edit/"))
    assert "第二步：取纸" in form
    response = client.post(
        f"/desk/kb/{article.pk}/edit/",
        {
            "title": article.title,
            "body": "第一步：关机\n第二步：顺着走纸方向取纸\n<script>alert(1)</script>",
            "keywords": "打印机, 卡纸",
            "article_type": "faq",
            "visibility": "public",
            "language": "both",
            "owner": agent1.pk,
            "note": "更清楚",
            "version": 1,
        },
    )
    assert response.status_code == 302
    shown = page(client.get(f"/desk/kb/{article.pk}/"))
    assert "Version 2" in shown and "更清楚" in shown
    assert 'class="diff-removed">- 第二步：取纸' in shown
    assert 'class="diff-added">+ 第二步：顺着走纸方向取纸' in shown
    assert "<script>alert(1)</script>" not in shown  # neither in the rendered body nor in the diff
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown  # the diff shows it, inert
    older = page(client.get(f"/desk/kb/{article.pk}/", {"diff": 1}))
    assert "Version 1 (the first)" in older


def test_a_stale_edit_is_refused_with_a_message(client_for, agent1, write):
    article = write()
    kb_services.update_article(article=article, actor=agent1, changes={"title": "新标题"})
    response = client_for(agent1).post(
        f"/desk/kb/{article.pk}/edit/",
        {
            "title": "旧页面",
            "body": "b",
            "article_type": "faq",
            "visibility": "public",
            "language": "both",
            "version": 1,
        },
    )
    assert "Someone else changed this article" in page(response, 400)
    assert Article.objects.get(pk=article.pk).title == "新标题"


def test_the_workflow_buttons_move_the_article(client_for, agent1, write, auditor):
    article = write(status="draft")
    client = client_for(agent1)
    shown = page(client.get(f"/desk/kb/{article.pk}/"))
    assert "Submit for review" in shown and "Publish" in shown
    client.post(f"/desk/kb/{article.pk}/move/", {"to": "in_review"})
    assert Article.objects.get(pk=article.pk).status == "in_review"
    client.post(f"/desk/kb/{article.pk}/move/", {"to": "published"})
    assert Article.objects.get(pk=article.pk).status == "published"
    assert "Submit for review" not in page(client_for(auditor).get(f"/desk/kb/{article.pk}/"))
    assert client_for(auditor).post(f"/desk/kb/{article.pk}/move/", {"to": "archived"}).status_code == 403


def test_the_article_page_shows_votes_tickets_solved_and_deflections(client_for, agent1, alice, bob, write):
    article = write()
    kb_services.vote(article=article, user=alice, helpful=True)
    kb_services.feedback(article=article, user=bob, text="E05 以外的错误码呢？")
    kb_services.record_deflection(article=article, user=alice, query="打印机卡纸了")
    shown = page(client_for(agent1).get(f"/desk/kb/{article.pk}/"))
    assert '<dd id="kb-helpful">1</dd>' in shown and '<dd id="kb-not-helpful">1</dd>' in shown
    assert '<dd id="kb-deflections">1</dd>' in shown and '<dd id="kb-tickets-solved">0</dd>' in shown
    assert "E05 以外的错误码呢？" in shown and "打印机卡纸了" in shown


def test_owners_see_their_articles_past_review(client_for, agent1, lead1, write):
    write(title="过期文章", review_date=dt.date.today() - dt.timedelta(days=2))
    write(title="未到期", review_date=dt.date.today() + dt.timedelta(days=2))
    client = client_for(agent1)
    assert "1 article past its review date" in page(client.get("/desk/kb/"))
    review = page(client.get("/desk/kb/review/"))
    assert "过期文章" in review and "未到期" not in review
    assert "过期文章" not in page(client_for(lead1).get("/desk/kb/review/"))


def _resolved(alice, agent1, title="打印机卡纸", resolution="顺着走纸方向取出卡纸，打印测试页正常。"):
    ticket = services.create_ticket(actor=alice, title=title, description="三楼打印机卡纸，报错E05")
    services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    return services.transition_ticket(ticket=ticket, actor=agent1, to="resolved", resolution=resolution)


def test_a_resolved_ticket_is_turned_into_an_article(client_for, agent1, alice, service_desk):
    ticket = _resolved(alice, agent1)
    client = client_for(agent1)
    assert "Turn this into an article" in page(client.get(f"/desk/{ticket.number}/"))
    response = client.post(f"/desk/{ticket.number}/to-article/")
    article = Article.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/desk/kb/{article.pk}/edit/"
    editor = page(client.get(response["Location"]))
    assert "顺着走纸方向取出卡纸，打印测试页正常。" in editor and "三楼打印机卡纸，报错E05" in editor
    assert ArticleTicketLink.objects.filter(ticket=ticket, kind="source").exists()
    assert article.title in page(client.get(f"/desk/{ticket.number}/"))


def test_an_open_ticket_offers_no_article_button(client_for, agent1, alice, service_desk):
    ticket = services.create_ticket(actor=alice, title="打印机卡纸", description="d")
    assert "Turn this into an article" not in page(client_for(agent1).get(f"/desk/{ticket.number}/"))


def test_the_agent_marks_the_article_that_solved_the_ticket(client_for, agent1, alice, service_desk, write):
    article = write()
    ticket = _resolved(alice, agent1)
    client = client_for(agent1)
    shown = page(client.get(f"/desk/{ticket.number}/"))
    assert "This article solved it" in shown and article.title in shown
    client.post(f"/desk/{ticket.number}/solved-by/", {"article": article.pk})
    assert selectors.get_article(agent1, article.pk).tickets_solved == 1
    assert '<dd id="kb-tickets-solved">1</dd>' in page(client.get(f"/desk/kb/{article.pk}/"))
    client.post(f"/desk/{ticket.number}/solved-by/", {"article": article.pk, "undo": "1"})
    assert selectors.get_article(agent1, article.pk).tickets_solved == 0


# ---------------------------------------------------------------- portal


def test_the_portal_finds_only_published_public_articles(client_for, alice, write):
    public = write()
    internal = write(title="打印机卡纸内部排查", visibility="internal")
    draft = write(title="打印机卡纸草稿", status="draft")
    client = client_for(alice)
    found = page(client.get("/portal/kb/", {"q": "卡纸"}))
    assert "打印机卡纸处理" in found and "内部排查" not in found and "草稿" not in found
    assert "打印机卡纸处理" in page(client.get("/portal/kb/"))
    assert client.get(f"/portal/kb/{public.pk}/").status_code == 200
    for hidden in (internal, draft):
        assert client.get(f"/portal/kb/{hidden.pk}/").status_code == 404


def test_a_requester_votes_and_gives_feedback(client_for, alice, agent1, write):
    article = write()
    client = client_for(alice)
    shown = page(client.get(f"/portal/kb/{article.pk}/"))
    assert "<strong>卡纸</strong>" in shown and "Did this help?" in shown
    client.post(f"/portal/kb/{article.pk}/vote/", {"helpful": "yes"})
    assert "You said it helped." in page(client.get(f"/portal/kb/{article.pk}/"))
    refused = page(client.post(f"/portal/kb/{article.pk}/vote/", {"helpful": "no", "comment": ""}), 400)
    assert "Tell us what was missing or wrong." in refused
    client.post(f"/portal/kb/{article.pk}/vote/", {"helpful": "no", "comment": "我的打印机是 E07"})
    counted = selectors.get_article(agent1, article.pk)
    assert (counted.helpful_count, counted.not_helpful_count) == (0, 1)
    assert [v.comment for v in selectors.feedback_for(agent1, article)] == ["我的打印机是 E07"]


def test_suggestions_appear_as_the_requester_types(client_for, alice, write):
    write()
    write(title="内部：卡纸", visibility="internal")
    client = client_for(alice)
    new = page(client.get("/portal/new/"))
    assert 'hx-get="/portal/kb/suggestions/"' in new and "keyup changed delay:400ms" in new
    partial = page(client.get("/portal/kb/suggestions/", {"title": "打印机卡纸", "description": ""}))
    assert "打印机卡纸处理" in partial and "This solved my problem" in partial and "内部" not in partial
    by_description = page(client.get("/portal/kb/suggestions/", {"title": "", "description": "打印机卡纸"}))
    assert "打印机卡纸处理" in by_description
    nothing = page(client.get("/portal/kb/suggestions/", {"title": "咖啡机坏了", "description": ""}))
    assert "No help article matches yet" in nothing


def test_this_solved_my_problem_ends_the_request_without_a_ticket(
    client_for, alice, agent1, write, service_desk
):
    article = write()
    client = client_for(alice)
    response = client.post(f"/portal/kb/{article.pk}/solved/", {"title": "打印机卡纸", "description": "三楼"})
    assert response.status_code == 302 and response["Location"] == f"/portal/kb/{article.pk}/thanks/"
    assert "no request was submitted" in page(client.get(response["Location"]))
    assert Ticket.objects.count() == 0
    [deflection] = Deflection.objects.all()
    assert (deflection.user, deflection.query, deflection.solved) == (alice, "打印机卡纸 三楼", True)
    assert "Articles answered 1 request without a ticket." in page(client_for(agent1).get("/desk/kb/"))


def test_an_internal_article_cannot_be_used_to_deflect(client_for, alice, write):
    article = write(visibility="internal")
    assert client_for(alice).post(f"/portal/kb/{article.pk}/solved/", {"title": "x"}).status_code == 404
    assert Deflection.objects.count() == 0
