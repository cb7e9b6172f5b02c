"""Common words: only the newest matches are ranked, found window by window; rare words are still found."""

from itdesk.search import backends, services


def test_a_common_word_ranks_the_newest_matches_and_a_rare_one_is_found_anywhere(
    articles, alice, monkeypatch
):
    monkeypatch.setattr(backends, "RECENT_WINDOW", 4)  # PostgreSQL: walk the newest 4, then the index
    monkeypatch.setattr(backends, "CANDIDATES", 2)
    articles.add(1, "硒鼓更换", "打印机卡纸")
    for pk in range(2, 15):
        articles.add(pk, f"打印机卡纸 {pk}", "打开前盖取出卡纸")
    common = services.search(alice, "卡纸")
    assert common.capped and common.total == 3  # one more than the cap: the newest three
    assert sorted(hit.object_id for hit in common.hits) == [12, 13, 14]
    rare = services.search(alice, "硒鼓")  # only in the oldest document, past every window
    assert not rare.capped and [hit.object_id for hit in rare.hits] == [1]
    few = services.search(alice, "硒鼓 卡纸")
    assert not few.capped and [hit.object_id for hit in few.hits] == [1]
