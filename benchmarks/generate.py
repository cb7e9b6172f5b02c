"""Fill an ITDesk database with generated, realistic tickets for benchmarks.

Run with ``python benchmarks/generate.py --tickets 1000000 [--data-dir DIR] [--years 2] [--seed 2026]``.

The database is the one the settings point at (ITDESK_DATA_DIR, or DATABASE_URL); ``--data-dir`` sets
ITDESK_DATA_DIR for you. Migrations run first. Tickets are spread over the last ``--years`` years
(weekdays and office hours busier, volume growing over time), in Chinese and English, with realistic
statuses (most closed, about 10% still active), priorities from the impact x urgency matrix, categories,
groups and assignees, a few hundred requesters and about fifty agents. Each ticket gets its "created"
event, a status event when it moved on, and about 40% of them get replies or internal notes.

Rows are written with executemany in large batches, one transaction per batch, bypassing the services
on purpose: this is bulk test data, not a way to create real tickets. Request numbers follow the desk's
number pattern and the core.Counter rows are advanced, so tickets created afterwards never collide.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tickets", type=int, default=100_000, help="how many tickets to add (default 100000)"
    )
    parser.add_argument("--data-dir", help="ITDesk data directory (sets ITDESK_DATA_DIR)")
    parser.add_argument(
        "--years", type=float, default=2.0, help="spread tickets over this many years (default 2)"
    )
    parser.add_argument("--requesters", type=int, default=400, help="generated requesters (default 400)")
    parser.add_argument("--agents", type=int, default=50, help="generated agents (default 50)")
    parser.add_argument("--batch", type=int, default=20_000, help="tickets per transaction (default 20000)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    return parser.parse_args()


ARGS = _parse_args() if __name__ == "__main__" else None
if ARGS is not None and ARGS.data_dir:
    os.environ["ITDESK_DATA_DIR"] = str(Path(ARGS.data_dir).expanduser().resolve())
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itdesk.config.settings")
try:
    import itdesk  # noqa: F401
except ImportError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from tqdm import tqdm  # noqa: E402

from itdesk.accounts.models import Department, Membership, SupportGroup, User  # noqa: E402
from itdesk.core.models import Counter  # noqa: E402
from itdesk.core.numbering import render, render_prefix  # noqa: E402
from itdesk.tickets.demo_data import ensure_organisation  # noqa: E402
from itdesk.tickets.models import Category, Comment, DeskSettings, Priority, Ticket, TicketEvent  # noqa: E402
from itdesk.tickets.services import PRIORITY_MATRIX  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from texts import (  # noqa: E402
    AGENT_REPLIES,
    CANCEL_REASONS,
    EN_NAMES,
    GIVEN_NAMES,
    INTERNAL_NOTES,
    REQUESTER_REPLIES,
    SURNAMES,
    TEMPLATES,
    WAIT_QUESTIONS,
    fill,
)

# ---------------------------------------------------------------- distributions

ACTIVE = ("new", "acknowledged", "diagnosing", "escalated", "planning", "awaiting_approval", "in_progress",
          "waiting_on_requester")  # fmt: skip
ACTIVE_WEIGHTS = (12, 8, 24, 12, 6, 4, 16, 18)
SPECIALIST_STATUSES = {"escalated", "planning", "awaiting_approval", "in_progress"}
CHANNELS = ("portal", "email", "phone", "walk_in", "im", "api")
CHANNEL_WEIGHTS = (50, 20, 15, 5, 8, 2)
IMPACT_WEIGHTS = (3, 20, 77)  # high, medium, low
URGENCY_WEIGHTS = (20, 55, 25)
RESOLUTION_MEAN_MINUTES = (90, 240, 720, 2400)  # by priority position: P1 .. P4
SAMPLE_SIZE = 10_000


def active_probability(age_days: float) -> float:
    """How likely a ticket of this age is still in the process: recent ones mostly, a tail of old ones."""
    if age_days < 2:
        return 0.75
    if age_days < 7:
        return 0.45
    if age_days < 30:
        return 0.15
    return 0.085


# ---------------------------------------------------------------- people


def ensure_people(n_requesters: int, n_agents: int, rng: random.Random) -> tuple[list[User], list[User]]:
    """Generated requesters and agents (usernames gen.req0001, gen.agent01...), created once, reused after."""
    departments = list(Department.objects.exclude(code__in=["hq", "it"])) or list(Department.objects.all())
    it = Department.objects.filter(code="it").first()
    unusable = make_password(None)  # generated people never sign in
    people: list[User] = []
    for n in range(1, n_requesters + 1):
        zh = rng.random() < 0.8
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES) if zh else rng.choice(EN_NAMES)
        people.append(_person(f"gen.req{n:04d}", name, "requester", rng.choice(departments), f"GR{n:05d}",
                              "zh-hans" if zh else "en", unusable))  # fmt: skip
    for n in range(1, n_agents + 1):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        role = "lead" if n % 12 == 0 else "agent"
        people.append(_person(f"gen.agent{n:02d}", name, role, it, f"GA{n:05d}", "zh-hans", unusable))
    User.objects.bulk_create(people, ignore_conflicts=True, batch_size=500)
    requesters = list(User.objects.filter(username__startswith="gen.req").order_by("pk")[:n_requesters])
    agents = list(User.objects.filter(username__startswith="gen.agent").order_by("pk")[:n_agents])
    _place_agents(agents)
    return requesters, agents


def _person(username: str, name: str, role: str, dept: Any, employee_id: str, lang: str, pw: str) -> User:
    return User(
        username=username,
        display_name=name,
        email=f"{username}@example.com",
        role=role,
        department=dept,
        employee_id=employee_id,
        phone=f"139{abs(hash(username)) % 10**8:08d}",
        language=lang,
        password=pw,
    )


def _place_agents(agents: Sequence[User]) -> None:
    """Spread agents over the groups: most on the service desk, the rest in specialist groups."""
    groups = {g.code: g for g in SupportGroup.objects.all()}
    plan = [("service-desk", 0.4), ("hardware", 0.12), ("software", 0.16), ("network", 0.12),
            ("accounts", 0.1), ("security", 0.1)]  # fmt: skip
    memberships = []
    position = 0
    for code, share in plan:
        count = max(1, round(len(agents) * share))
        for index, agent in enumerate(agents[position : position + count]):
            tier = "L1" if code == "service-desk" and index % 3 else ("L3" if agent.role == "lead" else "L2")
            memberships.append(Membership(group=groups[code], user=agent, tier=tier))
        position += count
    Membership.objects.bulk_create(memberships, ignore_conflicts=True)


# ---------------------------------------------------------------- time


def daily_counts(total: int, first: date, last: date, rng: random.Random) -> list[tuple[date, int]]:
    """Tickets per day: weekdays busy, weekends quiet, volume growing over the period; sums to `total`."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    weights = []
    for index, day in enumerate(days):
        weekday = (1.0, 1.0, 1.0, 1.0, 0.95, 0.12, 0.08)[day.weekday()]
        growth = 0.7 + 0.6 * index / max(1, len(days) - 1)
        weights.append(weekday * growth * rng.uniform(0.85, 1.15))
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    remainders = sorted(range(len(days)), key=lambda i: weights[i] * scale - counts[i], reverse=True)
    for i in remainders[: total - sum(counts)]:
        counts[i] += 1
    return list(zip(days, counts, strict=True))


