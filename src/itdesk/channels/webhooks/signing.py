"""Webhook signatures (pure, no Django): HMAC-SHA256 over "<timestamp>.<body>", hex, prefixed "sha256=".

A receiver recomputes the HMAC with the endpoint's secret, compares in constant time and refuses a
timestamp too far from its own clock, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

SIGNATURE_PREFIX = "sha256="
DEFAULT_TOLERANCE_SECONDS = 300


def generate_secret() -> str:
    """A new random signing secret (256 bits, URL-safe text)."""
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The X-ITDesk-Signature value for `body` sent at `timestamp` (Unix seconds)."""
    message = str(timestamp).encode() + b"." + body
    return SIGNATURE_PREFIX + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver does: fresh timestamp and matching signature (constant-time comparison)."""
    if not timestamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def signed_headers(
    *, secret: str, body: bytes, event_type: str, delivery_id: int, timestamp: int
) -> dict[str, str]:
    """The headers of one delivery attempt."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "X-ITDesk-Event": event_type,
        "X-ITDesk-Delivery": str(delivery_id),
        "X-ITDesk-Timestamp": str(timestamp),
        "X-ITDesk-Signature": sign(secret, timestamp, body),
    }
