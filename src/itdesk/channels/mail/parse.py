"""Turn raw RFC 5322 bytes into a ParsedMessage: headers decoded, bodies chosen, attachments extracted.

Pure: no Django. Built for hostile input: the MIME tree is split by our own linear boundary scanner with
limits on size, parts and depth, every charset problem degrades to replacement characters with a
warning, and parse_message raises nothing but UnparseableMessage.
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from itdesk.channels.mail.charsets import codec_for, decode_bytes, decode_header_bytes
from itdesk.channels.mail.headers import RawHeaders, content_type_of, param, split_head
from itdesk.channels.mail.html import (
    cid_references,
    html_to_text,
    sanitize_checked,
    sanitize_html,
    text_checked,
    too_complex,
)
from itdesk.channels.mail.mime import Leaf, MimeLimitExceeded, walk
from itdesk.channels.mail.quotes import trim_quoted
from itdesk.channels.mail.subjects import strip_reply_prefixes, subject_ticket_numbers

__all__ = [
    "Limits",
    "ParsedAttachment",
    "ParsedMessage",
    "UnparseableMessage",
    "html_to_text",
    "parse_message",
    "sanitize_html",
    "strip_reply_prefixes",
    "subject_ticket_numbers",
    "trim_quoted",
]

ERROR_CODES = frozenset({"too_large", "too_many_parts", "too_deep", "no_sender", "malformed", "empty"})


@dataclass(frozen=True)
class Limits:
    """Bounds on what one message may cost to parse."""

    max_message_bytes: int = 25 * 1024 * 1024
    max_parts: int = 200
    max_depth: int = 20
    max_attachments: int = 50
    max_attachment_bytes: int = 20 * 1024 * 1024
    max_text_chars: int = 200_000


@dataclass(frozen=True)
class ParsedAttachment:
    """One attachment (or inline image) of a message, decoded."""

    filename: str
    content_type: str
    content: bytes
    inline: bool
    content_id: str


@dataclass(frozen=True)
class ParsedMessage:
    """Everything intake needs from one e-mail; see docs/mail.md ("Parsing")."""

    message_id: str
    in_reply_to: list[str]
    references: list[str]
    from_address: str
    from_name: str
    reply_to: str
    to: list[str]
    cc: list[str]
    subject: str
    date: datetime | None
    text: str
    html: str
    reply_text: str
    attachments: list[ParsedAttachment]
    auto_reason: str
    size: int
    warnings: list[str] = field(default_factory=list)


class UnparseableMessage(Exception):  # noqa: N818 - the name is the contract
    """The message cannot be parsed; `code` says why (one of ERROR_CODES)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail

    def __reduce__(self) -> tuple[type[UnparseableMessage], tuple[str, str]]:
        return (UnparseableMessage, (self.code, self.detail))  # survives pickling (task queues)


# -- addresses and ids -----------------------------------------------------------------------------------

_ADDR = re.compile(r"[^@\s<>(),;:\"\[\]\\]{1,64}@[^@\s<>(),;:\"\[\]\\]{1,253}")
_MSGID = re.compile(r"<([^<>\s]{1,995})>")
_BARE_MSGID = re.compile(r"[^<>\s@]{1,500}@[^<>\s@]{1,495}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_ADDRESSES = 500
# Bounces from some servers come from a bare "<MAILER-DAEMON>": accepted so they can be told apart.
_DAEMONS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "maildaemon"})
_MAX_REFERENCES = 100
_DAEMON_NAME = re.compile(r"mailer[- _]?daemon|postmaster|mail delivery (?:system|subsystem)", re.IGNORECASE)