def times_of_day(day: date, count: int, rng: random.Random) -> list[datetime]:
    """Local (naive) times of `count` tickets on `day`, mostly in office hours, sorted."""
    seconds = []
    for _ in range(count):
        if rng.random() < 0.9:
            seconds.append(int(rng.triangular(8.5 * 3600, 18.5 * 3600, 10.5 * 3600)))
        else:
            seconds.append(rng.randrange(0, 86400))
    seconds.sort()
    midnight = datetime(day.year, day.month, day.day)
    return [midnight + timedelta(seconds=s) for s in seconds]


# ---------------------------------------------------------------- rows

TICKET_FIELDS = ("id", "number", "title", "description", "requester", "contact_phone", "contact_email", "channel",
                 "category", "started_at", "impact_scope", "tried", "device_model", "os_version", "software_version",
                 "impact", "urgency", "priority", "status", "status_before_wait", "group", "assignee", "resolution",
                 "version", "created_at", "updated_at", "acknowledged_at", "first_response_at", "escalated_at",
                 "resolved_at", "closed_at", "sla_next_due")  # fmt: skip
COMMENT_FIELDS = ("id", "ticket", "author", "body", "internal", "created_at")
EVENT_FIELDS = (
    "ticket",
    "actor",
    "kind",
    "field",
    "old_value",
    "new_value",
    "note",
    "public",
    "comment",
    "created_at",
)
# The status a ticket plausibly came from, and how many moves it took to get where it is.
PREVIOUS = {"acknowledged": "new", "diagnosing": "acknowledged", "escalated": "diagnosing", "planning": "escalated",
            "awaiting_approval": "planning", "in_progress": "awaiting_approval", "waiting_on_requester": "diagnosing",
            "resolved": "diagnosing", "closed": "resolved", "cancelled": "new"}  # fmt: skip
