"""The MIME tree of a message, walked with our own linear boundary scanner under hard limits.

Pure: no Django. The stdlib parser nests one generator per multipart level (slow and recursion-prone on
hostile input), so parts are split here with one regex pass per level and checked against max_parts and
max_depth before anything is decoded. message/rfc822 parts are kept whole (as .eml attachments).
"""

from __future__ import annotations

import binascii
import mimetypes
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from itdesk.channels.mail.charsets import b64decode_lenient, decode_bytes
from itdesk.channels.mail.headers import RawHeaders, content_type_of, disposition_of, param, split_head


class MimeLimitExceeded(Exception):
    """A structural limit was hit; `code` is "too_many_parts" or "too_deep"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class _Limits(Protocol):
    @property
    def max_parts(self) -> int: ...

    @property
    def max_depth(self) -> int: ...


_BODY_TYPES = ("text/plain", "text/html")
# Alternatives nobody reads in a desk (Apple Watch, Gmail AMP, enriched text): dropped, not attachments.
_KEPT_IN_ALTERNATIVE = ("text/plain", "text/html", "text/calendar")
_GUESS_BOUNDARY = re.compile(rb"^--([!-~][ !-~]{0,199}?)[ \t]{0,20}\r?$", re.MULTILINE)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_:.-]{1,40})""", re.IGNORECASE)
_CID_JUNK = re.compile(r"[^!#-&(-;=?-~]")  # drops space, control characters, quotes, "<" and ">"
_MIME_TYPES = mimetypes.MimeTypes(filenames=())  # the built-in table only: same answers on every host
for _type, _extension in (
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"),
    ("application/vnd.ms-outlook", ".msg"),
    ("application/x-7z-compressed", ".7z"),
    ("application/vnd.rar", ".rar"),
    ("application/vnd.ms-excel", ".xls"),
    ("message/rfc822", ".eml"),
    ("text/plain", ".log"),
):
    _MIME_TYPES.add_type(_type, _extension)
_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/jpg": ".jpg",
    "image/pjpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/svg+xml": ".svg",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "text/csv": ".csv",
    "text/rfc822-headers": ".txt",
    "message/rfc822": ".eml",
    "message/delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/ms-tnef": ".dat",
}


@dataclass
class Leaf:
    """One non-multipart entity: a body candidate or an attachment."""

    headers: RawHeaders
    data: bytes  # the whole message; the body is data[start:end], still transfer-encoded
    start: int
    end: int
    content_type: str
    parent_type: str

    @property
    def body(self) -> bytes:
        return self.data[self.start : self.end]

    @property
    def disposition(self) -> str:
        return disposition_of(self.headers)

    @property
    def raw_filename(self) -> str:
        return param(self.headers, "content-disposition", "filename") or param(
            self.headers, "content-type", "name"
        )

    @property
    def is_body(self) -> bool:
        """Text meant to be read as the message itself (not a file attached to it)."""
        return self.content_type in _BODY_TYPES and self.disposition != "attachment" and not self.raw_filename

    @property
    def content_id(self) -> str:
        value = (self.headers.first("content-id") or b"")[:500].decode("ascii", "replace")
        return _CID_JUNK.sub("", value)  # printable ASCII only: callers put it into URLs and markup

    def payload(self) -> bytes:
        """The body with its Content-Transfer-Encoding undone (leniently)."""
        encoding = (self.headers.first("content-transfer-encoding") or b"").strip().lower()
        body = self.body
        if encoding == b"base64":
            return b64decode_lenient(body)
        if encoding == b"quoted-printable":
            return binascii.a2b_qp(body)
        return body

    def text(self) -> tuple[str, bool]:
        """The body as text in its (declared, sniffed or guessed) charset; (text, fallback)."""
        data = self.payload()
        charset = param(self.headers, "content-type", "charset") or None
        if charset is None and self.content_type == "text/html":
            match = _META_CHARSET.search(data[:4096])
            charset = match.group(1).decode("ascii") if match else None
        text, bad = decode_bytes(data, charset)
        if (
            self.content_type == "text/plain"
            and param(self.headers, "content-type", "format").lower() == "flowed"
        ):
            text = _unflow(text, delsp=param(self.headers, "content-type", "delsp").lower() == "yes")
        return text, bad

    def filename(self, *, index: int, inline: bool) -> str:
        """A safe, never empty file name: the sender's (decoded, no directories) or a made-up one."""
        name = safe_filename(self.raw_filename)
        if name:
            return name
        extension = (
            _EXTENSIONS.get(self.content_type) or _MIME_TYPES.guess_extension(self.content_type) or ".bin"
        )
        if self.content_type == "message/rfc822":
            inner, _ = split_head(self.payload()[:65536])
            subject = safe_filename(inner.text("subject"))[:100]
            return f"{subject}.eml" if subject else f"message-{index}.eml"
        if inline and self.content_type.startswith("image/"):
            return f"image-{index}{extension}"
        return f"attachment-{index}{extension}"

    def attachment_type(self, filename: str) -> str:
        """The declared type, or one guessed from the file name when the sender said octet-stream."""
        if self.content_type in ("application/octet-stream", "application/x-download", "text/plain-text"):
            guessed, _ = _MIME_TYPES.guess_type(filename, strict=False)
            if guessed:
                return guessed
        return self.content_type


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_RESERVED_NAME = re.compile(r'[<>:"|?*]')


