"""Searching the corpus: ranking, Chinese words, mixed text, exact numbers and codes, English forms."""

import pytest

from itdesk.search import services
from itdesk.tickets import services as ticket_services
from tests.search.helpers import found


def test_the_article_about_the_query_comes_first(corpus, agent1):
    assert found(agent1, "VPN", kinds={"article"}) == [("article", 2), ("article", 3)]
    assert found(agent1, "打印机", kinds={"article"})[0] == ("article", 1)
    assert found(agent1, "printer", kinds={"article"})[0] == ("article", 5)
    assert found(agent1, "printer jam", kinds={"article"})[0] == ("article", 1)


def test_two_character_chinese_words_find_their_documents(corpus, agent1):
    assert ("article", 1) in found(agent1, "卡纸")
    assert ("ticket", corpus["jam"].number) in found(agent1, "卡纸")
    assert found(agent1, "密码", kinds={"article"}) == [("article", 3)]
    assert set(found(agent1, "邮件")) == {("ticket", corpus["outlook"].number), ("article", 4)}


def test_word_order_and_punctuation_do_not_matter(corpus, agent1):
    assert found(agent1, "密码重置", kinds={"article"}) == [("article", 3)]
    assert found(agent1, "失败，连接！VPN", kinds={"article"})[0] == ("article", 2)
    assert (
        set(found(agent1, "打印机，卡纸！！"))
        == set(found(agent1, "打印机卡纸"))
        == {
            ("ticket", corpus["jam"].number),
            ("article", 1),
        }
    )


def test_mixed_chinese_and_english_text(corpus, bob):
    assert set(found(bob, "VPN连接失败")) == {("article", 2), ("ticket", corpus["vpn"].number)}
    assert set(found(bob, "Outlook 无法发送邮件")) == {("ticket", corpus["outlook"].number), ("article", 4)}
    assert set(found(bob, "Outlook 邮件 发件箱")) == {("ticket", corpus["outlook"].number)}
    assert set(found(bob, "无法发送邮件")) == {("ticket", corpus["outlook"].number), ("article", 4)}


def test_ticket_numbers_and_error_codes_match_exactly(corpus, agent1):
    number = corpus["vpn"].number
    assert found(agent1, number) == [("ticket", number)]
    assert found(agent1, number.lower()) == [("ticket", number)]
    assert found(agent1, number[:-1]) == []
    assert found(agent1, "0x80070005") == [("ticket", corpus["jam"].number)]
    assert found(agent1, "0x8007") == []
    assert found(agent1, "809", kinds={"article"}) == [("article", 2)]


def test_english_is_stemmed_and_the_last_word_is_a_prefix(corpus, agent1):
    assert ("article", 5) in found(agent1, "printers")
    assert ("article", 4) in found(agent1, "outl")
    assert ("article", 4) in found(agent1, "sending email")
    assert found(agent1, "passwords forgotten") == [] and found(agent1, "password forgot") == [
        ("ticket", corpus["password"].number)
    ]


def test_hits_carry_a_highlighted_snippet_and_a_link_for_the_caller(corpus, agent1, alice):
    hit = services.search(alice, "0x80070005").hits[0]
    assert hit.snippet == "三楼的打印机一直卡纸，错误代码 <mark>0x80070005</mark>。"
    assert hit.url == f"/portal/{corpus['jam'].number}/"
    assert services.search(agent1, "0x80070005").hits[0].url == f"/desk/{corpus['jam'].number}/"
    article = services.search(alice, "卡纸", kinds={"article"}).hits[0]
    assert article.title_html == "打印机<mark>卡纸</mark>处理"
    assert article.url == "/kb/1/"


def test_html_in_tickets_is_escaped_in_snippets(articles, indexed, alice):
    indexed(
        ticket_services.create_ticket,
        actor=alice,
        title="<img src=x onerror=alert(1)> 显示器",
        description="<script>alert('显示器')</script> 显示器闪烁",
    )
    hit = services.search(alice, "显示器").hits[0]
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "<mark>显示器</mark>" in hit.snippet
    assert hit.title_html.startswith("&lt;img src=x onerror=alert(1)&gt; <mark>显示器</mark>")


def test_results_are_paged_with_the_total(corpus, agent1):
    everything = services.search(agent1, "打印", limit=50)
    first = services.search(agent1, "打印", limit=2)
    second = services.search(agent1, "打印", limit=2, offset=2)
    beyond = services.search(agent1, "打印", limit=2, offset=40)
    assert first.total == second.total == beyond.total == everything.total == len(everything.hits) > 4
    assert [h.object_id for h in first.hits + second.hits] == [h.object_id for h in everything.hits[:4]]
    assert beyond.hits == []


def test_an_empty_query_is_refused_and_punctuation_alone_finds_nothing(corpus, agent1):
    with pytest.raises(services.QueryRequired):
        services.search(agent1, "  ")
    assert services.search(agent1, "，。！").total == 0