def _addresses(headers: RawHeaders, name: str, warnings: list[str]) -> list[tuple[str, str]]:
    """(display name, lower-cased address) pairs from every `name` header, de-duplicated, in order."""
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for raw in headers.all(name):
        text, bad = decode_bytes(raw[:16384], headers.charset_hint)
        if bad:
            warnings.append("charset_fallback")
        try:
            pairs = email.utils.getaddresses([text])
        except Exception:  # noqa: BLE001 - stdlib address parsing has raised on odd input before
            pairs = []
        for display, address in pairs:
            address = address.strip().lower()
            if not _ADDR.fullmatch(address) and address not in _DAEMONS:
                match = _ADDR.search(display or "")
                if match is None:
                    continue
                address, display = match.group(0).lower(), ""
            if address in seen:
                continue
            seen.add(address)
            decoded_name, bad = decode_header_bytes(display.encode("utf-8", "replace"), "utf-8")
            if bad:
                warnings.append("charset_fallback")
            found.append((_one_line(decoded_name).strip("\"' "), address))
            if len(found) >= _MAX_ADDRESSES:
                return found
    return found


_ANGLE_ADDR = re.compile(r"<\s*([^<>\s@]{1,64}@[^<>\s@]{1,253})\s*>")


def _sender(headers: RawHeaders, name: str, warnings: list[str]) -> tuple[str, str] | None:
    """The one mailbox of From/Sender. One "<address>" in the field wins over the stdlib's reading,
    which older Pythons get wrong for crafted fields like "a@x.org)<b@y.org>" (CVE-2023-27043)."""
    found = _addresses(headers, name, warnings)
    raw = headers.first(name)
    if raw is not None:
        angled = _ANGLE_ADDR.findall(decode_bytes(raw[:16384], headers.charset_hint)[0])
        if len(angled) == 1 and (not found or found[0][1] != angled[0].lower()):
            return ("", angled[0].lower())
    return found[0] if found else None


def _message_ids(raw: bytes | None, limit: int = _MAX_REFERENCES) -> list[str]:
    """The Message-IDs in a header value as "<id>", de-duplicated; the last `limit` of them."""
    if not raw:
        return []
    text = raw.decode("ascii", "replace")
    ids = [f"<{value}>" for value in _MSGID.findall(text)]
    if not ids:  # no angle brackets: whitespace-separated bare ids
        ids = [f"<{token}>" for token in text.split() if _BARE_MSGID.fullmatch(token)]
    unique = list(dict.fromkeys(ids))
    return unique[-limit:]


