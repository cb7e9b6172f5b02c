"""Secrets at rest: mailbox passwords, IM app secrets and webhook signing keys are stored encrypted.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) with a key derived from
settings.ITDESK_FIELD_ENCRYPTION_KEY. EncryptedTextField stores the token and hands back plain text.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(key_material: str) -> Fernet:
    digest = hashlib.sha256(f"itdesk-field-encryption:{key_material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plain: str) -> str:
    """Encrypt a secret for storage ("" stays "")."""
    if not plain:
        return ""
    return PREFIX + _fernet(settings.ITDESK_FIELD_ENCRYPTION_KEY).encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    """Decrypt a stored secret; raises ValueError when the key changed or the value was tampered with."""
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    try:
        return _fernet(settings.ITDESK_FIELD_ENCRYPTION_KEY).decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ValueError("the secret cannot be decrypted with the current key") from None


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees the plain secret."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        if value is None:
            return ""
        return decrypt(value)

    def to_python(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str) and value.startswith(PREFIX):
            return decrypt(value)
        return str(value)

    def get_prep_value(self, value: Any) -> str:
        value = super().get_prep_value(value)
        return encrypt(value or "")
