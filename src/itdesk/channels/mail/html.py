"""HTML bodies of e-mail: sanitising with nh3 and turning HTML into plain text, both in linear time.

Pure: no Django. The text conversion first lets nh3 (a real HTML5 parser, in Rust) reduce the input to a
small, well-formed tag set, so the stdlib HTMLParser afterwards never sees the malformed constructs that
make it slow.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import unquote

import nh3

# Tags whose content is dropped with them (not just the tag).
_DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "applet",
    "form",
    "svg",
    "math",
    "template",
    "noscript",
    "noembed",
    "noframes",
    "frameset",
    "frame",
    "title",
    "textarea",
    "select",
    "button",
    "canvas",
    "audio",
    "video",
    "xml",
}
_TAGS = {
    *("a", "abbr", "acronym", "address", "b", "bdi", "bdo", "big", "blockquote", "br", "caption", "center"),
    *(
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
    ),
    *("figure", "font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark"),
    *("ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "summary", "sup"),
    *("table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var", "wbr"),
}
_COMMON = {"title", "dir", "lang", "align", "style"}
_ATTRIBUTES = {
    "*": _COMMON,
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "border"},
    "font": {"color", "face", "size"},
    "table": {"border", "cellpadding", "cellspacing", "width", "bgcolor"},
    "td": {"colspan", "rowspan", "width", "valign", "bgcolor", "nowrap"},
    "th": {"colspan", "rowspan", "width", "valign", "bgcolor", "nowrap", "scope"},
    "tr": {"valign", "bgcolor"},
    "col": {"span", "width"},
    "colgroup": {"span", "width"},
    "ol": {"start", "type"},
    "ul": {"type"},
    "li": {"value"},
    "blockquote": {"type"},
}
# Inline CSS kept: layout and colour only; nothing that loads a URL or escapes the message's box.
_STYLE_PROPERTIES = {
    *("color", "background-color", "font", "font-family", "font-size", "font-style", "font-weight"),
    *("text-align", "text-decoration", "text-indent", "line-height", "white-space", "vertical-align"),
    *("margin", "margin-top", "margin-bottom", "margin-left", "margin-right", "padding", "padding-top"),
    *("padding-bottom", "padding-left", "padding-right", "border", "border-top", "border-bottom"),
    *("border-left", "border-right", "border-color", "border-style", "border-width", "border-collapse"),
    *("width", "height", "max-width", "list-style-type", "display"),
}
# data: is refused (SVG and HTML payloads); cid: stays so the caller can point it at stored attachments.
_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}


_SANITIZER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_DROPPED_WITH_CONTENT,
    attributes=_ATTRIBUTES,
    url_schemes=_URL_SCHEMES,
    url_relative="deny",
    filter_style_properties=_STYLE_PROPERTIES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)
_TEXT_TAGS = {
    *("a", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5", "h6"),
    *("hr", "li", "ol", "p", "pre", "table", "td", "th", "tr", "ul", "img", "address", "center"),
}
# For text: only the structure that becomes line breaks, quotes and list marks, plus links' addresses.
_REDUCER = nh3.Cleaner(
    tags=_TEXT_TAGS,
    clean_content_tags=_DROPPED_WITH_CONTENT,
    attributes={"img": {"alt"}, "a": {"href"}},
    url_schemes={"http", "https"},
    url_relative="deny",
    strip_comments=True,
    link_rel=None,
)


# html5ever (inside nh3) costs O(tags x open elements); a few thousand unclosed <font color=n> take
# seconds. Documents nested deeper than this are not parsed as HTML at all.
MAX_NESTING = 400
_TAG_TOKEN = re.compile(r"<(/?)([a-z][a-z0-9]{0,30})")
# Elements that never nest (void) or that the parser closes by itself when a sibling starts.
_NOT_NESTING = {
    *("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source"),
    *("track", "wbr", "p", "li", "dt", "dd", "td", "th", "tr", "tbody", "thead", "tfoot", "option"),
    *("optgroup", "rt", "rp", "a", "html", "head", "body", "colgroup", "caption"),
}
_ANY_TAG = re.compile(r"<[^<>]*>")


def too_complex(html: str, max_nesting: int = MAX_NESTING) -> bool:
    """Whether `html` nests elements deeper than `max_nesting` (over-estimated, in one linear pass)."""
    depth = 0
    open_names: dict[str, int] = {}
    for closing, name in _TAG_TOKEN.findall(html.lower()):
        if name in _NOT_NESTING:
            continue
        if closing:
            if open_names.get(name):
                open_names[name] -= 1
                depth -= 1
        else:
            open_names[name] = open_names.get(name, 0) + 1
            depth += 1
            if depth > max_nesting:
                return True
    return False


def _stripped_text(html: str) -> str:
    """Text of HTML too complex to parse: tags cut out by a linear regex, entities decoded."""
    text = unescape(_ANY_TAG.sub(" ", html))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def sanitize_html(html: str) -> str:
    """`html` reduced to a safe allowlist: no scripts, styles, frames, forms, handlers or unsafe URLs
    ("" for a document too deeply nested to parse in bounded time)."""
    if not html or too_complex(html):
        return ""
    return sanitize_checked(html)


# html5ever's tree operations for misnested markup, foster-parented table content and long text full of
# character references scan a parent's children or a text node: quadratic in the worst case. HTML larger
# than this is sanitised in independent pieces (each one safe and balanced, so their concatenation is too);
# a table cut in two loses its layout after the cut, not its text.
CHUNK = 32 * 1024
_RAW_TEXT = ("style", "script")


def _chunks(html: str) -> list[str]:
    """`html` cut into pieces of about CHUNK characters, each cut just before a tag and outside
    <style>/<script> content where possible."""
    if len(html) <= CHUNK:
        return [html]
    lowered = html.lower()
    pieces: list[str] = []
    start = 0
    while len(html) - start > CHUNK:
        cut = start + CHUNK
        for name in _RAW_TEXT:
            opened = lowered.rfind(f"<{name}", start, cut)
            if opened != -1 and lowered.rfind(f"</{name}", opened, cut) == -1:
                closed = lowered.find(f"</{name}", cut, cut + 4 * CHUNK)
                if closed != -1:
                    cut = closed  # cut before the closing tag: its piece ends in raw text, dropped whole
        tag = html.find("<", cut, cut + 4096)
        cut = tag if tag > start else cut
        pieces.append(html[start:cut])
        start = cut
    pieces.append(html[start:])
    return pieces


def sanitize_checked(html: str) -> str:
    """sanitize_html for input already known not to be too_complex."""
    return "".join(_SANITIZER.clean(piece) for piece in _chunks(html)).strip()


_BLOCKS = _TEXT_TAGS - {"a", "br", "img", "td", "th"}
_CELL = "\ue000"  # a private-use character marks cell breaks until whitespace is collapsed
_SPACES = re.compile(r"[ \t\r\n\f\v\u00a0\u200b\u3000]+")


# nh3's output is well-formed: text escaped, attribute values double-quoted, no comments or raw text.
# A single linear tokenizer reads it several times faster than html.parser.
_TOKEN = re.compile(r'<(/?)([A-Za-z][A-Za-z0-9]*)([^<>"]*(?:"[^"]*"[^<>"]*)*)>|([^<]+)|<')
_ATTRIBUTE = re.compile(r'([^\s="/]+)(?:="([^"]*)")?')


class _TextBuilder:
    """Collects text from well-formed (nh3-cleaned) HTML, one line per block, quotes as "> "."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.pre_depth = 0
        self.list_depth = 0
        self.link: tuple[str, int] | None = None  # href, and where its text starts in self.current

    def _break(self) -> None:
        line = "".join(self.current)
        self.current = []
        if self.pre_depth == 0:
            line = _SPACES.sub(" ", line).strip().replace(f" {_CELL}", _CELL).replace(_CELL, "\t")
        prefix = "> " * self.quote_depth
        for part in line.split("\n") if self.pre_depth else [line]:
            self.lines.append((prefix + part).rstrip() if part or not prefix else prefix.rstrip())

    def _blank(self) -> None:
        if self.current:
            self._break()
        if self.lines and self.lines[-1].strip("> "):
            self.lines.append("> " * self.quote_depth if self.quote_depth else "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str]]) -> None:
        if tag == "br":
            self._break()
        elif tag in ("p", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table", "ul", "ol"):
            self._blank()
        elif tag in _BLOCKS and self.current:
            self._break()
        if tag == "blockquote":
            self.quote_depth += 1
        elif tag == "pre":
            self.pre_depth += 1
        elif tag in ("ul", "ol"):
            self.list_depth += 1
        elif tag == "li":
            self.current.append("  " * max(self.list_depth - 1, 0) + "- ")
        elif tag in ("td", "th") and self.current:
            self.current.append(_CELL)
        elif tag == "hr":
            self.lines.append("-" * 20)
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.link = (href, len(self.current)) if href.startswith(("http:", "https:")) else None
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            if alt.strip():
                self.current.append(f"[{alt.strip()}]")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.link is not None:
            href, start = self.link
            label = "".join(self.current[start:]).strip()
            if label and href not in label and href.rstrip("/") not in label:
                self.current.append(f" ({href})")  # the reader of the text still gets the address
            self.link = None
        if tag == "blockquote":
            if self.current:
                self._break()
            self.quote_depth = max(self.quote_depth - 1, 0)
            self._blank()
        elif tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre"):
            self._blank()
        elif tag in _BLOCKS and self.current:
            self._break()
        if tag == "pre":
            self.pre_depth = max(self.pre_depth - 1, 0)
        elif tag in ("ul", "ol"):
            self.list_depth = max(self.list_depth - 1, 0)

    def handle_data(self, data: str) -> None:
        self.current.append(data)

    def feed(self, html: str) -> None:
        """Read well-formed HTML (nh3 output)."""
        for match in _TOKEN.finditer(html):
            closing, tag, attributes, data = match.groups()
            if tag:
                tag = tag.lower()
                if closing:
                    self.handle_endtag(tag)
                    continue
                pairs = [
                    (name.lower(), unescape(value or "")) for name, value in _ATTRIBUTE.findall(attributes)
                ]
                self.handle_starttag(tag, pairs)
                if attributes.rstrip().endswith("/"):
                    self.handle_endtag(tag)
            else:
                self.handle_data(unescape(data) if data else "<")

    def text(self) -> str:
        if self.current:
            self._break()
        lines: list[str] = []
        for line in self.lines:
            if not line.strip("> ") and lines and not lines[-1].strip("> "):
                continue  # one blank line between blocks is enough
            lines.append(line)
        return "\n".join(lines).strip("\n")


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body: blocks on their own lines, lists as "- ", quotes as "> "."""
    if not html:
        return ""
    if too_complex(html):
        return _stripped_text(html)
    return text_checked(html)


def text_checked(html: str) -> str:
    """html_to_text for input already known not to be too_complex."""
    reduced = "".join(_REDUCER.clean(piece) for piece in _chunks(html))
    builder = _TextBuilder()
    builder.feed(reduced)
    return builder.text()


_CID_REFERENCE = re.compile(r"""cid:([^"'\s<>)]{1,500})""", re.IGNORECASE)


def cid_references(html: str) -> set[str]:
    """The Content-IDs an HTML body refers to with cid: URLs (lower-cased, without angle brackets)."""
    return {unquote(match).strip("<>").lower() for match in _CID_REFERENCE.findall(html)}
