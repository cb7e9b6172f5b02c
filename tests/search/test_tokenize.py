"""The tokenizer and snippets are pure: run with `pytest -p no:django tests/search/test_tokenize.py`."""

from itdesk.search.snippets import highlight, snippet
from itdesk.search.tokenize import Term, parse_query, stem, tokens


def test_chinese_runs_become_overlapping_bigrams():
    assert tokens("打印机卡纸") == ["打印", "印机", "机卡", "卡纸"]


def test_a_single_chinese_character_is_kept():
    assert tokens("打 印") == ["打", "印"]


def test_mixed_text_splits_at_script_changes():
    assert tokens("VPN连接失败") == ["vpn", "连接", "接失", "失败"]
    assert tokens("Outlook 无法发送邮件") == ["outlook", "无法", "法发", "发送", "送邮", "邮件"]


def test_codes_and_numbers_are_kept_whole_and_lowercased():
    assert tokens("单号 IT20240501001，错误 0x80070005") == ["单号", "it20240501001", "错误", "0x80070005"]


def test_punctuation_and_full_width_forms_are_normalised():
    assert tokens("“ＶＰＮ”——连接！") == ["vpn", "连接"]
    assert tokens("ERR_CONNECTION_RESET") == ["err", "connection", "reset"]


def test_english_is_lightly_stemmed_and_stop_words_dropped():
    assert tokens("The printers are printing") == ["printer", "print"]
    assert [stem(w) for w in ["passwords", "resetting", "replies", "failed", "boxes", "status", "use"]] == [
        "password",
        "reset",
        "reply",
        "fail",
        "box",
        "status",
        "use",
    ]


def test_a_query_is_an_and_of_clauses_so_word_order_does_not_matter():
    assert parse_query("密码重置").clauses == parse_query("重置密码").clauses[::-1]
    assert set(parse_query("失败 VPN 连接").clauses) == set(parse_query("VPN连接 失败").clauses)


def test_every_character_of_a_chinese_query_must_be_covered_by_a_bigram():
    query = parse_query("打印机卡纸")
    assert query.clauses == (
        (Term("打印"),),
        (Term("卡纸"),),
        (Term("印机"), Term("机卡")),
    )


def test_the_last_english_word_is_a_prefix_but_codes_are_not():
    assert parse_query("outlook sen").clauses[-1] == (Term("sen", prefix=True),)
    assert parse_query("sen outlook").clauses[0] == (Term("sen"),)
    assert parse_query("0x8007").clauses == ((Term("0x8007"),),)
    assert parse_query("IT2024").clauses == ((Term("it2024"),),)


def test_a_lone_chinese_character_is_a_prefix():
    assert parse_query("打").clauses == ((Term("打", prefix=True),),)


def test_nothing_searchable_is_an_empty_query():
    assert not parse_query("，。！ the of")


def test_snippets_mark_matches_in_the_original_text_and_escape_everything_else():
    text = "<b>注意</b> 三楼打印机卡纸了。Printers on floor 3 are down & jammed."
    html = snippet(text, parse_query("打印机 printer"))
    assert html == (
        "&lt;b&gt;注意&lt;/b&gt; 三楼<mark>打印机</mark>卡纸了。<mark>Printers</mark> on floor 3 are down "
        "&amp; jammed."
    )


def test_long_texts_are_cut_around_the_matches():
    text = "无关内容。" * 100 + "VPN 连接失败" + "其他内容。" * 100
    html = snippet(text, parse_query("vpn"))
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>VPN</mark>" in html
    assert len(html) < 220


def test_titles_are_highlighted_whole():
    assert highlight("重置密码 <guide>", parse_query("密码")) == "重置<mark>密码</mark> &lt;guide&gt;"
