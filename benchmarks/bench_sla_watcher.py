"""How long the SLA watcher's pass takes over 100,000 open tickets when nothing is due.

Run with ``python benchmarks/bench_sla_watcher.py [--tickets 100000] [--data-dir DIR] [--repeat 7]``;
PostgreSQL with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/itdesk_bench_sla`` (the database is
created when missing). Migrations run first.

The benchmark tickets (numbers SLABENCH0000001...) are open, each with its three clocks, in the steady
state of a busy desk: most clocks far from due, one in ten already warned, one in ten already breached
and still open. Rows are bulk-inserted (bypassing the services on purpose: this is test data), then the
watcher's pass is timed with no warning or breach to record: its two reads must use the partial
indexes, so the cost does not grow with the number of open tickets. The query plans are printed too.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="open tickets (default 100000)")
    parser.add_argument("--data-dir", help="ITDesk data directory for SQLite (sets ITDESK_DATA_DIR)")
    parser.add_argument("--repeat", type=int, default=7, help="timed passes (default 7)")
    parser.add_argument("--batch", type=int, default=5_000, help="rows per insert (default 5000)")
    return parser.parse_args()


ARGS = _parse_args() if __name__ == "__main__" else None
if ARGS is not None and ARGS.data_dir:
    os.environ["ITDESK_DATA_DIR"] = str(Path(ARGS.data_dir).expanduser().resolve())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itdesk.config.settings")
try:
    import itdesk  # noqa: F401
except ImportError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def _ensure_postgres_database() -> None:
    """Create the PostgreSQL database named in DATABASE_URL when it does not exist yet."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    try:
        psycopg.connect(url).close()
        return
    except psycopg.OperationalError:
        pass
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


_ensure_postgres_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from itdesk.accounts.models import SupportGroup, User  # noqa: E402
from itdesk.sla.models import Calendar, ClockState, Policy, TargetKind, TicketClock  # noqa: E402
from itdesk.sla.watcher import BREACH, WARNING, due_clocks, run_watcher  # noqa: E402
from itdesk.tickets.models import Priority, Ticket  # noqa: E402

PREFIX = "SLABENCH"


def fill(total: int, batch: int) -> int:
    """Add benchmark tickets and clocks until there are `total`; return how many were added."""
    have = Ticket.objects.filter(number__startswith=PREFIX).count()
    if have >= total:
        return 0
    requester, _ = User.objects.get_or_create(
        username="bench.requester", defaults={"email": "bench@example.com"}
    )
    group, _ = SupportGroup.objects.get_or_create(
        code="service-desk", defaults={"name": "Service desk", "is_first_line": True}
    )
    priority = Priority.objects.get(code="P3")
    policy = Policy.objects.get(is_default=True)
    calendar = Calendar.objects.get(name="China working hours")
    now = timezone.now()
    added = 0
    for start in range(have, total, batch):
        stop = min(start + batch, total)
        with transaction.atomic():
            tickets = Ticket.objects.bulk_create(
                [
                    Ticket(
                        number=f"{PREFIX}{n:07d}",
                        title=f"Benchmark ticket {n}",
                        description="generated",
                        requester=requester,
                        priority=priority,
                        group=group,
                        status="diagnosing",
                        created_at=now - timedelta(minutes=n % 600),
                        updated_at=now,
                    )
                    for n in range(start, stop)
                ]
            )
            clocks = []
            for ticket in tickets:
                n = int(ticket.number[len(PREFIX) :])
                for index, kind in enumerate(TargetKind.values):
                    due = now + timedelta(days=30 + (n + index) % 300)
                    warn, warned, breached, state = due - timedelta(hours=6), None, None, ClockState.RUNNING
                    if n % 10 == 1:  # already warned, not yet due
                        warn, warned = now - timedelta(hours=1), now - timedelta(hours=1)
                    elif n % 10 == 2:  # breached earlier and still open
                        due, warn = now - timedelta(days=1), now - timedelta(days=2)
                        warned, breached, state = warn, due, ClockState.BREACHED
                    clocks.append(
                        TicketClock(
                            ticket=ticket,
                            kind=kind,
                            policy=policy,
                            calendar=calendar,
                            target_amount=8,
                            target_unit="hours",
                            target=timedelta(hours=8),
                            state=state,
                            started_at=ticket.created_at,
                            due_at=due,
                            warn_at=warn,
                            warned_at=warned,
                            breached_at=breached,
                            elapsed=timedelta(0),
                            computed_at=now,
                        )
                    )
            TicketClock.objects.bulk_create(clocks, batch_size=batch)
        added += stop - start
        print(f"  inserted {stop:,} / {total:,} tickets", end="\r", flush=True)
    print()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return added


def plan(event: str) -> str:
    """The database's query plan of one of the watcher's two reads."""
    sql, params = due_clocks(event, timezone.now()).query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    return "\n".join("    " + str(row[-1]) for row in rows)


def main(args: argparse.Namespace) -> None:
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    added = fill(args.tickets, args.batch)
    if added:
        print(f"  {added:,} tickets and {3 * added:,} clocks inserted in {time.perf_counter() - began:.1f} s")
    open_tickets = Ticket.objects.active().count()
    clocks = TicketClock.objects.count()
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    print(f"open tickets: {open_tickets:,}; clocks: {clocks:,}")
    for event in (BREACH, WARNING):
        print(f"  plan of the {event} read:\n{plan(event)}")
    timings = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        report = run_watcher()
        timings.append(time.perf_counter() - began)
        if report.warnings or report.breaches or report.failed:
            raise SystemExit(f"expected no work, got {report}")
    ms = sorted(t * 1000 for t in timings)
    print(
        f"watcher pass with nothing due: median {statistics.median(ms):.2f} ms, best {ms[0]:.2f} ms, "
        f"worst {ms[-1]:.2f} ms over {len(ms)} passes (target < 1000 ms)"
    )


if __name__ == "__main__":
    assert ARGS is not None
    main(ARGS)
