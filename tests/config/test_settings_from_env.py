"""Settings come from the environment: zero-config SQLite, and a strict production mode."""

import os
import stat
import subprocess
import sys

import pytest

CLEAN = {
    k: v
    for k, v in os.environ.items()
    if not k.startswith(("ITDESK_", "DATABASE_URL", "SECRET_KEY", "DJANGO_"))
}


def itdesk(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "itdesk", *args],
        env={**CLEAN, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_with_nothing_set_it_runs_on_sqlite_in_wal_mode_and_keeps_its_own_secret(tmp_path):
    data = tmp_path / "data"
    first = itdesk(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        ITDESK_DATA_DIR=str(data),
    )
    assert first.returncode == 0, first.stderr
    key_file = data / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = itdesk(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        ITDESK_DATA_DIR=str(data),
    )
    assert first.stdout == second.stdout and len(first.stdout.strip()) >= 50
    migrate = itdesk("migrate", "-v0", ITDESK_DATA_DIR=str(data))
    assert migrate.returncode == 0, migrate.stderr
    mode = itdesk(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.db import connection; c=connection.cursor()\n"
        "for p in ('journal_mode', 'synchronous', 'wal_autocheckpoint'): print(c.execute(f'PRAGMA {p}').fetchone()[0])",
        ITDESK_DATA_DIR=str(data),
    )
    # WAL, synchronous=NORMAL (1), the log copied back every 10,000 pages
    assert mode.stdout.split() == ["wal", "1", "10000"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ITDESK_PRODUCTION": "1", "ALLOWED_HOSTS": "desk.example.com"}, "SECRET_KEY must be set"),
        (
            {"ITDESK_PRODUCTION": "1", "SECRET_KEY": "short", "ALLOWED_HOSTS": "desk.example.com"},
            "SECRET_KEY is unsafe",
        ),
        (
            {"ITDESK_PRODUCTION": "1", "SECRET_KEY": "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789"},
            "ALLOWED_HOSTS must list",
        ),
        (
            {
                "ITDESK_PRODUCTION": "1",
                "SECRET_KEY": "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789",
                "ALLOWED_HOSTS": "desk.example.com",
            },
            "EMAIL_HOST must name the SMTP server",
        ),
        ({"DATABASE_URL": "nonsense://"}, "DATABASE_URL is not a valid database URL"),
        ({"TIME_ZONE": "Mars/Olympus"}, "not a known IANA time zone"),
        ({"ITDESK_LANGUAGE": "fr"}, "ITDESK_LANGUAGE must be one of"),
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
    ],
)
def test_a_wrong_setting_stops_start_up_with_a_clear_message(tmp_path, env, message):
    result = itdesk("check", ITDESK_DATA_DIR=str(tmp_path), **env)
    assert result.returncode == 78
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_without_a_mail_server_mail_is_kept_in_the_data_directory(tmp_path):
    data = tmp_path / "data"
    send = itdesk(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.core.mail import send_mail; send_mail('Hello', 'Body', 'desk@example.com', ['a@example.com'])",
        ITDESK_DATA_DIR=str(data),
    )
    assert send.returncode == 0, send.stderr
    [message] = list((data / "sent-mail").iterdir())
    assert "Subject: Hello" in message.read_text()