MOVES = {"new": 0, "acknowledged": 1, "diagnosing": 2, "escalated": 3, "planning": 4, "awaiting_approval": 5,
         "in_progress": 6, "waiting_on_requester": 3, "resolved": 3, "closed": 4, "cancelled": 1}  # fmt: skip
PRIVATE_MOVES = {"escalated", "awaiting_approval", "in_progress"}  # their notes are for the desk only


def check_fields(model: type[models.Model], names: Sequence[str], *, with_id: bool = True) -> None:
    """Stop with a clear message when a model gained or lost a column the generator must fill."""
    actual = {f.name for f in model._meta.concrete_fields if with_id or not f.primary_key}
    if actual != set(names):
        raise SystemExit(
            f"{model.__name__} columns changed (missing here: {sorted(actual - set(names))}, unknown: "
            f"{sorted(set(names) - actual)}); update benchmarks/generate.py"
        )


def insert_sql(model: type[models.Model], names: Sequence[str]) -> str:
    """An INSERT for `names` of `model`, with placeholders Django's cursor understands on every backend."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in names)
    return f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"


class Generator:
    """Makes ticket, comment and event rows, day by day, in creation order."""

    def __init__(self, requesters: list[User], agents: list[User], rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now  # naive UTC, like every time below
        self.zone = timezone.get_default_timezone()
        self.pattern = settings.ITDESK_NUMBER_PATTERN or DeskSettings.load().number_pattern
        self.levels = list(Priority.objects.order_by("rank"))
        self.categories = {c.code: c for c in Category.objects.select_related("parent")}
        groups = list(SupportGroup.objects.all())
        self.first_line = next((g for g in groups if g.is_first_line), groups[0])
        by_group: dict[int, list[int]] = {g.pk: [] for g in groups}
        for group_id, user_id in Membership.objects.filter(user__in=agents).values_list(
            "group_id", "user_id"
        ):
            by_group[group_id].append(user_id)
        self.agents_of = by_group
        self.requesters = [(u.pk, u.language != "en", u.phone, u.email) for u in requesters]
        # Cumulative weights, computed once: random.choices would otherwise re-add them on every call.
        self.requester_cum = list(
            accumulate(1 / (rank + 5) for rank in range(len(requesters)))
        )  # frequent callers
        self.template_cum = list(accumulate(t.weight for t in TEMPLATES))
        self.active_cum = list(accumulate(ACTIVE_WEIGHTS))
        self.channel_cum = list(accumulate(CHANNEL_WEIGHTS))
        self.impact_cum = list(accumulate(IMPACT_WEIGHTS))
        self.urgency_cum = list(accumulate(URGENCY_WEIGHTS))
        self.counters = dict(
            Counter.objects.filter(key__startswith="ticket:").values_list("key", "value").iterator()
        )
        self.dirty: set[str] = set()
        self.next_ticket = (Ticket.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
        self.next_comment = (Comment.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
        sqlite = connection.vendor == "sqlite"
        # Django keeps SQLite times as UTC text; other backends take aware datetimes.
        self.ts = (
            (lambda d: None if d is None else str(d))
            if sqlite
            else (lambda d: None if d is None else d.replace(tzinfo=UTC))
        )

    def number(self, local: datetime) -> str:
        """The next request number for a local creation time, advancing the day's counter."""
        key = f"ticket:{render_prefix(self.pattern, local)}"
        seq = self.counters.get(key, 0) + 1
        self.counters[key] = seq
        self.dirty.add(key)
        return render(self.pattern, local, seq)

    def day(self, local_times: list[datetime], tickets: list, comments: list, events: list) -> None:
        """Append the rows of the tickets created at `local_times` (sorted) to the three lists."""
        for local in local_times:
            self.ticket(local, tickets, comments, events)

    def ticket(self, local: datetime, tickets: list, comments: list, events: list) -> None:
        rng, ts, now = self.rng, self.ts, self.now
        created = local.replace(tzinfo=self.zone).astimezone(UTC).replace(tzinfo=None)
        age_days = (now - created).total_seconds() / 86400
        if rng.random() < active_probability(age_days):
            status = rng.choices(ACTIVE, cum_weights=self.active_cum)[0]
        else:
            roll = rng.random()
            status = (
                "cancelled" if roll < 0.05 else ("resolved" if roll < 0.12 and age_days < 14 else "closed")
            )
        template = rng.choices(TEMPLATES, cum_weights=self.template_cum)[0]
        requester_id, zh, phone, email = rng.choices(self.requesters, cum_weights=self.requester_cum)[0]
        title, description, resolution, details = fill(template, zh, rng)
        impact = rng.choices((1, 2, 3), cum_weights=self.impact_cum)[0]
        urgency = rng.choices((1, 2, 3), cum_weights=self.urgency_cum)[0]
        level = min(PRIORITY_MATRIX[(impact, urgency)], len(self.levels) - 1)
        priority = self.levels[level]
        category = self.categories[template.category]
        channel = rng.choices(CHANNELS, cum_weights=self.channel_cum)[0]

        specialist = (status in SPECIALIST_STATUSES and rng.random() < 0.8) or (
            status in {"resolved", "closed"} and rng.random() < 0.3
        )
        group = self.first_line
        if specialist:
            group = category.default_group or (category.parent and category.parent.default_group) or group
        team = self.agents_of.get(group.pk) or self.agents_of[self.first_line.pk]
        assignee = None
        if status != "new" and not (status == "escalated" and rng.random() < 0.25):
            assignee = rng.choice(team)

        def later(start: datetime, mean_minutes: float) -> datetime:
            return min(start + timedelta(seconds=int(rng.expovariate(1 / mean_minutes) * 60) + 30), now)

        acknowledged = later(created, priority.response_minutes * 0.7) if status != "new" else None
        escalated = later(acknowledged, 60) if specialist and acknowledged else None
        resolved = closed = None
        if status in {"resolved", "closed"}:
            resolved = later(escalated or acknowledged or created, RESOLUTION_MEAN_MINUTES[min(level, 3)])
        if status == "closed":
            closed = min(resolved + timedelta(seconds=rng.randrange(3600, 3 * 86400)), now)
        elif status == "cancelled":
            closed = later(created, 300)
        moved = closed or resolved or (later(escalated or acknowledged, 120) if acknowledged else None)
        updated = max(t for t in (created, acknowledged, escalated, resolved, closed, moved) if t is not None)
        started = created - timedelta(seconds=rng.randrange(600, 86400)) if rng.random() < 0.3 else None

        ticket_id = self.next_ticket
        self.next_ticket += 1
        tickets.append((
            ticket_id, self.number(local), title, description, requester_id, phone, email, channel, category.pk,
            ts(started), "", "", details.get("device_model", ""), details.get("os_version", ""),
            details.get("software_version", ""), impact, urgency, priority.pk, status,
            "diagnosing" if status == "waiting_on_requester" else "", group.pk, assignee,
            resolution if resolved else "", 1 + MOVES[status], ts(created), ts(updated), ts(acknowledged),
            ts(acknowledged), ts(escalated), ts(resolved), ts(closed), None,  # no SLA clocks: nothing due
        ))  # fmt: skip
        desk_registered = channel in {"phone", "walk_in"}
        creator = rng.choice(self.agents_of[self.first_line.pk]) if desk_registered else requester_id
        ticket_events = [(created, creator, "created", "", "", "new", "", True, None)]
        if status != "new":
            note = ""
            if status == "waiting_on_requester":
                note = WAIT_QUESTIONS[zh]
            elif status == "cancelled":
                note = CANCEL_REASONS[zh]
            actor = requester_id if status in {"closed", "cancelled"} and rng.random() < 0.6 else assignee
            ticket_events.append((updated, actor, "status", "status", PREVIOUS[status], status, note,
                                  status not in PRIVATE_MOVES, None))  # fmt: skip
        if status != "new" and rng.random() < 0.4:
            span = max(1, int((updated - created).total_seconds()))
            for _ in range(rng.choice((1, 1, 2, 3))):
                when = created + timedelta(seconds=rng.randrange(span))
                roll = rng.random()
                if roll < 0.25:
                    author, body, internal = assignee or team[0], rng.choice(INTERNAL_NOTES), True
                elif roll < 0.7:
                    author, body, internal = assignee or team[0], rng.choice(AGENT_REPLIES[zh]), False
                else:
                    author, body, internal = requester_id, rng.choice(REQUESTER_REPLIES[zh]), False
                comment_id = self.next_comment
                self.next_comment += 1
                comments.append((comment_id, ticket_id, author, body, internal, ts(when)))
                ticket_events.append((when, author, "note" if internal else "comment", "", "", "", "",
                                      not internal, comment_id))  # fmt: skip
        ticket_events.sort(key=lambda event: event[0])
        for when, actor, kind, fld, old, new, note, public, comment_id in ticket_events:
            events.append((ticket_id, actor, kind, fld, old, new, note, public, comment_id, ts(when)))

    def counter_values(self) -> list[tuple[str, int]]:
        """The counters changed since the last call, to write with the batch."""
        values = [(key, self.counters[key]) for key in sorted(self.dirty)]
        self.dirty.clear()
        return values


