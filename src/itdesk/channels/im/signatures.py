"""The signature and encryption schemes of DingTalk, WeCom, Feishu and Slack (pure Python, no Django).

Outgoing: sign a group-robot request the way each platform checks it. Incoming: verify a callback the
way each platform signs it (every comparison is constant-time) and decrypt WeCom / Feishu payloads.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import struct
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import quote_plus

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

DINGTALK_WINDOW_SECONDS = 3600
SLACK_WINDOW_SECONDS = 300


class SignatureError(Exception):
    """A callback failed verification; `code` is stable ("invalid_signature", "stale_timestamp", ...)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


def _hmac_sha256(key: bytes, msg: bytes) -> bytes:
    return hmac.new(key, msg, hashlib.sha256).digest()


def constant_time_equal(a: str, b: str) -> bool:
    """Compare two strings in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())


def _check_window(timestamp_seconds: float, now: float | None, window: int) -> None:
    now = time.time() if now is None else now
    if abs(now - timestamp_seconds) > window:
        raise SignatureError("stale_timestamp", "the request timestamp is outside the allowed window")


def _int(value: str | int | None, what: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise SignatureError("invalid_signature", f"missing or malformed {what}") from None


# ---------------------------------------------------------------- DingTalk


def dingtalk_sign(secret: str, timestamp_ms: int | str) -> str:
    """base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")) — robot and callback signature."""
    digest = _hmac_sha256(secret.encode(), f"{timestamp_ms}\n{secret}".encode())
    return base64.b64encode(digest).decode()


def dingtalk_robot_url(webhook_url: str, secret: str, timestamp_ms: int | None = None) -> str:
    """The custom robot's webhook URL with &timestamp=T&sign=S appended (unchanged without a secret)."""
    if not secret:
        return webhook_url
    timestamp_ms = int(time.time() * 1000) if timestamp_ms is None else timestamp_ms
    joiner = "&" if "?" in webhook_url else "?"
    sign = quote_plus(dingtalk_sign(secret, timestamp_ms))
    return f"{webhook_url}{joiner}timestamp={timestamp_ms}&sign={sign}"


def verify_dingtalk(
    app_secret: str, timestamp_ms: str | None, sign: str | None, *, now: float | None = None
) -> None:
    """Check a DingTalk robot callback's `timestamp` and `sign` headers (one hour window)."""
    if not app_secret:
        raise SignatureError("not_configured", "no app secret configured")
    ts = _int(timestamp_ms, "timestamp")
    _check_window(ts / 1000, now, DINGTALK_WINDOW_SECONDS)
    if not sign or not constant_time_equal(dingtalk_sign(app_secret, ts), sign):
        raise SignatureError("invalid_signature", "the sign header does not match")


# ---------------------------------------------------------------- Feishu


def feishu_robot_sign(secret: str, timestamp_s: int | str) -> str:
    """Feishu custom bot: base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=b""))."""
    return base64.b64encode(_hmac_sha256(f"{timestamp_s}\n{secret}".encode(), b"")).decode()


def feishu_signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    """X-Lark-Signature: sha256(timestamp + nonce + encrypt_key + raw body) as hex."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode() + body).hexdigest()


def verify_feishu_signature(
    encrypt_key: str,
    timestamp: str | None,
    nonce: str | None,
    signature: str | None,
    body: bytes,
) -> None:
    """Check X-Lark-Signature (with X-Lark-Request-Timestamp / -Nonce) of an encrypted Feishu event."""
    # No time window: Feishu re-sends failed events later with their first headers; replays are
    # harmless because messages are deduplicated by message id.
    if not timestamp:
        raise SignatureError("invalid_signature", "missing X-Lark-Request-Timestamp")
    expected = feishu_signature(timestamp, nonce or "", encrypt_key, body)
    if not signature or not constant_time_equal(expected, signature):
        raise SignatureError("invalid_signature", "X-Lark-Signature does not match")


def _feishu_key(encrypt_key: str) -> bytes:
    return hashlib.sha256(encrypt_key.encode()).digest()


def feishu_decrypt(encrypt_key: str, encrypted: str) -> str:
    """Decrypt a Feishu {"encrypt": ...} payload: AES-256-CBC, key sha256(encrypt_key), IV first 16 bytes."""
    try:
        data = base64.b64decode(encrypted, validate=True)
    except (ValueError, TypeError):
        raise SignatureError("invalid_payload", "encrypt is not base64") from None
    if len(data) < 32 or len(data) % 16:
        raise SignatureError("invalid_payload", "encrypt has a wrong length")
    decryptor = Cipher(algorithms.AES(_feishu_key(encrypt_key)), modes.CBC(data[:16])).decryptor()
    padded = decryptor.update(data[16:]) + decryptor.finalize()
    try:
        unpadder = padding.PKCS7(128).unpadder()
        plain = unpadder.update(padded) + unpadder.finalize()
        return plain.decode()
    except (ValueError, UnicodeDecodeError):
        raise SignatureError("invalid_payload", "encrypt cannot be decrypted with this key") from None


def feishu_encrypt(encrypt_key: str, plain: str, iv: bytes | None = None) -> str:
    """Encrypt like Feishu does (used by tests and by anyone imitating the platform)."""
    iv = os.urandom(16) if iv is None else iv
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(_feishu_key(encrypt_key)), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(padded) + encryptor.finalize()).decode()


# ---------------------------------------------------------------- Slack


def slack_signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """X-Slack-Signature: "v0=" + hex(HMAC-SHA256(signing_secret, "v0:{timestamp}:{body}"))."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def verify_slack(
    signing_secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    *,
    now: float | None = None,
) -> None:
    """Check a Slack Events API request (signature and a five-minute window)."""
    if not signing_secret:
        raise SignatureError("not_configured", "no signing secret configured")
    ts = _int(timestamp, "timestamp")
    _check_window(ts, now, SLACK_WINDOW_SECONDS)
    if not signature or not constant_time_equal(slack_signature(signing_secret, str(ts), body), signature):
        raise SignatureError("invalid_signature", "X-Slack-Signature does not match")


