"""Cutting quoted history and signatures off a reply, so a ticket comment holds only what is new.

Pure: no Django. Line based and linear: every pattern is anchored and bounded.
"""

from __future__ import annotations

import re

_WS = r"(?:[ \t\u00a0\u3000]|&nbsp;)"  # QQ Mail's plain text carries a literal "&nbsp;"
# "On Mon, 1 May 2024 at 10:00, Alice <alice@example.com> wrote:" (Gmail, Apple Mail, Thunderbird).
_ON_WROTE = re.compile(r"(?:On|Am|Le|El)\s.{0,400}(?:wrote|schrieb|a écrit|escribió)\s?:\s*", re.IGNORECASE)
# "在 2024年5月1日 10:00，张三 <a@b> 写道：" / "张三 <a@b> 于2024年5月1日周三 10:00写道：" (Gmail, Apple Mail, QQ).
_CN_WROTE = re.compile(r".{0,400}(?:写道|寫道)\s?[:：]\s*")
# "-----Original Message-----", "------------------ 原始邮件 ------------------" (Outlook, Foxmail, QQ).
_SEPARATOR = re.compile(
    rf"{_WS}*-{{2,}}{_WS}*(?:Original Message|Original|原始邮件|原始郵件|邮件原件|回复的原邮件|Reply Message)"
    rf"{_WS}*-{{2,}}{_WS}*",
    re.IGNORECASE,
)
# Outlook's header block: "From: ..." followed within a few lines by "Sent:"/"Date:" (or Chinese).
_FROM_LINE = re.compile(rf"{_WS}*\*?(?:From|发件人|寄件者|發件人)\*?{_WS}*[:：].{{0,400}}", re.IGNORECASE)
_SENT_LINE = re.compile(
    rf"{_WS}*\*?(?:Sent|Date|发送时间|时间|日期|寄件日期|傳送時間|发送日期)\*?{_WS}*[:：].{{0,400}}",
    re.IGNORECASE,
)
_RULE = re.compile(r"[ \t]*_{10,}[ \t]*")
# Signatures: the standard "-- " delimiter, and the lines phones add.
_SIGNATURE = re.compile(r"--[ \t]?")
_MOBILE = re.compile(
    r"(?:Sent from my .{1,40}|Sent from .{1,30} for (?:iOS|Android)|Get Outlook for .{1,60}"
    r"|发自我的.{1,30}|来自我的.{1,30}|從我的.{1,30}傳送|发自.{1,20}邮箱.{0,20})\s*",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[ \t]*>")
_HAS_DATE_OR_ADDRESS = re.compile(r"[0-9@]")


def _is_quote_attribution(lines: list[str], index: int) -> int:
    """How many lines (1 or 2) starting at `index` form an "On ... wrote:" line; 0 when they don't."""
    line = lines[index].strip()
    if not _HAS_DATE_OR_ADDRESS.search(line[:800]) and not (
        index + 1 < len(lines) and _HAS_DATE_OR_ADDRESS.search(lines[index + 1][:800])
    ):
        return 0  # "Alice wrote:" in running text is not an attribution; real ones name a date or address
    if _ON_WROTE.fullmatch(line) or _CN_WROTE.fullmatch(line):
        return 1
    # Clients wrap long attributions: "On Mon, ... Alice <\nalice@example.com> wrote:".
    if index + 1 < len(lines) and len(line) < 400 and (line.startswith(("On ", "在")) or "于" in line):
        joined = f"{line} {lines[index + 1].strip()}"
        if _ON_WROTE.fullmatch(joined) or _CN_WROTE.fullmatch(joined):
            return 2
    return 0


def _is_header_block(lines: list[str], index: int) -> bool:
    """Whether a "From:"/"发件人:" line at `index` starts a quoted message's header block."""
    if not _FROM_LINE.fullmatch(lines[index]):
        return False
    return any(_SENT_LINE.fullmatch(line) for line in lines[index + 1 : index + 5])


def _next_content(lines: list[str], index: int) -> str:
    for line in lines[index:]:
        if line.strip():
            return line
    return ""


def trim_quoted(text: str) -> str:
    """`text` without quoted history, quoted "> " lines and signature; `text` itself when nothing remains."""
    if not text:
        return ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        attribution = _is_quote_attribution(lines, index)
        if attribution:
            wrote_above = any(line.strip() for line in kept)
            if not wrote_above and _QUOTED.match(_next_content(lines, index + attribution)):
                index += attribution  # bottom-posted or inline reply: drop the quotes, keep the answers
                continue
            break  # top-posted reply: everything below is history
        if _SEPARATOR.fullmatch(line) or _is_header_block(lines, index):
            if kept and _RULE.fullmatch(kept[-1]):
                kept.pop()  # Outlook's "________________" above the header block
            break
        if _RULE.fullmatch(line) and index + 1 < len(lines) and _is_header_block(lines, index + 1):
            break
        if _SIGNATURE.fullmatch(line):
            break
        if not _QUOTED.match(line):
            kept.append(line)
        index += 1
    while kept and (not kept[-1].strip() or _MOBILE.fullmatch(kept[-1].strip())):
        kept.pop()
    result = "\n".join(kept).strip("\n")
    return result if result.strip() else text.strip("\n")
