"""The knowledge base API: ranked search, the desk's CRUD, votes, versions and errors with a code."""

import pytest
from rest_framework.test import APIClient

from itdesk.kb import selectors
from itdesk.kb.models import Article
from itdesk.tickets import services as ticket_services

pytestmark = pytest.mark.django_db
ARTICLES = "/api/v1/kb/articles/"


@pytest.fixture
def api():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def indexed(django_capture_on_commit_callbacks):
    """Run the on-commit search indexing of what the block writes."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def corpus(make_article, indexed, network_group, agent2):
    with indexed():
        return {
            "jam": make_article(
                title="打印机卡纸处理",
                body="关闭电源，顺着走纸方向取出卡纸。",
                keywords=["打印机", "卡纸", "E05"],
            ),
            "toner": make_article(
                title="更换硒鼓",
                body="打印颜色变淡时更换硒鼓。偶尔也会导致卡纸。",
                keywords=["打印机", "硒鼓"],
            ),
            "vpn": make_article(
                title="VPN连接失败", body="错误 809：换用手机热点再试。", keywords=["VPN", "809"]
            ),
            "outlook": make_article(
                title="Outlook 无法发送邮件", body="Messages stuck in the Outbox: turn off Work Offline."
            ),
            "draft": make_article(title="打印机卡纸（草稿）", body="卡纸", status="draft"),
            "internal": make_article(title="打印机卡纸内部排查", body="卡纸 E05 内部", visibility="internal"),
            "network": make_article(
                title="卡纸网络打印机", body="卡纸", visibility="group", group=network_group, actor=agent2
            ),
        }


def titles(response):
    assert response.status_code == 200, response.json()
    return [row["title"] for row in response.json()["results"]]


def test_the_article_about_the_query_comes_first(api, alice, corpus):
    assert titles(api(alice).get(ARTICLES, {"q": "卡纸"}))[0] == "打印机卡纸处理"
    assert titles(api(alice).get(ARTICLES, {"q": "硒鼓"})) == ["更换硒鼓"]
    assert titles(api(alice).get(ARTICLES, {"q": "VPN 809"})) == ["VPN连接失败"]
    assert titles(api(alice).get(ARTICLES, {"q": "无法发送 Outlook"})) == ["Outlook 无法发送邮件"]


def test_a_requester_never_finds_drafts_internal_or_group_articles(api, alice, corpus):
    response = api(alice).get(ARTICLES, {"q": "卡纸"})
    assert sorted(titles(response)) == sorted(["更换硒鼓", "打印机卡纸处理"])
    assert response.json()["count"] == 2
    first = response.json()["results"][0]
    assert "<mark>" in first["snippet"] and first["rank"] is not None
    assert "owner" not in first and "deflections" not in first  # the desk's figures


def test_the_desk_finds_internal_articles_and_its_groups(api, agent1, agent2, corpus):
    assert "打印机卡纸内部排查" in titles(api(agent1).get(ARTICLES, {"q": "卡纸"}))
    assert "卡纸网络打印机" not in titles(api(agent1).get(ARTICLES, {"q": "卡纸"}))
    assert "卡纸网络打印机" in titles(api(agent2).get(ARTICLES, {"q": "卡纸"}))


def test_without_a_query_the_newest_published_come_first(api, alice, corpus):
    listed = titles(api(alice).get(ARTICLES))
    assert listed == ["Outlook 无法发送邮件", "VPN连接失败", "更换硒鼓", "打印机卡纸处理"]


def test_search_results_are_paged(api, alice, corpus):
    first = api(alice).get(ARTICLES, {"q": "卡纸", "page_size": 1}).json()
    assert first["count"] == 2 and len(first["results"]) == 1 and first["next"]
    second = api(alice).get(first["next"]).json()
    assert len(second["results"]) == 1 and second["previous"]
    assert second["results"][0]["title"] != first["results"][0]["title"]


def test_an_agent_creates_an_article_directly_as_published_and_it_is_found(
    api, agent1, alice, django_capture_on_commit_callbacks
):
    body = {
        "title": "密码重置",
        "body": "## 步骤\n\n1. 打开自助门户\n2. 短信验证",
        "keywords": ["密码", "重置"],
        "visibility": "public",
        "status": "published",
        "type": "how_to",
        "category": "account-password",
        "language": "zh-hans",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api(agent1).post(ARTICLES, body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "published" and created["keywords"] == ["密码", "重置"]
    assert created["type"] == "how_to" and created["category"]["code"] == "account-password"
    assert "<h2>步骤</h2>" in created["body_html"] and created["owner"]["username"] == "agent1"
    assert response["Location"].endswith(f"{ARTICLES}{created['id']}/")
    assert titles(api(alice).get(ARTICLES, {"q": "密码重置"})) == ["密码重置"]


def test_a_new_draft_is_not_found_by_requesters(api, agent1, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api(agent1).post(ARTICLES, {"title": "打印机驱动", "body": "安装驱动"}, format="json")
    assert response.json()["status"] == "draft" and response.json()["visibility"] == "internal"
    assert titles(api(alice).get(ARTICLES, {"q": "打印机驱动"})) == []
    assert titles(api(agent1).get(ARTICLES, {"q": "打印机驱动"})) == ["打印机驱动"]


def test_requesters_cannot_write(api, alice, make_article):
    public = make_article()
    hidden = make_article(status="draft")
    created = api(alice).post(ARTICLES, {"title": "t", "body": "b"}, format="json")
    assert created.status_code == 403 and created.json()["code"] == "permission_denied"
    changed = api(alice).patch(f"{ARTICLES}{public.pk}/", {"title": "x"}, format="json")
    assert changed.status_code == 403 and changed.json()["code"] == "permission_denied"
    unseen = api(alice).patch(f"{ARTICLES}{hidden.pk}/", {"title": "x"}, format="json")
    assert unseen.status_code == 404 and unseen.json()["code"] == "not_found"
    assert api(alice).get(f"{ARTICLES}{hidden.pk}/").status_code == 404
    assert Article.objects.get(pk=public.pk).title == "打印机卡纸处理"


def test_patch_changes_text_as_a_new_version_and_moves_status(api, agent1, make_article):
    article = make_article(status="draft")
    url = f"{ARTICLES}{article.pk}/"
    response = api(agent1).patch(
        url, {"body": "新的步骤", "status": "in_review", "version": 1, "note": "改写"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2 and response.json()["status"] == "in_review"
    stale = api(agent1).patch(url, {"title": "x", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    wrong = api(agent1).patch(url, {"status": "archived"}, format="json")
    assert wrong.status_code == 200
    invalid = api(agent1).patch(url, {"status": "published"}, format="json")
    assert invalid.status_code == 409 and invalid.json()["code"] == "invalid_transition"
    bad = api(agent1).patch(url, {"visibility": "secret"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "visibility" in bad.json()["fields"]


def test_versions_list_with_diffs_for_the_desk_only(api, agent1, alice, make_article):
    article = make_article(body="第一步")
    api(agent1).patch(f"{ARTICLES}{article.pk}/", {"body": "第一步\n第二步"}, format="json")
    versions = api(agent1).get(f"{ARTICLES}{article.pk}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert "+第二步" in versions[0]["diff"]
    refused = api(alice).get(f"{ARTICLES}{article.pk}/versions/")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"


def test_votes_one_per_person(api, alice, bob, make_article):
    article = make_article()
    url = f"{ARTICLES}{article.pk}/vote/"
    assert api(alice).post(url, {"helpful": True}, format="json").json() == {
        "helpful": 1,
        "not_helpful": 0,
        "your_vote": True,
    }
    api(bob).post(url, {"helpful": True}, format="json")
    changed = api(alice).post(url, {"helpful": False, "comment": "没有提到E05"}, format="json").json()
    assert (changed["helpful"], changed["not_helpful"]) == (1, 1)
    missing = api(alice).post(url, {"comment": "x"}, format="json")
    assert missing.status_code == 400 and "helpful" in missing.json()["fields"]


def test_a_resolved_ticket_becomes_an_article_and_the_desk_marks_what_solved_tickets(
    api, alice, agent1, service_desk, make_article
):
    ticket = ticket_services.create_ticket(actor=alice, title="VPN 809", description="连不上")
    ticket_services.transition_ticket(ticket=ticket, actor=agent1, to="diagnosing")
    ticket_services.transition_ticket(ticket=ticket, actor=agent1, to="resolved", resolution="换用手机热点")
    created = api(agent1).post(f"{ARTICLES}from-ticket/", {"ticket": ticket.number}, format="json")
    assert created.status_code == 201 and "换用手机热点" in created.json()["body"]
    refused = api(alice).post(f"{ARTICLES}from-ticket/", {"ticket": ticket.number}, format="json")
    assert refused.status_code == 403

    article = make_article(title="VPN连接失败")
    solved = api(agent1).post(f"{ARTICLES}{article.pk}/solved/", {"ticket": ticket.number}, format="json")
    assert solved.status_code == 200 and solved.json()["tickets_solved"] == 1


def test_a_deflection_through_the_api_is_counted(api, alice, agent1, make_article):
    article = make_article()
    response = api(alice).post(f"{ARTICLES}{article.pk}/deflections/", {"query": "打印机卡纸"}, format="json")
    assert response.status_code == 201
    assert api(agent1).get(f"{ARTICLES}{article.pk}/").json()["deflections"] == 1
    assert selectors.deflection_count(agent1) == 1


def test_the_schema_documents_the_kb_endpoints(db):
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/kb/articles/"])
    assert {"get", "patch"} <= set(paths["/api/v1/kb/articles/{id}/"])
    assert "post" in paths["/api/v1/kb/articles/{id}/vote/"]
    assert "get" in paths["/api/v1/kb/articles/{id}/versions/"]
    assert "403" in paths["/api/v1/kb/articles/"]["post"]["responses"]
