"""Article text for people: Markdown rendered to sanitised HTML, and line diffs between versions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

# What an article may contain once rendered: text structure, links, images, code and tables. No
# script, style, iframe, form or event attribute survives, whatever the Markdown (or raw HTML in it) says.
ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del",
        "ins", "mark", "sub", "sup", "small", "blockquote", "code", "pre", "kbd", "ul", "ol", "li", "dl",
        "dt", "dd", "a", "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "abbr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "abbr": {"title"},
    "ol": {"start"},
    "code": {"class"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def render_markdown(text: str) -> SafeString:
    """The Markdown `text` as HTML that is safe to put in a page."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 removed everything outside the allowlist


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: `kind` is "added", "removed", "same" or "skip" (unchanged lines left out)."""

    kind: str
    text: str


def diff_lines(old: str, new: str, *, context: int = 3) -> list[DiffLine]:
    """The changes from `old` to `new` line by line, with `context` unchanged lines around each change.

    The lines are plain text: templates escape them, so a diff of hostile Markdown shows it, inertly.
    """
    old_lines = (old or "").splitlines()
    new_lines = (new or "").splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    lines: list[DiffLine] = []
    for group in matcher.get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("skip", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine("same", line) for line in old_lines[i1:i2])
                continue
            if tag in {"replace", "delete"}:
                lines.extend(DiffLine("removed", line) for line in old_lines[i1:i2])
            if tag in {"replace", "insert"}:
                lines.extend(DiffLine("added", line) for line in new_lines[j1:j2])
    return lines


def diff_text(old: str, new: str) -> str:
    """A unified diff of two texts, for the API and the command line."""
    return "\n".join(
        difflib.unified_diff(
            (old or "").splitlines(), (new or "").splitlines(), "before", "after", lineterm=""
        )
    )
