"""A real SMTP server on 127.0.0.1 (aiosmtpd) that ITDesk's outbox talks to, and ticket helpers."""

from __future__ import annotations

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Collect:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.server.lock:
            self.server.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on a fixed loopback port: stop() it for an outage, start() it again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.envelopes: list = []
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(_Collect(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        """What the server received, parsed."""
        with self.lock:
            return [
                email.message_from_bytes(envelope.original_content, policy=email.policy.default)
                for envelope in self.envelopes
            ]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        """The messages whose envelope names `address` as a recipient."""
        with self.lock:
            chosen = [e for e in self.envelopes if address in e.rcpt_tos]
        return [email.message_from_bytes(e.original_content, policy=email.policy.default) for e in chosen]


@pytest.fixture
def smtp(settings):
    """A running SMTP server; Django's SMTP backend points at it."""
    server = SmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "ITDesk <itdesk@desk.example.test>"
    settings.ITDESK_MAIL_REPLY_TO = "helpdesk@desk.example.test"
    settings.ITDESK_MAIL_MESSAGE_ID_DOMAIN = ""
    yield server
    server.stop()


def text_and_html(message) -> tuple[str, str]:
    """The plain-text and HTML parts of a multipart/alternative mail."""
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html
