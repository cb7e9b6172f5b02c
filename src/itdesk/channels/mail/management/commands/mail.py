"""`itdesk mail`: take in e-mail.

    itdesk mail ingest [PATH ...|-] [--mailbox NAME] [--wait SECONDS]   messages (the MTA pipe, a spool)
    itdesk mail reprocess ID                                            run a quarantined/held message again
    itdesk mail fetch [--mailbox NAME]                                  one IMAP fetch

`ingest` reads one message from stdin (the MTA pipe), or the messages in the given files and directories
(every file of a directory, in name order: a Maildir's `new` and `cur`, a spool of .eml files). It prints
one JSON line {"action", "ticket", "reason"} per message ("file" too when read from one) and exits 0
whatever became of the messages; it exits 75 (EX_TEMPFAIL, so the MTA keeps the message and retries)
when the database is unavailable: the messages printed before that are in, the rest can be run again
(duplicates are recognised by Message-ID).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from itdesk.channels.mail import imap
from itdesk.channels.mail.models import Mailbox, MailboxKind
from itdesk.channels.mail.services.ingest import (
    DB_UNAVAILABLE,
    NotReprocessable,
    ingest_message,
    reprocess_message,
)

EX_TEMPFAIL = 75
PIPE_MAILBOX = "pipe"


class Command(BaseCommand):
    help = "E-mail intake: ingest (MTA pipe), reprocess, fetch (IMAP)."
    requires_system_checks: list[str] = []  # the MTA pipe runs once per message: start fast

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        ingest = commands.add_parser(
            "ingest", help="take in RFC 822 messages from stdin, files or directories"
        )
        ingest.add_argument(
            "paths",
            nargs="*",
            default=["-"],
            metavar="PATH",
            help="message files or directories of them, or - for one message on stdin (default)",
        )
        ingest.add_argument("--mailbox", default=PIPE_MAILBOX, help="mailbox name (default: pipe)")
        ingest.add_argument(
            "--wait",
            type=float,
            metavar="SECONDS",
            help="how long to wait for a locked SQLite database before giving up (default: the configured 30)",
        )
        reprocess = commands.add_parser("reprocess", help="run a quarantined or held message again")
        reprocess.add_argument("id", type=int, help="the inbound message's id")
        fetch = commands.add_parser("fetch", help="fetch the IMAP mailboxes once")
        fetch.add_argument("--mailbox", help="only this mailbox")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {"ingest": self.ingest, "reprocess": self.reprocess, "fetch": self.fetch}[
            options["subcommand"]
        ]
        try:
            handler(**options)
        except DB_UNAVAILABLE as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            sys.stderr.write(f"itdesk mail: database unavailable, try again later: {first}\n")
            sys.stderr.flush()
            raise SystemExit(EX_TEMPFAIL) from None

    def ingest(self, *, paths: list[str], mailbox: str, wait: float | None, **_: Any) -> None:
        files = _message_files(paths)
        if wait is not None and connection.vendor == "sqlite":
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {max(0, int(wait * 1000))}")
        box = _mailbox_for_pipe(mailbox)
        for path in files:
            raw = sys.stdin.buffer.read() if path is None else _read(path)
            line = ingest_message(raw=raw, mailbox=box).as_dict()
            if path is not None:
                line["file"] = str(path)
            self.stdout.write(json.dumps(line, ensure_ascii=False))
            self.stdout.flush()

    def reprocess(self, *, id: int, **_: Any) -> None:
        try:
            result = reprocess_message(inbound_id=id)
        except NotReprocessable as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))

    def fetch(self, *, mailbox: str | None, **_: Any) -> None:
        if mailbox and not Mailbox.objects.filter(name=mailbox).exists():
            raise CommandError(f"no mailbox named {mailbox!r}")
        failed = False
        for report in imap.fetch_all(name=mailbox):
            line = {"mailbox": report.mailbox, "fetched": report.fetched, "deferred": report.deferred}
            line.update(report.counts())
            if report.error:
                line["error"] = report.error
                failed = failed or report.fetched == 0
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        if failed:
            raise SystemExit(EX_TEMPFAIL)


def _message_files(paths: list[str]) -> list[Path | None]:
    """The files to read, in order (None: stdin); a directory stands for the regular files in it."""
    files: list[Path | None] = []
    for name in paths:
        if name == "-":
            files.append(None)
            continue
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(child for child in path.iterdir() if child.is_file()))
        elif path.exists():
            files.append(path)
        else:
            raise CommandError(f"cannot read {name}: no such file or directory")
    if files.count(None) > 1:
        raise CommandError("stdin (-) holds one message: name it once")
    return files


def _read(path: str | Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None


def _mailbox_for_pipe(name: str) -> Mailbox:
    """The named mailbox; the default "pipe" mailbox is created on first use."""
    if name == PIPE_MAILBOX:
        box, _created = Mailbox.objects.get_or_create(name=PIPE_MAILBOX, defaults={"kind": MailboxKind.PIPE})
        return box
    box = Mailbox.objects.filter(name=name).first()
    if box is None:
        raise CommandError(f"no mailbox named {name!r}")
    return box
