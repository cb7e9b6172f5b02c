"""Subjects of e-mail: ticket tags ("[IT20240501001]") and reply/forward prefixes.

Pure: no Django.
"""

from __future__ import annotations

import re

# [IT20240501001], 【IT20240501001】, [#IT20240501001], ［IT20240501001］: 2-6 ASCII letters, 8-16 digits.
_TAG = re.compile(r"[\[【［]\s?[#＃]?([A-Za-z]{2,6}[0-9]{8,16})\s?[\]】］]")
_PREFIX = re.compile(
    r"\s*(?:re|fw|fwd|aw|wg|sv|vs|antw|回复|回覆|答复|答覆|转发|轉發|转寄|轉寄)"
    r"\s?(?:\[\d{1,3}\]|\(\d{1,3}\))?\s?[:：]\s*",
    re.IGNORECASE,
)
_MAX_ROUNDS = 100


def subject_ticket_numbers(subject: str) -> list[str]:
    """The ticket numbers tagged in `subject` ("[IT20240501001]" and the like), in order, once each."""
    return list(dict.fromkeys(_TAG.findall(subject or "")))


def strip_reply_prefixes(subject: str) -> str:
    """`subject` without Re:/Fwd:/回复：/转发： prefixes (repeated) and ticket tags: a new ticket's title."""
    text = _TAG.sub(" ", subject or "")
    for _ in range(_MAX_ROUNDS):
        match = _PREFIX.match(text)
        if match is None:
            break
        text = text[match.end() :]
    return " ".join(text.split())