def safe_filename(name: str, max_length: int = 200) -> str:
    """`name` without directories, control or bidi characters and reserved punctuation, at most
    `max_length` characters (extension kept); "" when nothing usable is left."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _RESERVED_NAME.sub("_", _UNSAFE_NAME.sub("", name))
    name = " ".join(name.split()).lstrip(". ").rstrip(". ")
    if not name or set(name) <= {".", "_", " "}:
        return ""
    if len(name) > max_length:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16 and stem:
            name = stem[: max_length - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:max_length]
    return name


def _unflow(text: str, *, delsp: bool) -> str:
    """Join RFC 3676 format=flowed soft line breaks."""
    out: list[str] = []
    buffer: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip("\r")
        if line.startswith(" "):
            line = line[1:]  # space-stuffing
        if line.endswith(" ") and line != "-- ":
            buffer.append(line[:-1] if delsp else line)
            continue
        buffer.append(line)
        out.append("".join(buffer))
        buffer = []
    if buffer:
        out.append("".join(buffer))
    return "\n".join(out)


_LINE_END = re.compile(rb"[ \t]*(?:\r?\n|\Z)")


def _find_delimiter(data: bytes, marker: bytes, start: int, end: int) -> tuple[int, int, bool] | None:
    """The next "--boundary" line in data[start:end]: (line start, next line start, is closing).
    bytes.find per candidate, so linear in the body whatever it holds."""
    region = start
    while True:
        found = data.find(marker, start, end)
        if found == -1:
            return None
        if found == region or data[found - 1] == 0x0A:
            after = found + len(marker)
            closing = data.startswith(b"--", after, end)
            line_end = _LINE_END.match(data, after + 2 if closing else after, end)
            if line_end is not None:
                return found, line_end.end(), closing
        start = found + 1


def _parts(data: bytes, start: int, end: int, boundary: str) -> Iterator[tuple[int, int]] | None:
    """The (start, end) offsets of the parts of a multipart body, lazily; None when the boundary never
    occurs (and none can be guessed from a "--something" line)."""
    if boundary:
        marker = b"--" + boundary.encode("utf-8", "replace")[:500]
        first = _find_delimiter(data, marker, start, end)
        if first is not None:
            return _iter_parts(data, marker, first, end)
    guess = _GUESS_BOUNDARY.search(data, start, min(end, start + 65536))
    if guess:
        guessed = guess.group(1)
        marker = b"--" + (guessed[:-2] if guessed.endswith(b"--") else guessed)
        first = _find_delimiter(data, marker, start, end)
        if first is not None:
            return _iter_parts(data, marker, first, end)
    return None


def _iter_parts(
    data: bytes, marker: bytes, first: tuple[int, int, bool], end: int
) -> Iterator[tuple[int, int]]:
    _, start, closing = first
    while not closing:
        found = _find_delimiter(data, marker, start, end)
        part_end = found[0] if found else end
        if part_end > start and data[part_end - 1] == 0x0A:  # the line break belongs to the delimiter
            part_end -= 2 if part_end - 1 > start and data[part_end - 2] == 0x0D else 1
        yield start, part_end
        if found is None:
            return
        _, start, closing = found


def walk(
    data: bytes, headers: RawHeaders, body_start: int, *, limits: _Limits, warnings: list[str]
) -> list[Leaf]:
    """The leaves of the MIME tree in document order; raises MimeLimitExceeded past the limits."""
    leaves: list[Leaf] = []
    count = [0]
    _walk(data, headers, body_start, len(data), depth=0, default="text/plain", parent="", leaves=leaves,
          count=count, limits=limits, warnings=warnings)  # fmt: skip
    return leaves


def _walk(
    data: bytes,
    headers: RawHeaders,
    start: int,
    end: int,
    *,
    depth: int,
    default: str,
    parent: str,
    leaves: list[Leaf],
    count: list[int],
    limits: _Limits,
    warnings: list[str],
) -> None:
    count[0] += 1
    if count[0] > limits.max_parts:
        raise MimeLimitExceeded("too_many_parts")
    if depth > limits.max_depth:
        raise MimeLimitExceeded("too_deep")
    content_type = content_type_of(headers, default)
    if content_type.startswith("multipart/"):
        parts = _parts(data, start, end, param(headers, "content-type", "boundary"))
        if parts is not None:
            child_default = "message/rfc822" if content_type == "multipart/digest" else "text/plain"
            for part_start, part_end in parts:
                child_headers, child_start = split_head(data, start=part_start, end=part_end)
                warnings.extend(child_headers.warnings)
                _walk(data, child_headers, child_start, part_end, depth=depth + 1, default=child_default,
                      parent=content_type, leaves=leaves, count=count, limits=limits,
                      warnings=warnings)  # fmt: skip
            return
        warnings.append("missing_boundary")
        content_type = "text/plain"  # what the sender meant is unknowable: show the raw text
    if parent == "multipart/alternative" and content_type not in _KEPT_IN_ALTERNATIVE:
        return
    leaves.append(Leaf(headers, data, start, end, content_type, parent))
