"""Request numbers from a pattern such as ``IT{date:%Y%m%d}{seq:03d}`` or ``{date:%Y%m}-{seq:03d}``.

The sequence resets whenever the text before ``{seq}`` changes (per day, per month, ...). A sequence
past its width simply widens (IT202405011000), so numbers never collide.
"""

from __future__ import annotations

import re
import string
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from itdesk.core.errors import ValidationFailed
from itdesk.core.sequences import next_value

DEFAULT_PATTERN = "IT{date:%Y%m%d}{seq:03d}"
_ALLOWED_FIELDS = {"date", "seq"}


def validate_pattern(pattern: str) -> None:
    """Refuse patterns that could not produce unique numbers."""
    try:
        fields = [name for _lit, name, _spec, _conv in string.Formatter().parse(pattern) if name is not None]
    except ValueError as exc:
        raise ValidationFailed(_("The number pattern is malformed: %(error)s") % {"error": exc}) from None
    if fields.count("seq") != 1:
        raise ValidationFailed(_("The number pattern must contain {seq} exactly once."))
    if set(fields) - _ALLOWED_FIELDS:
        raise ValidationFailed(_("The number pattern may only use {date} and {seq}."))
    if not pattern.rstrip().endswith("}") or not re.search(r"\{seq(:0?\d*d)?\}$", pattern):
        raise ValidationFailed(_("The number pattern must end with {seq} so numbers can widen safely."))
    if len(render_prefix(pattern, datetime(2024, 5, 1))) > 40:
        raise ValidationFailed(_("The number pattern is too long."))


def render_prefix(pattern: str, when: datetime) -> str:
    """The part of the number before the sequence, for the given local time."""
    head = pattern[: pattern.index("{seq")]
    return head.format(date=when)


def render(pattern: str, when: datetime, seq: int) -> str:
    """Format a full number."""
    return pattern.format(date=when, seq=seq)


def allocate_number(pattern: str, when: datetime, scope: str = "ticket") -> str:
    """Take the next number for `when` (a local time); call inside the creating transaction."""
    prefix = render_prefix(pattern, when)
    seq = next_value(f"{scope}:{prefix}")
    return render(pattern, when, seq)
