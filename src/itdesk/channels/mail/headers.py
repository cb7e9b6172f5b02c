"""Header fields of a message or MIME part, read from raw bytes without trusting their shape.

Pure: no Django. Values stay bytes until asked for (8-bit GBK or UTF-8 headers are common in Chinese mail),
and every value is capped so a megabyte-long header costs nothing later.
"""

from __future__ import annotations

import re
from email.message import Message

from itdesk.channels.mail.charsets import decode_bytes, decode_header_bytes, decode_words

_MAX_VALUE = 64 * 1024
_MAX_FIELDS = 2000
_MAX_PARAM_HEADER = 4096
_FIELD_NAME = re.compile(rb"[!-9;-~]{1,100}")
_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]{1,60}/[a-z0-9!#$&^_.+-]{1,100}")


class RawHeaders:
    """The header fields of one entity, in order, names lower-cased, values raw (unfolded) bytes."""

    def __init__(self) -> None:
        self.fields: list[tuple[str, bytes]] = []
        self.warnings: list[str] = []
        self.parsed_params: dict[str, Message] = {}
        self.charset_hint: str | None = None  # for raw 8-bit values: the charset of the message's text

    def __bool__(self) -> bool:
        return bool(self.fields)

    def first(self, name: str, default: bytes | None = None) -> bytes | None:
        """The first value of field `name` (lower-case), or `default`."""
        for key, value in self.fields:
            if key == name:
                return value
        return default

    def all(self, name: str) -> list[bytes]:
        """Every value of field `name` (lower-case), in order."""
        return [value for key, value in self.fields if key == name]

    def text(self, name: str) -> str:
        """The first value of `name` decoded to text (encoded-words too), "" when absent."""
        value = self.first(name)
        return decode_header_bytes(value, self.charset_hint)[0].strip() if value else ""


def split_head(
    data: bytes, *, start: int = 0, end: int | None = None, top_level: bool = False
) -> tuple[RawHeaders, int]:
    """Split the entity data[start:end] into its header fields and the offset where its body starts;
    tolerant of a missing blank line, bare LF line ends, an mbox "From " line and garbage (which ends
    the header). Offsets instead of slices: nested parts never copy the message."""
    headers = RawHeaders()
    pending: list[tuple[str, list[bytes]]] = []
    pos, size = start, len(data) if end is None else end
    if top_level and data.startswith(b"From ", pos):
        newline = data.find(b"\n", pos, size)
        pos = size if newline == -1 else newline + 1
    current: list[bytes] | None = None
    current_length = 0
    while pos < size:
        newline = data.find(b"\n", pos, size)
        line_end, following = (size, size) if newline == -1 else (newline, newline + 1)
        if line_end - pos > _MAX_VALUE:
            headers.warnings.append("header_truncated")
        line = data[pos : min(line_end, pos + _MAX_VALUE)].rstrip(b"\r")
        if not line.strip(b" \t"):
            pos = following
            break
        if line[:1] in (b" ", b"\t"):
            if current is not None and current_length < _MAX_VALUE:
                current.append(line)
                current_length += len(line)
            pos = following
            continue
        colon = line.find(b":", 0, 101)
        name = line[:colon].rstrip(b" \t") if colon > 0 else b""
        if not _FIELD_NAME.fullmatch(name):
            if pending:
                headers.warnings.append("missing_header_separator")
            break  # not a header field: the body starts here
        if len(pending) >= _MAX_FIELDS:
            current = None
            headers.warnings.append("too_many_headers")
        else:
            current = [line[colon + 1 :]]
            current_length = len(current[0])
            pending.append((name.decode("ascii").lower(), current))
        pos = following
    for field_name, chunks in pending:
        value = b" ".join(chunk.strip(b" \t") for chunk in chunks)[:_MAX_VALUE]
        headers.fields.append((field_name, value.strip()))
    headers.warnings = list(dict.fromkeys(headers.warnings))
    return headers, pos


def _params_message(headers: RawHeaders, header: str) -> Message:
    """A compat32 Message holding just `header`, decoded to text, for the stdlib's parameter parser."""
    message = headers.parsed_params.get(header)
    if message is None:
        value = headers.first(header) or b""
        text, _ = decode_bytes(value[:_MAX_PARAM_HEADER], headers.charset_hint)
        message = headers.parsed_params[header] = Message()
        message[header] = text
    return message


def param(headers: RawHeaders, header: str, name: str) -> str:
    """Parameter `name` of `header` (e.g. filename of content-disposition), decoded: RFC 2231 with its
    charset and continuations, RFC 2047 encoded-words inside quotes, raw 8-bit; "" when absent."""
    if headers.first(header) is None:
        return ""
    try:
        value = _params_message(headers, header).get_param(name, header=header)
    except (ValueError, IndexError, TypeError, LookupError):
        return ""
    if value is None:
        return ""
    if isinstance(value, tuple):
        charset, _language, encoded = value
        try:
            raw = encoded.encode("latin-1")
        except UnicodeEncodeError:
            text = encoded
        else:
            text = decode_bytes(raw, charset or None)[0]
    else:
        text = value
    return decode_words(text)[0].strip()


def content_type_of(headers: RawHeaders, default: str = "text/plain") -> str:
    """The lower-cased type/subtype of Content-Type, or `default` when absent or invalid."""
    value = headers.first("content-type")
    if not value:
        return default
    head = value[:300].split(b";", 1)[0].strip().decode("ascii", "replace").lower().strip("\"'")
    head = "".join(head.split())
    return head if _TYPE.fullmatch(head) else default


def disposition_of(headers: RawHeaders) -> str:
    """ "attachment", "inline" or "" from Content-Disposition."""
    value = headers.first("content-disposition")
    if not value:
        return ""
    head = value[:100].split(b";", 1)[0].strip().decode("ascii", "replace").lower()
    if head.startswith("attachment"):
        return "attachment"
    if head.startswith("inline"):
        return "inline"
    return "attachment" if b"filename" in value[:_MAX_PARAM_HEADER].lower() else ""