# ---------------------------------------------------------------- WeCom


def wecom_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """msg_signature: sha1 of the sorted, concatenated token, timestamp, nonce and encrypted text."""
    joined = "".join(sorted([token, timestamp, nonce, encrypt])).encode()
    return hashlib.sha1(joined, usedforsecurity=False).hexdigest()  # noqa: S324 - WeCom's own scheme


def _pkcs7_pad32(data: bytes) -> bytes:
    amount = 32 - len(data) % 32
    return data + bytes([amount]) * amount


def _pkcs7_unpad32(data: bytes) -> bytes:
    if not data:
        raise SignatureError("invalid_payload", "empty plaintext")
    amount = data[-1]
    if not 1 <= amount <= 32 or data[-amount:] != bytes([amount]) * amount:
        raise SignatureError("invalid_payload", "bad padding")
    return data[:-amount]


@dataclass(frozen=True)
class WeComCrypto:
    """WeCom's callback crypto: token for msg_signature, EncodingAESKey for AES-256-CBC, corp id."""

    token: str
    encoding_aes_key: str
    receive_id: str

    @property
    def key(self) -> bytes:
        """The AES key: base64-decoded EncodingAESKey (43 characters + "=")."""
        try:
            key = base64.b64decode(self.encoding_aes_key + "=")
        except ValueError:
            raise SignatureError("not_configured", "the EncodingAESKey is not valid base64") from None
        if len(key) != 32:
            raise SignatureError("not_configured", "the EncodingAESKey must be 43 characters")
        return key

    def verify(self, signature: str | None, timestamp: str | None, nonce: str | None, encrypt: str) -> None:
        """Check msg_signature over token, timestamp, nonce and the encrypted text."""
        if not self.token:
            raise SignatureError("not_configured", "no token configured")
        expected = wecom_signature(self.token, timestamp or "", nonce or "", encrypt)
        if not signature or not constant_time_equal(expected, signature):
            raise SignatureError("invalid_signature", "msg_signature does not match")

    def decrypt(self, encrypt: str) -> str:
        """Decrypt to the XML (or echostr) and check the trailing receive id is our corp id."""
        try:
            data = base64.b64decode(encrypt, validate=True)
        except (ValueError, TypeError):
            raise SignatureError("invalid_payload", "Encrypt is not base64") from None
        if not data or len(data) % 16:
            raise SignatureError("invalid_payload", "Encrypt has a wrong length")
        key = self.key
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        plain = _pkcs7_unpad32(decryptor.update(data) + decryptor.finalize())
        if len(plain) < 20:
            raise SignatureError("invalid_payload", "plaintext too short")
        (length,) = struct.unpack(">I", plain[16:20])
        message, receive_id = plain[20 : 20 + length], plain[20 + length :]
        if len(message) != length:
            raise SignatureError("invalid_payload", "plaintext length mismatch")
        if self.receive_id and not hmac.compare_digest(receive_id, self.receive_id.encode()):
            raise SignatureError("invalid_receiver", "the message is for another corp id")
        try:
            return message.decode()
        except UnicodeDecodeError:
            raise SignatureError("invalid_payload", "plaintext is not UTF-8") from None

    def encrypt(self, message: str, random16: bytes | None = None) -> str:
        """Encrypt a reply: 16 random bytes + 4-byte big-endian length + message + receive id."""
        random16 = os.urandom(16) if random16 is None else random16
        raw = message.encode()
        plain = _pkcs7_pad32(random16 + struct.pack(">I", len(raw)) + raw + self.receive_id.encode())
        key = self.key
        encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def reply_xml(self, message_xml: str, timestamp: str, nonce: str) -> str:
        """The passive encrypted reply: <xml> with Encrypt, MsgSignature, TimeStamp and Nonce."""
        encrypted = self.encrypt(message_xml)
        signature = wecom_signature(self.token, timestamp, nonce, encrypted)
        return (
            f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        )


_DANGEROUS_XML = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_xml_fields(data: bytes | str) -> dict[str, str]:
    """The child elements of a flat <xml> document as a dict; DTDs and entities are refused."""
    raw = data.encode() if isinstance(data, str) else data
    if _DANGEROUS_XML.search(raw):
        raise SignatureError("invalid_payload", "XML with a DTD is refused")
    try:
        root = ET.fromstring(raw)  # noqa: S314 - documents with a DTD/entities were refused above
    except ET.ParseError:
        raise SignatureError("invalid_payload", "malformed XML") from None
    return {child.tag: (child.text or "") for child in root}


def cdata(text: str) -> str:
    """Wrap text in CDATA, splitting any "]]>" inside it."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def wecom_text_reply(to_user: str, from_user: str, content: str, create_time: int | None = None) -> str:
    """The plaintext XML of a passive text reply (encrypted by WeComCrypto.reply_xml)."""
    create_time = int(time.time()) if create_time is None else create_time
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )
