"""Highlighted snippets cut from the original text (pure, no Django): safe HTML with <mark>."""

from __future__ import annotations

import html
import re

from itdesk.search.tokenize import Query, highlight_spans

SNIPPET_CHARS = 160
_SPACE = re.compile(r"\s+")


def _window(spans: list[tuple[int, int]], length: int, size: int) -> tuple[int, int]:
    """The stretch of `size` characters holding the most matches, starting a little before the first."""
    if not spans:
        return 0, min(length, size)
    best_start, best_count = 0, -1
    for anchor, _end in spans:
        start = max(0, anchor - size // 4)
        count = sum(1 for s, e in spans if s >= start and e <= start + size)
        if count > best_count:
            best_start, best_count = start, count
    return best_start, min(length, best_start + size)


def mark(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> str:
    """`text[start:end]` HTML-escaped, with the spans inside it wrapped in <mark>."""
    end = len(text) if end is None else end
    out = []
    position = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        out.append(html.escape(text[position:span_start]))
        out.append("<mark>" + html.escape(text[span_start:span_end]) + "</mark>")
        position = span_end
    out.append(html.escape(text[position:end]))
    return _SPACE.sub(" ", "".join(out)).strip()


def snippet(text: str, query: Query, size: int = SNIPPET_CHARS) -> str:
    """A short passage of `text` around the query's matches, as safe HTML."""
    spans = highlight_spans(text, query)
    start, end = _window(spans, len(text), size)
    body = mark(text, spans, start, end)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def highlight(text: str, query: Query) -> str:
    """All of `text` (a title) as safe HTML with the query's matches marked."""
    return mark(text, highlight_spans(text, query))
