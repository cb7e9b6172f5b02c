"""Fetching a mailbox over IMAP: each unseen message is ingested, then marked seen (or moved) after commit.

Messages are read with BODY.PEEK[] by UID, so fetching marks nothing; a message is marked \\Seen (or moved to
the processed folder) only after ingest_message has committed. A database outage leaves the message unseen
for the next run; a message that cannot be parsed is quarantined (committed) and then marked seen like any
other; an unexpected error on one message is logged and the batch goes on.
"""

from __future__ import annotations

import contextlib
import imaplib
import ipaddress
import logging
import ssl
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from itdesk.channels.mail.models import Mailbox, MailboxKind, Security
from itdesk.channels.mail.services.ingest import DB_UNAVAILABLE, IngestResult, ingest_message

log = logging.getLogger(__name__)


class FetchError(Exception):
    """The IMAP server could not be reached or refused us."""


@dataclass
class FetchReport:
    """What one fetch run did."""

    mailbox: str
    fetched: int = 0
    results: list[IngestResult] = field(default_factory=list)
    deferred: int = 0  # left unseen for the next run
    error: str = ""

    def counts(self) -> dict[str, int]:
        """How many messages ended in each action."""
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.action] = counts.get(result.action, 0) + 1
        return counts


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine (the only place an unencrypted IMAP login is acceptable)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def connect(mailbox: Mailbox) -> imaplib.IMAP4:
    """Open and log in to the mailbox's IMAP server with its configured security."""
    timeout = settings.ITDESK_MAIL_IMAP_TIMEOUT
    if mailbox.security == Security.PLAIN and not is_loopback(mailbox.host):
        raise FetchError("unencrypted IMAP is only allowed to a server on this machine: use tls or starttls")
    context = ssl.create_default_context()
    if mailbox.security == Security.TLS:
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=context, timeout=timeout
        )
    else:
        client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
        if mailbox.security == Security.STARTTLS:
            client.starttls(ssl_context=context)
    client.login(mailbox.username, mailbox.get_password())
    typ, data = client.capability()  # servers announce more (MOVE, UIDPLUS) once logged in
    if typ == "OK" and data and data[0]:
        client.capabilities = tuple(data[0].decode("ascii", "replace").upper().split())
    return client


def _check(response: tuple[str, list]) -> list:
    typ, data = response
    if typ != "OK":
        raise FetchError(f"IMAP server answered {typ}: {data!r}")
    return data


def _raw_from_fetch(data: list) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def _mark_done(client: imaplib.IMAP4, uid: bytes, move_to: str) -> None:
    """After a committed ingest: move the message to the processed folder, or flag it seen."""
    if move_to:
        capabilities = {c.upper() for c in client.capabilities}
        if "MOVE" in capabilities:
            _check(client.uid("MOVE", uid, _quote(move_to)))
            return
        _check(client.uid("COPY", uid, _quote(move_to)))
        _check(client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen \Deleted)"))
        if "UIDPLUS" in capabilities:
            _check(client.uid("EXPUNGE", uid))
        else:
            _check(client.expunge())
        return
    _check(client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)"))


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_mailbox(mailbox: Mailbox, *, limit: int | None = None) -> FetchReport:
    """Fetch up to `limit` (default: the mailbox's batch size) unseen messages and ingest each one."""
    report = FetchReport(mailbox=mailbox.name)
    batch = limit or mailbox.batch_size or 50
    client = None
    try:
        client = connect(mailbox)
        _check(client.select(_quote(mailbox.folder)))
        move_to = mailbox.processed_folder
        if move_to:
            client.create(_quote(move_to))  # "already exists" is fine
            if client.status(_quote(move_to), "(MESSAGES)")[0] != "OK":
                report.error = f"processed folder {move_to!r} is not usable; messages are marked seen instead"
                move_to = ""
        uids = _check(client.uid("SEARCH", None, "UNSEEN"))[0].split()[:batch]
        for uid in uids:
            data = _check(client.uid("FETCH", uid, "(BODY.PEEK[])"))
            raw = _raw_from_fetch(data)
            if raw is None:
                continue  # expunged meanwhile
            report.fetched += 1
            try:
                result = ingest_message(raw=raw, mailbox=mailbox)
            except DB_UNAVAILABLE as exc:
                report.deferred += len(uids) - len(report.results)
                report.error = f"database unavailable: {exc}"
                log.warning(
                    "mail fetch %s: database unavailable, messages left unseen: %s", mailbox.name, exc
                )
                break
            except Exception as exc:  # noqa: BLE001 - one message must not stop the batch
                report.deferred += 1
                log.exception("mail fetch %s: message uid %s left unseen", mailbox.name, uid)
                report.error = f"{type(exc).__name__}: {exc}"
                continue
            report.results.append(result)
            _mark_done(client, uid, move_to)
    except (OSError, imaplib.IMAP4.error, FetchError) as exc:
        report.error = f"{type(exc).__name__}: {exc}"
        log.warning("mail fetch %s failed: %s", mailbox.name, report.error)
    finally:
        if client is not None:
            with contextlib.suppress(OSError, imaplib.IMAP4.error):
                client.logout()
    with contextlib.suppress(*DB_UNAVAILABLE):  # still down: the next run records it
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_fetch_at=timezone.now(), last_error=report.error[:2000]
        )
    return report


def fetch_all(*, name: str | None = None) -> list[FetchReport]:
    """One fetch of every active IMAP mailbox (or the one named)."""
    mailboxes = Mailbox.objects.filter(active=True, kind=MailboxKind.IMAP)
    if name:
        mailboxes = Mailbox.objects.filter(name=name)
    return [fetch_mailbox(mailbox) for mailbox in mailboxes]