# ---------------------------------------------------------------- main


def batches(plan: list[tuple[date, int]], size: int, rng: random.Random) -> Iterator[list[list[datetime]]]:
    """Whole days grouped into batches of about `size` tickets."""
    batch: list[list[datetime]] = []
    count = 0
    for day, n in plan:
        batch.append(times_of_day(day, n, rng))
        count += n
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def produce(
    generator: Generator, plan: list[tuple[date, int]], size: int, rng: random.Random, handover: Any
) -> None:
    """Worker process: make the rows batch by batch and hand them over; None marks the end."""
    sample: list[str] = []  # a uniform sample of the numbers (reservoir), for bench_api.py's detail reads
    seen = 0
    for days in batches(plan, size, rng):
        rows: dict[str, list[tuple[Any, ...]]] = {"tickets": [], "comments": [], "events": []}
        for local_times in days:
            generator.day(local_times, rows["tickets"], rows["comments"], rows["events"])
        for row in rows["tickets"]:
            seen += 1
            if len(sample) < SAMPLE_SIZE:
                sample.append(row[1])
            elif (slot := rng.randrange(seen)) < SAMPLE_SIZE:
                sample[slot] = row[1]
        handover.put((rows, generator.counter_values()))
    handover.put(None)
    handover.put(sample)


