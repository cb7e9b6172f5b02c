"""ITDesk's own Message-IDs carry an HMAC, so a reply's In-Reply-To/References can be trusted.

Form: <itd.{ticket number}.{token}.{signature}@{domain}>, the signature an HMAC-SHA256 over the number and
token, truncated to 20 hex digits. Anyone can quote a Message-ID they received, but no one can make one
for another ticket. Pure: no Django; callers pass the secret (settings.SECRET_KEY) and the domain.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

_SIGNATURE_LENGTH = 20
_PATTERN = re.compile(
    r"<?itd\.(?P<number>[A-Za-z0-9_-]{1,40})\.(?P<token>[A-Za-z0-9_-]{1,40})\.(?P<sig>[0-9a-f]{20})@[^>\s]+>?"
)


def _signature(number: str, token: str, secret: str) -> str:
    mac = hmac.new(f"itdesk-message-id:{secret}".encode(), f"{number}.{token}".encode(), hashlib.sha256)
    return mac.hexdigest()[:_SIGNATURE_LENGTH]


def make_message_id(*, ticket_number: str, secret: str, domain: str, token: str | None = None) -> str:
    """A signed Message-ID for a message about `ticket_number` (token: anything unique; random by default)."""
    token = re.sub(r"[^A-Za-z0-9_-]", "-", token or secrets.token_hex(8))[:40]
    return f"<itd.{ticket_number}.{token}.{_signature(ticket_number, token, secret)}@{domain}>"


def thread_root_id(*, ticket_number: str, secret: str, domain: str) -> str:
    """The Message-ID every mail about a ticket refers to, so clients keep it in one conversation."""
    return make_message_id(ticket_number=ticket_number, secret=secret, domain=domain, token="root")


def ticket_from_message_id(message_id: str, *, secret: str) -> str | None:
    """The ticket number a genuine ITDesk Message-ID names, or None (not ours, or forged)."""
    match = _PATTERN.fullmatch(message_id.strip())
    if match is None:
        return None
    expected = _signature(match["number"], match["token"], secret)
    if not hmac.compare_digest(expected, match["sig"]):
        return None
    return match["number"]


def tickets_from_references(ids: list[str], *, secret: str) -> list[str]:
    """The ticket numbers named by genuine ITDesk ids among In-Reply-To/References, newest first."""
    found: list[str] = []
    for message_id in reversed(ids):
        number = ticket_from_message_id(message_id, secret=secret)
        if number is not None and number not in found:
            found.append(number)
    return found
