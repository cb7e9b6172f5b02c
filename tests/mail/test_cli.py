"""`itdesk mail ingest` as an MTA runs it: one message on stdin, one JSON line out, exit 75 to retry."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.cli import ITDESK, sqlite_env
from tests.mail.conftest import make_mail


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory):
    """A migrated data directory on SQLite, as a fresh installation has it."""
    data_dir = tmp_path_factory.mktemp("itdesk-mail-cli")
    env = sqlite_env(data_dir, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    done = subprocess.run(
        [ITDESK, "migrate", "--noinput", "-v0"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return env


def ingest(env, raw: bytes, *args: str, **extra_env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ITDESK, "mail", "ingest", "-", *args],
        input=raw,
        env={**env, **extra_env},
        capture_output=True,
        timeout=120,
    )


def rows(env, sql: str, *params):
    with sqlite3.connect(Path(env["ITDESK_DATA_DIR"]) / "itdesk.sqlite3", timeout=30) as db:
        return db.execute(sql, params).fetchall()


def test_the_pipe_prints_one_json_line_per_message(cli_env):
    raw = make_mail(
        sender="Wang Fang <wang.fang@example.test>", message_id="<cli-1@client>", subject="Disk full"
    )
    done = ingest(cli_env, raw)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().strip().splitlines()
    assert len(lines) == 1
    answer = json.loads(lines[0])
    assert answer["action"] == "created" and answer["ticket"]
    assert rows(cli_env, "SELECT title, channel FROM tickets_ticket WHERE number = ?", answer["ticket"]) == [
        ("Disk full", "email")
    ]
    assert rows(cli_env, "SELECT name, kind FROM mail_mailbox") == [("pipe", "pipe")]

    again = ingest(cli_env, raw)
    assert again.returncode == 0
    assert json.loads(again.stdout) == {
        "action": "ignored",
        "ticket": answer["ticket"],
        "reason": "duplicate",
    }

    auto = ingest(cli_env, make_mail(message_id="<cli-2@client>", headers={"Auto-Submitted": "auto-replied"}))
    assert json.loads(auto.stdout) == {"action": "ignored", "ticket": None, "reason": "automatic"}

    broken = ingest(cli_env, b"this is not an e-mail at all")
    assert broken.returncode == 0
    assert json.loads(broken.stdout)["action"] == "quarantined"


def test_a_file_argument_and_an_unknown_mailbox(cli_env, tmp_path):
    path = tmp_path / "message.eml"
    path.write_bytes(
        make_mail(sender="zhao@example.test", message_id="<cli-file@client>", subject="Keyboard")
    )
    done = subprocess.run(
        [ITDESK, "mail", "ingest", str(path)], env=cli_env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["action"] == "created"
    wrong = subprocess.run(
        [ITDESK, "mail", "ingest", str(path), "--mailbox", "nope"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode == 1 and "no mailbox named 'nope'" in wrong.stderr


def test_a_locked_database_asks_the_mta_to_retry_and_the_retry_succeeds(cli_env):
    raw = make_mail(sender="sun@example.test", message_id="<cli-locked@client>", subject="Locked out")
    holder = sqlite3.connect(Path(cli_env["ITDESK_DATA_DIR"]) / "itdesk.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        done = ingest(cli_env, raw, "--wait", "0.5")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == 75, (done.stdout, done.stderr)
    assert done.stdout == b""
    message = done.stderr.decode().strip()
    assert len(message.splitlines()) == 1 and "database unavailable" in message
    assert rows(
        cli_env, "SELECT count(*) FROM mail_inboundmessage WHERE message_id = ?", "<cli-locked@client>"
    ) == [(0,)]

    retry = ingest(cli_env, raw)
    assert retry.returncode == 0, retry.stderr
    assert json.loads(retry.stdout)["action"] == "created"


def test_an_unreachable_postgresql_asks_the_mta_to_retry(cli_env):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket is closed
    done = ingest(
        cli_env,
        make_mail(message_id="<cli-pg@client>"),
        DATABASE_URL=f"postgres://itdesk@127.0.0.1:{port}/itdesk",
    )
    assert done.returncode == 75, (done.stdout, done.stderr)
    assert len(done.stderr.decode().strip().splitlines()) == 1


def test_reprocess_from_the_command_line(cli_env):
    held = ingest(cli_env, b"Subject: nobody\r\nMessage-ID: <cli-q@client>\r\n\r\nno sender\r\n")
    assert json.loads(held.stdout)["action"] == "quarantined"
    # Unparseable: known by the hash of its bytes, since its Message-ID cannot be trusted.
    [(inbound_id,)] = rows(
        cli_env, "SELECT id FROM mail_inboundmessage WHERE status = 'quarantined' ORDER BY id DESC LIMIT 1"
    )
    done = subprocess.run(
        [ITDESK, "mail", "reprocess", str(inbound_id)],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0
    assert json.loads(done.stdout)["action"] == "quarantined"  # still no sender: stays in quarantine
    ok = ingest(cli_env, make_mail(sender="qian@example.test", message_id="<cli-ok@client>"))
    assert json.loads(ok.stdout)["action"] == "created"
    [(processed,)] = rows(cli_env, "SELECT id FROM mail_inboundmessage WHERE message_id = '<cli-ok@client>'")
    refused = subprocess.run(
        [ITDESK, "mail", "reprocess", str(processed)],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 1 and "Only quarantined or held" in refused.stderr


def test_a_spool_directory_is_taken_in_message_by_message(cli_env, tmp_path):
    spool = tmp_path / "new"
    spool.mkdir()
    for index, subject in enumerate(("Printer jam", "VPN 连接失败", "Monitor flickers")):
        raw = make_mail(sender=f"spool{index}@example.test", message_id=f"<spool-{index}@c>", subject=subject)
        (spool / f"{index:03d}.eml").write_bytes(raw)
    again = tmp_path / "again.eml"
    again.write_bytes((spool / "000.eml").read_bytes())  # the same message delivered twice
    done = subprocess.run(
        [ITDESK, "mail", "ingest", str(spool), str(again)],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.strip().splitlines()]
    assert [(Path(line["file"]).name, line["action"]) for line in lines] == [
        ("000.eml", "created"),
        ("001.eml", "created"),
        ("002.eml", "created"),
        ("again.eml", "ignored"),
    ]
    assert lines[3]["reason"] == "duplicate" and lines[3]["ticket"] == lines[0]["ticket"]
    titles = rows(cli_env, "SELECT title FROM tickets_ticket WHERE number IN (?, ?, ?) ORDER BY number",
                  *(line["ticket"] for line in lines[:3]))  # fmt: skip
    assert [title for (title,) in titles] == ["Printer jam", "VPN 连接失败", "Monitor flickers"]

    missing = subprocess.run(
        [ITDESK, "mail", "ingest", str(tmp_path / "nowhere")],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 1 and "no such file or directory" in missing.stderr
