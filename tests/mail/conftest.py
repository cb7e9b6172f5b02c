"""Fixtures for the e-mail intake: a real Dovecot on loopback, mailboxes, and message builders."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"
IMAP_USER = "desk"
IMAP_PASSWORD = "imap-secret-42"

DOVECOT_CONF = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {mail_user}
default_internal_group = {mail_user}
default_login_user = {login_user}
first_valid_uid = 1
mail_location = maildir:{root}/home/%u/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
  default_fields = uid={mail_user} gid={mail_user} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _user(*names: str) -> str:
    for name in names:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.fail(f"none of the system users {names} exists for Dovecot (is dovecot-imapd installed?)")


class Dovecot:
    """A running Dovecot with one user; helpers to put messages in and look at their flags."""

    def __init__(self, port: int, tls_port: int, root: Path) -> None:
        self.host = "127.0.0.1"
        self.port = port
        self.tls_port = tls_port
        self.root = root
        self.ca_file = root / "cert.pem"  # self-signed: the certificate is its own authority

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(IMAP_USER, IMAP_PASSWORD)
        return client

    def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            for raw in messages:
                typ, data = client.append(folder, None, None, raw)
                assert typ == "OK", data
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> dict[bytes, set[str]]:
        """Message-ID header -> flags, for every message in the folder."""
        client = self.client()
        try:
            typ, _data = client.select(folder, readonly=True)
            if typ != "OK":
                return {}
            typ, data = client.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            found = {}
            for item in data:
                if isinstance(item, tuple):
                    flags = set(imaplib.ParseFlags(item[0]))
                    found[item[1].strip()] = {flag.decode() for flag in flags}
            return found
        finally:
            client.logout()

    def unseen_count(self, folder: str = "INBOX") -> int:
        client = self.client()
        try:
            client.select(folder, readonly=True)
            typ, data = client.uid("SEARCH", None, "UNSEEN")
            return len(data[0].split())
        finally:
            client.logout()

    def count(self, folder: str = "INBOX") -> int:
        client = self.client()
        try:
            typ, data = client.select(folder, readonly=True)
            return int(data[0]) if typ == "OK" else 0
        finally:
            client.logout()

    def clear(self) -> None:
        """Empty every folder, so each test starts with an empty mailbox."""
        client = self.client()
        try:
            typ, folders = client.list()
            for line in folders or []:
                name = line.decode().rsplit(' "." ', 1)[-1].strip()
                typ, data = client.select(name)
                if typ != "OK" or int(data[0] or 0) == 0:
                    continue
                client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                client.expunge()
                client.close()
        finally:
            client.logout()


@pytest.fixture(scope="session")
def dovecot_server():
    """A real Dovecot IMAP server on 127.0.0.1 (plain text, loopback only), for the whole session."""
    if not os.path.exists(DOVECOT):
        pytest.fail(f"{DOVECOT} is missing: install dovecot-imapd (make browser-deps) to test the IMAP fetch")
    mail_user = _user("dovecot", "nobody")
    login_user = _user("dovenull", "nobody")
    root = Path(tempfile.mkdtemp(prefix="itdesk-dovecot-"))
    root.chmod(0o755)
    (root / "home").mkdir()
    shutil.chown(root / "home", mail_user, mail_user)
    (root / "passwd").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    port, tls_port = _free_port(), _free_port()
    conf = root / "dovecot.conf"
    conf.write_text(
        DOVECOT_CONF.format(
            root=root, port=port, tls_port=tls_port, mail_user=mail_user, login_user=login_user
        )
    )
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    server = Dovecot(port, tls_port, root)
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            pytest.fail(f"Dovecot did not start: {output}\n{log}")
        try:
            server.client().logout()
            break
        except (OSError, imaplib.IMAP4.error):
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail(
                    "Dovecot did not accept a login within 20 s: " + (root / "dovecot.log").read_text()
                )
            time.sleep(0.1)
    yield server
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot(dovecot_server):
    """The Dovecot server with empty folders."""
    dovecot_server.clear()
    return dovecot_server


@pytest.fixture
def desk(service_desk):
    """The first-line group and the priority levels (from migrations) tickets need."""
    return service_desk


@pytest.fixture
def mailbox(desk):
    from itdesk.channels.mail.models import Mailbox

    return Mailbox.objects.create(
        name="helpdesk", address="helpdesk@example.test", kind="pipe", rate_limit_per_hour=100
    )


@pytest.fixture
def imap_mailbox(desk, dovecot):
    from itdesk.channels.mail.models import Mailbox

    return Mailbox.objects.create(
        name="imap-desk",
        address="helpdesk@example.test",
        kind="imap",
        host=dovecot.host,
        port=dovecot.port,
        security="plain",
        username=IMAP_USER,
        password=IMAP_PASSWORD,
        rate_limit_per_hour=100,
    )


def make_mail(
    *,
    sender: str = "Alice Wang <alice@example.test>",
    to: str = "helpdesk@example.test",
    cc: str = "",
    subject: str = "Printer on floor 3 is jammed",
    body: str = "The printer shows error E52 since this morning.",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
    charset: str = "utf-8",
) -> bytes:
    """An RFC 822 message as a mail client would send it."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = message_id or make_msgid(domain="client.example.test")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body, charset=charset)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, content_type, content in attachments:
        maintype, subtype = content_type.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)
