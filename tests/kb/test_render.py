"""Markdown rendering is sanitised; diffs between versions are plain lines."""

from itdesk.kb.render import diff_lines, diff_text, render_markdown


def test_markdown_becomes_html():
    html = render_markdown("## 步骤\n\n1. 关闭电源\n2. 取出**卡纸**\n\n[帮助](https://help.example.com)")
    assert "<h2>步骤</h2>" in html
    assert "<ol>" in html and "<li>关闭电源</li>" in html
    assert "<strong>卡纸</strong>" in html
    assert 'href="https://help.example.com"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_script_and_dangerous_attributes_never_survive():
    html = render_markdown(
        "<script>alert(1)</script>\n\n"
        '<img src="x.png" onerror="alert(2)">\n\n'
        "[click](javascript:alert(3))\n\n"
        '<a href="data:text/html,hi">data</a> <iframe src="https://evil.example"></iframe>'
        '<p style="color:red" onclick="x()">styled</p>'
    )
    lowered = html.lower()
    for bad in ("<script", "onerror", "javascript:", "data:text", "<iframe", "onclick", "style="):
        assert bad not in lowered
    assert "styled" in html


def test_a_diff_shows_removed_and_added_lines_with_context():
    old = "line 1\nline 2\nold step\nline 4"
    new = "line 1\nline 2\nnew step\nline 4\nextra"
    kinds = [(line.kind, line.text) for line in diff_lines(old, new)]
    assert ("removed", "old step") in kinds
    assert ("added", "new step") in kinds
    assert ("added", "extra") in kinds
    assert ("same", "line 1") in kinds


def test_far_apart_changes_are_separated():
    old = "\n".join(f"line {i}" for i in range(30))
    new = old.replace("line 2\n", "line two\n").replace("line 27", "line twenty-seven")
    kinds = [line.kind for line in diff_lines(old, new)]
    assert "skip" in kinds
    assert kinds.count("same") < 30


def test_unified_diff_text():
    text = diff_text("a\nb", "a\nc")
    assert "-b" in text and "+c" in text