def _one_line(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def _date(raw: bytes | None) -> datetime | None:
    if not raw:
        return None
    try:
        value = email.utils.parsedate_to_datetime(raw[:200].decode("ascii", "replace").strip())
    except Exception:  # noqa: BLE001 - a date we cannot read is no date, not an unreadable message
        return None
    if value is None:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# -- automatic mail -----------------------------------------------------------------------------------------

_AUTO_REPLY_HEADERS = ("x-autoreply", "x-autorespond", "x-auto-reply", "auto-reply", "x-autogenerated")
_AUTO_SUBJECT = re.compile(
    r"(?:(?:自动回复|自動回覆|自动答复|Automatic reply|Auto[- ]?reply|Auto[- ]?response|Out of (?:the )?Office"
    r"(?: Auto[- ]?Reply)?|Undeliverable|Undelivered Mail|退信)\s?[:：]"
    r"|Delivery Status Notification|Mail delivery failed|系统退信|邮件投递失败)",
    re.IGNORECASE,
)


def _charset_hint(headers: RawHeaders, leaves: list[Leaf]) -> str | None:
    """The charset the message's own text declares (top level, else its first text part), if any."""
    texts = (leaf.headers for leaf in leaves if leaf.content_type in ("text/plain", "text/html"))
    for candidate in (headers, *texts):
        charset = codec_for(param(candidate, "content-type", "charset"))
        if charset and not charset.startswith(("utf-16", "utf-32", "iso2022", "utf-7", "hz")):
            return charset  # (wide and 7-bit stateful encodings never appear raw in a header)
    return None


def _auto_reason(headers: RawHeaders, from_address: str, subject: str) -> str:
    """A stable code when the message was sent by a machine (auto-reply, bounce, list), else ""."""
    if content_type_of(headers) in ("multipart/report", "message/delivery-status"):
        return "bounce"
    local = from_address.partition("@")[0]
    if local in _DAEMONS:
        return "mailer-daemon"
    auto_submitted = headers.text("auto-submitted").strip().lower()
    if auto_submitted and not auto_submitted.startswith("no"):
        return "auto-submitted"
    if any(headers.first(name) is not None for name in _AUTO_REPLY_HEADERS):
        return "auto-reply-header"
    suppress = headers.text("x-auto-response-suppress").lower()
    if any(word in suppress for word in ("all", "oof", "autoreply")):
        return "auto-reply-header"
    if headers.first("return-path") is not None and headers.text("return-path").strip() in ("<>", ""):
        return "bounce"
    precedence = headers.text("precedence").strip().lower()
    if precedence in ("bulk", "junk"):
        return "precedence-bulk"
    if precedence == "list":
        has_list_headers = (
            headers.first("list-id") is not None or headers.first("list-unsubscribe") is not None
        )
        return "list" if has_list_headers else "precedence-bulk"
    if _AUTO_SUBJECT.match(subject):
        return "auto-reply-subject"
    return ""


# -- the message ------------------------------------------------------------------------------------------


def parse_message(raw: bytes, *, limits: Limits = Limits()) -> ParsedMessage:  # noqa: B008 - frozen
    """Parse one raw e-mail; raises UnparseableMessage (only) when it cannot be used."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise UnparseableMessage("malformed", "not bytes")
    size = len(raw)
    if size > limits.max_message_bytes:
        raise UnparseableMessage("too_large", f"{size} bytes")
    try:
        return _parse(bytes(raw), limits)
    except UnparseableMessage:
        raise
    except MimeLimitExceeded as exc:
        raise UnparseableMessage(exc.code) from exc
    except RecursionError as exc:
        raise UnparseableMessage("too_deep", "recursion") from exc
    except MemoryError as exc:
        raise UnparseableMessage("too_large", "memory") from exc
    except Exception as exc:  # noqa: BLE001 - the contract: nothing but UnparseableMessage escapes
        raise UnparseableMessage("malformed", f"{type(exc).__name__}: {exc}"[:200]) from exc
    except BaseException as exc:
        # A panic inside nh3 (Rust) arrives as pyo3's PanicException, a BaseException.
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        raise UnparseableMessage("malformed", type(exc).__name__) from exc


def _parse(raw: bytes, limits: Limits) -> ParsedMessage:
    size = len(raw)
    if not raw.strip():
        raise UnparseableMessage("empty")
    raw = raw.lstrip(b"\r\n")  # some delivery agents put a blank line in front
    if b"\n" not in raw[:65536] and b"\r" in raw[:65536]:
        raw = raw.replace(b"\r", b"\n")  # classic Mac line ends
    headers, body_start = split_head(raw, top_level=True)
    if not headers:
        raise UnparseableMessage("malformed", "no header fields")
    warnings: list[str] = list(headers.warnings)

    leaves = walk(raw, headers, body_start, limits=limits, warnings=warnings)
    hint = _charset_hint(headers, leaves)
    for entity in (headers, *(leaf.headers for leaf in leaves)):
        entity.charset_hint = hint
        entity.parsed_params.clear()  # parameters read so far were decoded without the hint
    subject, bad = decode_header_bytes((headers.first("subject") or b"")[:8192], hint)
    if bad:
        warnings.append("charset_fallback")
    subject = _one_line(subject)[:2000]
    sender = _sender(headers, "from", warnings) or _sender(headers, "sender", warnings)
    if sender is None:
        # "From: MAILER DAEMON <>": a machine's mail without a sender is still recognisably a machine's.
        daemon = _DAEMON_NAME.search(headers.text("from")[:500])
        auto_reason = _auto_reason(headers, "mailer-daemon" if daemon else "", subject)
        if not auto_reason:
            raise UnparseableMessage("no_sender")
        sender = ("", "")
    else:
        auto_reason = _auto_reason(headers, sender[1], subject)
    from_name, from_address = sender
    reply_to = _addresses(headers, "reply-to", warnings)

    plain: list[str] = []
    html_parts: list[str] = []
    for leaf in leaves:
        if leaf.is_body:
            text, bad = leaf.text()
            if bad:
                warnings.append("charset_fallback")
            (html_parts if leaf.content_type == "text/html" else plain).append(text)

    # HTML beyond this many characters is cut (and re-balanced by the sanitiser).
    html_cap = limits.max_text_chars * 5
    raw_html = "\n".join(html_parts)
    if len(raw_html) > html_cap:
        raw_html = raw_html[:html_cap]
        warnings.append("html_truncated")
    complex_html = too_complex(raw_html)
    if complex_html:
        warnings.append("html_too_complex")
    html = "" if complex_html else sanitize_checked(raw_html)
    if len(html) > html_cap:  # misnested markup can come out several times larger than it went in
        html = sanitize_checked(html[:html_cap])
        warnings.append("html_truncated")
    text = "\n\n".join(part.strip("\n") for part in plain if part.strip())
    if not text.strip():  # no text/plain, or an empty placeholder next to the HTML
        text = html_to_text(raw_html) if complex_html else text_checked(html)
    if len(text) > limits.max_text_chars:
        text = text[: limits.max_text_chars]
        warnings.append("text_truncated")
    text = _clean_text(text)
    attachments = _attachments(leaves, cid_references(html), limits, warnings)

    return ParsedMessage(
        message_id=(_message_ids(headers.first("message-id"), limit=1) or [""])[0],
        in_reply_to=_message_ids(headers.first("in-reply-to")),
        references=_message_ids(headers.first("references")),
        from_address=from_address,
        from_name=from_name,
        reply_to=reply_to[0][1] if reply_to else "",
        to=[address for _, address in _addresses(headers, "to", warnings)],
        cc=[address for _, address in _addresses(headers, "cc", warnings)],
        subject=subject,
        date=_date(headers.first("date")),
        text=text,
        html=html,
        reply_text=trim_quoted(text),
        attachments=attachments,
        auto_reason=auto_reason,
        size=size,
        warnings=list(dict.fromkeys(warnings)),
    )


_TEXT_JUNK = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff]")


def _clean_text(text: str) -> str:
    text = _TEXT_JUNK.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    # rstrip per line, not a "[ \t]+$" regex: that one is quadratic on a long run of inner spaces.
    return "\n".join(line.rstrip(" \t") for line in text.split("\n")).strip("\n")


def _attachments(
    leaves: list[Leaf], referenced: set[str], limits: Limits, warnings: list[str]
) -> list[ParsedAttachment]:
    result: list[ParsedAttachment] = []
    for leaf in leaves:
        if leaf.is_body:
            continue
        if len(result) >= limits.max_attachments:
            warnings.append("too_many_attachments")
            break
        content_id = leaf.content_id
        # Inline means "shown inside the body": referenced by the HTML, or an image the sender placed
        # inline. A PDF that Apple Mail marks inline is still a file the reader wants in the list.
        inline = bool(content_id and content_id.lower() in referenced) or (
            leaf.disposition == "inline" and leaf.content_type.startswith("image/")
        )
        name = leaf.filename(index=len(result) + 1, inline=inline)
        content = leaf.payload()
        if len(content) > limits.max_attachment_bytes:
            warnings.append(f"attachment_too_large:{name}")
            continue
        result.append(
            ParsedAttachment(
                filename=name,
                content_type=leaf.attachment_type(name),
                content=content,
                inline=inline,
                content_id=content_id,
            )
        )
    return result
