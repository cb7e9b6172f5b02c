"""Suggestions while a request is typed: search first, then keywords found in a whole sentence."""

import pytest

from itdesk.kb import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(make_article, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return {
            "jam": make_article(title="打印机卡纸处理", body="取出卡纸", keywords=["打印机", "卡纸", "E05"]),
            "vpn": make_article(title="VPN连接失败", body="错误 809", keywords=["VPN", "809"]),
            "internal": make_article(
                title="打印机卡纸内部", body="卡纸", keywords=["卡纸"], visibility="internal"
            ),
        }


def titles(articles):
    return [a.title for a in articles]


def test_the_title_finds_the_article(alice, shelf):
    assert titles(selectors.suggest_articles(alice, ["打印机卡纸", ""])) == ["打印机卡纸处理"]


def test_a_whole_sentence_finds_it_by_its_keywords(alice, shelf):
    found = selectors.suggest_articles(alice, ["三楼的打印机卡纸了", "早上开始一直报错"])
    assert titles(found) == ["打印机卡纸处理"]
    assert titles(selectors.suggest_articles(alice, ["", "在家连不上vpn，提示809"])) == ["VPN连接失败"]


def test_the_desk_is_offered_public_articles_only_too(agent1, shelf):
    assert "打印机卡纸内部" not in titles(selectors.suggest_articles(agent1, ["打印机卡纸", ""]))


def test_nothing_typed_nothing_suggested(alice, shelf):
    assert selectors.suggest_articles(alice, ["", "  "]) == []
    assert selectors.suggest_articles(alice, ["咖啡机坏了", ""]) == []
