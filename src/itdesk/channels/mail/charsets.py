"""Tolerant text decoding for e-mail: lying charsets, Chinese encodings, broken RFC 2047 encoded-words.

Pure: no Django. Every function here returns text and never raises on bad input; a `fallback` flag says
when replacement characters had to be used.
"""

from __future__ import annotations

import binascii
import codecs
import re

# Labels that name a subset of a wider encoding real mail uses anyway: decode with the superset.
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "x-euc-cn": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "iso-ir-58": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5",
    "x-big5": "big5",
    "cn-big5": "big5",
    "big5-hkscs": "big5hkscs",
    "cp950": "cp950",
    "us-ascii": "utf-8",  # 8-bit bytes in "ascii" mail are almost always UTF-8 (or GBK: the chain tries it)
    "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8",
    "iso-8859-1": "cp1252",  # what senders labelled latin-1 really use
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}
# Encodings that Python knows but that no mail should make us run on untrusted bytes.
_REFUSED = {
    "unicode_escape",
    "raw_unicode_escape",
    "idna",
    "punycode",
    "undefined",
    "mbcs",
    "oem",
    "charmap",
}
# Retry order when the declared charset is absent, unknown or wrong.
_GUESSES = ("utf-8", "gb18030", "big5", "big5hkscs")
_FALLBACKS = {"big5": ("big5hkscs", "cp950"), "cp950": ("big5hkscs",), "cp1252": ("latin-1",)}


def codec_for(label: str | None) -> str | None:
    """The Python codec to decode text labelled `label` with, or None when the label is unusable."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if not name or len(name) > 40:
        return None
    name = _ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED:
        return None
    return _ALIASES.get(info.name, info.name)


def decode_bytes(data: bytes, charset: str | None = None) -> tuple[str, bool]:
    """`data` as text: the declared charset if it fits, else a guess; (text, fallback) where fallback
    is True when undecodable bytes became U+FFFD."""
    if not data:
        return "", False
    codec = codec_for(charset)
    # Wide and stateful 7-bit encodings look like ASCII or valid UTF-8 but are not: their label wins.
    wide = bool(codec and codec.startswith(("utf-16", "utf-32", "iso2022", "utf-7", "hz")))
    if data.isascii() and not wide:
        return data.decode("ascii"), False
    # Valid UTF-8 beyond ASCII is almost never an accident, whatever the label says; try it first.
    tried: list[str] = [] if not wide else ["utf-8"]
    candidates: tuple[str, ...] = ((codec,) if wide else ("utf-8", codec)) if codec else ("utf-8",)
    if codec in _WESTERN and _looks_chinese(data):
        candidates = ("utf-8", "gb18030", codec)  # misconfigured servers label GBK mail "iso-8859-1"
    for candidate in candidates + _FALLBACKS.get(codec or "", ()) + _GUESSES:
        if candidate in tried:
            continue
        tried.append(candidate)
        try:
            return data.decode(candidate), False
        except (UnicodeDecodeError, LookupError):
            continue
    # Nothing fits: the declared charset (or UTF-8) with replacement characters.
    return data.decode(codec or "utf-8", errors="replace"), True


_WESTERN = {"cp1252", "iso8859-1", "latin-1", "iso8859-15"}
_HIGH_BYTES = re.compile(rb"[\xa1-\xf7][\xa1-\xfe]|[\x80-\xff]")


def _looks_chinese(data: bytes) -> bool:
    """Whether `data` reads as GB2312-range Chinese: its 8-bit bytes (nearly) all come in pairs of two
    bytes >= 0xA1. Western text never does: an accented letter is followed by an ASCII one."""
    tokens = _HIGH_BYTES.findall(data[:16384])
    pairs = sum(1 for token in tokens if len(token) == 2)
    if pairs < 4 or pairs < 0.9 * len(tokens):
        return False
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def b64decode_lenient(data: bytes) -> bytes:
    """Base64 as mail clients really write it: junk characters ignored, padding repaired, and chunks
    that each carry their own padding ("YQ==YWI=") all decoded, not just the first."""
    if b"=" in data.rstrip().rstrip(b"=").rstrip():
        return b"".join(_b64_segment(segment) for segment in _B64_SEGMENT.findall(data))
    try:
        return binascii.a2b_base64(data)  # ignores line breaks and other characters outside the alphabet
    except (binascii.Error, ValueError):
        return _b64_segment(data)


_B64_SEGMENT = re.compile(rb"[^=]+=*")


def _b64_segment(data: bytes) -> bytes:
    cleaned = re.sub(rb"[^A-Za-z0-9+/]", b"", data)
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]
    cleaned += b"=" * (-len(cleaned) % 4)
    try:
        return binascii.a2b_base64(cleaned)
    except (binascii.Error, ValueError):
        return b""


_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([bBqQ])\?([^?]*)(?:\?=|\Z)")
_WS_ONLY = re.compile(r"[ \t\r\n]*\Z")


def decode_words(text: str) -> tuple[str, bool]:
    """Decode RFC 2047 encoded-words in `text` (already str); adjacent words in one charset are joined
    as bytes first, so a character split across two words survives. Returns (text, fallback)."""
    if "=?" not in text:
        return text, False
    out: list[str] = []
    fallback = False
    pending: list[bytes] = []
    pending_charset: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal pending, pending_charset, fallback
        if pending:
            decoded, bad = decode_bytes(b"".join(pending), pending_charset)
            out.append(decoded)
            fallback = fallback or bad
        pending, pending_charset = [], None

    for match in _ENCODED_WORD.finditer(text):
        between = text[pos : match.start()]
        charset = match.group(1).split("*", 1)[0]  # RFC 2231 language suffix: =?utf-8*en?...
        if not (pending and _WS_ONLY.match(between)):
            flush()
            out.append(between)
        elif charset.lower() != (pending_charset or "").lower():
            flush()
        payload = match.group(3).encode("ascii", "ignore")
        if match.group(2) in "bB":
            chunk = b64decode_lenient(payload)
        else:
            chunk = binascii.a2b_qp(payload, header=True)
        pending.append(chunk)
        pending_charset = charset
        pos = match.end()
    flush()
    out.append(text[pos:])
    return "".join(out), fallback


def decode_header_bytes(raw: bytes, hint: str | None = None) -> tuple[str, bool]:
    """A raw header value (maybe 8-bit GBK/Big5/UTF-8, maybe encoded-words) as text; `hint` is the
    charset the message's text is in, the likeliest one for raw 8-bit headers. Returns (text, fallback)."""
    text, bad_raw = decode_bytes(raw, hint)
    decoded, bad_words = decode_words(text)
    return decoded, bad_raw or bad_words
