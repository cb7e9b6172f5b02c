"""A real Huey worker records an SLA breach once: migrate a fresh SQLite database, register a ticket whose
targets are long past, start `itdesk worker`, enqueue the watcher twice, and read what the worker wrote."""

import os
import sqlite3
import subprocess
import sys
import time

import pytest

CREATE_OVERDUE_TICKET = """
from datetime import timedelta
from django.utils import timezone
from itdesk.accounts.models import SupportGroup, User
from itdesk.sla import services as sla_services
from itdesk.tickets import services
from itdesk.tickets.models import Ticket, TicketEvent

SupportGroup.objects.create(code="service-desk", name="Service desk", is_first_line=True, email="desk@example.test")
alice = User.objects.create(username="alice", email="alice@example.test", language="en")
ticket = services.create_ticket(actor=alice, title="Whole office offline", description="all down", impact=1, urgency=1)
yesterday = timezone.now() - timedelta(days=1)
Ticket.objects.filter(pk=ticket.pk).update(created_at=yesterday)
TicketEvent.objects.filter(ticket=ticket).update(created_at=yesterday)  # a queryset update: history as it was
sla_services.recompute_clocks(ticket_ids=[ticket.pk])
print(ticket.number)
"""

ENQUEUE_WATCHER_TWICE = """
from itdesk.sla.tasks import watch_sla_clocks
watch_sla_clocks()
watch_sla_clocks()
"""


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "itdesk-data"


@pytest.fixture
def env(data_dir):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "itdesk.config.settings",
        "ITDESK_DATA_DIR": str(data_dir),
        "ITDESK_REAL_QUEUE": "1",
        "ITDESK_LANGUAGE": "en",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    environment.pop("DATABASE_URL", None)  # this run is about the embedded SQLite set-up
    environment.pop("REDIS_URL", None)
    return environment


def itdesk(env, *args, timeout=120):
    done = subprocess.run(
        [sys.executable, "-m", "itdesk", *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def query(data_dir, sql, *params):
    with sqlite3.connect(data_dir / "itdesk.sqlite3", timeout=30) as db:
        return db.execute(sql, params).fetchall()


def pending_jobs(data_dir):
    with sqlite3.connect(data_dir / "queue.sqlite3", timeout=30) as db:
        return db.execute("SELECT count(*) FROM task").fetchone()[0]


def test_a_real_worker_records_each_breach_once(data_dir, env, tmp_path):
    itdesk(env, "migrate", "--noinput", "-v0")
    number = itdesk(env, "shell", "-c", CREATE_OVERDUE_TICKET).strip().splitlines()[-1]
    [(ticket_id,)] = query(data_dir, "SELECT id FROM tickets_ticket WHERE number = ?", number)
    assert query(
        data_dir, "SELECT count(*) FROM sla_ticketclock WHERE ticket_id = ? AND state = 'running'", ticket_id
    ) == [(3,)]

    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below, after the worker stops
    worker = subprocess.Popen(
        [sys.executable, "-m", "itdesk", "worker", "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        itdesk(env, "shell", "-c", ENQUEUE_WATCHER_TWICE)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            breaches = query(
                data_dir,
                "SELECT count(*) FROM tickets_ticketevent WHERE ticket_id = ? AND kind = 'sla_breach'",
                ticket_id,
            )
            if breaches[0][0] >= 3 and pending_jobs(data_dir) == 0:
                break
            time.sleep(0.5)
        time.sleep(1)  # let a late duplicate show itself, if there were one
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()

    # P1 runs around the clock: response (5 min), escalation (1 h) and resolution (2 h) were all due a
    # day ago. Two watcher jobs ran on two worker threads; each breach is recorded once.
    assert query(
        data_dir,
        "SELECT field FROM tickets_ticketevent WHERE ticket_id = ? AND kind = 'sla_breach' ORDER BY field",
        ticket_id,
    ) == [("escalation",), ("resolution",), ("response",)]
    assert query(
        data_dir, "SELECT count(*) FROM sla_ticketclock WHERE ticket_id = ? AND state = 'breached'", ticket_id
    ) == [(3,)]
    # Breach notifications (the group's address, no lead) were queued once per clock.
    assert query(
        data_dir, "SELECT count(*) FROM notifications_outboxmessage WHERE dedupe_key LIKE 'sla:%'"
    ) == [(3,)]
    assert breaches  # the worker, not this test, wrote them