def tune_for_loading() -> None:
    """SQLite: a bigger page cache and no fsync for this bulk load (a crash only loses generated data)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-524288")  # 512 MiB
            cursor.execute("PRAGMA temp_store=MEMORY")


def main(args: argparse.Namespace) -> None:
    """Generate and insert the tickets, then refresh the planner statistics."""
    started = time.perf_counter()
    database = settings.DATABASES["default"]
    print(f"database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
    call_command("migrate", verbosity=0)
    check_fields(Ticket, TICKET_FIELDS)
    check_fields(Comment, COMMENT_FIELDS)
    check_fields(TicketEvent, EVENT_FIELDS, with_id=False)
    rng = random.Random(args.seed)
    ensure_organisation()
    requesters, agents = ensure_people(args.requesters, args.agents, rng)

    now = timezone.now().astimezone(UTC).replace(tzinfo=None, microsecond=0)
    today = timezone.localdate()
    first = today - timedelta(days=int(args.years * 365))
    # Today only up to now: skip today so no ticket is created in the future.
    plan = daily_counts(args.tickets, first, today - timedelta(days=1), rng)
    generator = Generator(requesters, agents, rng, now)
    sql = {
        "tickets": insert_sql(Ticket, TICKET_FIELDS),
        "comments": insert_sql(Comment, COMMENT_FIELDS),
        "events": insert_sql(TicketEvent, EVENT_FIELDS),
    }
    totals = {"tickets": 0, "comments": 0, "events": 0}
    waited = written = 0.0
    # Rows are made in a forked worker while this process writes the previous batch: on two cores
    # that hides most of the Python time behind the database's.
    context = multiprocessing.get_context("fork")
    handover: Any = context.Queue(maxsize=3)
    connection.close()  # the worker must not share this process's database handle
    worker = context.Process(target=produce, args=(generator, plan, args.batch, rng, handover), daemon=True)
    worker.start()
    tune_for_loading()
    with tqdm(total=args.tickets, unit="ticket", unit_scale=True, smoothing=0.05) as progress:
        while True:
            mark = time.perf_counter()
            item = handover.get()
            waited += time.perf_counter() - mark
            if item is None:
                sample = handover.get()
                break
            rows, counters = item
            mark = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                for name in ("tickets", "comments", "events"):  # parents before children
                    cursor.executemany(sql[name], rows[name])
                    totals[name] += len(rows[name])
                Counter.objects.bulk_create(
                    [Counter(key=key, value=value) for key, value in counters],
                    update_conflicts=True,
                    unique_fields=["key"],
                    update_fields=["value"],
                )
            written += time.perf_counter() - mark
            progress.update(len(rows["tickets"]))
    worker.join()
    numbers_file = Path(settings.DATA_DIR) / "sample-numbers.txt"
    numbers_file.write_text("".join(f"{number}\n" for number in sample), encoding="utf-8")
    inserted = time.perf_counter() - started

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Ticket, Comment, TicketEvent]):
            cursor.execute(statement)  # PostgreSQL: the id sequences continue after the explicit ids
        cursor.execute("ANALYZE")  # planner statistics: without them SQLite may pick poor indexes
    elapsed = time.perf_counter() - started
    print(
        f"inserted {totals['tickets']:,} tickets, {totals['events']:,} events, {totals['comments']:,} comments "
        f"in {inserted:.1f} s ({totals['tickets'] / max(inserted, 1e-9):,.0f} tickets/s); "
        f"ANALYZE done at {elapsed:.1f} s"
    )
    print(f"time writing rows: {written:.1f} s, waiting for the row maker: {waited:.1f} s")
    print(
        f"{len(sample):,} random request numbers written to {numbers_file} (for bench_api.py --numbers-file)"
    )
    print(
        f"database now holds {Ticket.objects.count():,} tickets, {Ticket.objects.active().count():,} active"
    )
    if connection.vendor == "sqlite":
        size = Path(database["NAME"]).stat().st_size
        print(f"database file: {size / 2**20:,.0f} MiB")


if __name__ == "__main__":
    assert ARGS is not None
    main(ARGS)
