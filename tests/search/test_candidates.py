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


def test_a_fairly_common_word_is_found_by_a_wider_window_with_the_same_hits(articles, alice, monkeypatch):
    """PostgreSQL widens the first window when it held many hits, but not enough; the hits are the same."""
    monkeypatch.setattr(backends, "RECENT_WINDOW", 6)
    monkeypatch.setattr(backends, "CANDIDATES", 3)
    monkeypatch.setattr(backends, "WIDER_WINDOW_MIN_HITS", 2)
    for pk in range(1, 21):  # every other article mentions the projector
        body = "投影仪没有信号" if pk % 2 else "显示器闪烁"
        articles.add(pk, f"会议室问题 {pk}", body)
    found = services.search(alice, "投影仪")
    assert found.capped and found.total == 4  # one more than the cap: the newest four matches
    assert sorted(hit.object_id for hit in found.hits) == [13, 15, 17, 19]
    monkeypatch.setattr(backends, "WIDER_WINDOW_MIN_HITS", 10**9)  # straight to the index instead
    again = services.search(alice, "投影仪")
    assert sorted(hit.object_id for hit in again.hits) == [13, 15, 17, 19]
