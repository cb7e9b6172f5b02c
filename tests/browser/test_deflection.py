"""Deflection in a real browser: an article answers alice's request while she types it, so no ticket is made."""

import pytest
from playwright.sync_api import expect

from itdesk.kb import selectors
from itdesk.kb import services as kb_services
from itdesk.kb.models import Deflection
from itdesk.tickets.models import Ticket
from tests.browser.test_standard_process import browser, shots, sign_in  # noqa: F401 - shared fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_finds_the_paper_jam_article_while_typing_and_needs_no_ticket(
    browser,  # noqa: F811
    live_server,
    alice,
    agent1,
    service_desk,
    shots,  # noqa: F811
):
    jam = kb_services.create_article(
        actor=agent1,
        title="打印机卡纸处理",
        body="1. 关闭打印机电源。\n2. 打开前盖，**顺着走纸方向**取出卡纸。\n3. 重新开机，打印测试页。",
        keywords=["打印机", "卡纸", "E05"],
        status="published",
        visibility="public",
    )
    kb_services.create_article(
        actor=agent1,
        title="VPN连接失败",
        body="错误 809：换用手机热点。",
        status="published",
        visibility="public",
    )
    kb_services.create_article(
        actor=agent1, title="打印机卡纸内部排查", body="卡纸", status="published", visibility="internal"
    )

    portal = sign_in(browser, live_server, "alice")
    portal.goto(f"{live_server.url}/portal/new/")
    portal.get_by_label("Title").press_sequentially("打印机卡纸", delay=40)

    suggestion = portal.locator(".kb-suggestion", has_text="打印机卡纸处理")
    expect(suggestion).to_be_visible()
    expect(portal.locator("#kb-suggestions")).not_to_contain_text("VPN连接失败")
    expect(portal.locator("#kb-suggestions")).not_to_contain_text("内部排查")
    shots(portal, "portal-deflection-suggestions")

    suggestion.get_by_role("button", name="This solved my problem").click()
    expect(portal.get_by_role("heading", level=1)).to_have_text("Glad it is solved")
    expect(portal.locator("body")).to_contain_text("no request was submitted")
    shots(portal, "portal-deflection-thanks")

    assert Ticket.objects.count() == 0
    [deflection] = Deflection.objects.all()
    assert deflection.user == alice and deflection.article == jam and deflection.solved
    assert "打印机卡纸" in deflection.query
    assert selectors.get_article(agent1, jam.pk).deflection_count == 1

    # The desk sees it counted on the article.
    desk = sign_in(browser, live_server, "agent1")
    desk.goto(f"{live_server.url}/desk/kb/{jam.pk}/")
    expect(desk.locator("#kb-deflections")).to_have_text("1")
    shots(desk, "desk-kb-article")
