"""`itdesk demo`: a demo organisation, seven logins and a few dozen tickets in every state of the process.

Idempotent: organisation and accounts are looked up by code and username, and the tickets are only
played when none of them exists yet. Tickets are created and moved only through the ticket services.
"""

from __future__ import annotations

import bisect
import secrets
import string
import unicodedata
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from itdesk.accounts.choices import Role
from itdesk.accounts.models import Department, Membership, SupportGroup, User
from itdesk.core.errors import ServiceError
from itdesk.kb.demo import ensure_demo_articles
from itdesk.sla import services as sla_services
from itdesk.sla.models import TicketClock
from itdesk.tickets import services
from itdesk.tickets.choices import EventKind, Status
from itdesk.tickets.demo_data import ACCOUNTS, TICKETS, DemoAccount, DemoTicket, Step, ensure_organisation
from itdesk.tickets.models import Category, Comment, Priority, Ticket, TicketEvent

# Where each move of a story takes the ticket.
TARGETS = {
    "acknowledge": Status.ACKNOWLEDGED,
    "diagnose": Status.DIAGNOSING,
    "take_over": Status.DIAGNOSING,
    "escalate": Status.ESCALATED,
    "plan": Status.PLANNING,
    "request_approval": Status.AWAITING_APPROVAL,
    "approve": Status.IN_PROGRESS,
    "reject": Status.PLANNING,
    "execute": Status.IN_PROGRESS,
    "reassess": Status.PLANNING,
    "wait": Status.WAITING_ON_REQUESTER,
    "resolve": Status.RESOLVED,
    "confirm": Status.CLOSED,
    "close": Status.CLOSED,
    "reopen": Status.DIAGNOSING,
    "cancel": Status.CANCELLED,
}

# Usual minutes between one step and the next, for back-dating a story into a believable timeline.
USUAL_DELAY = {
    "acknowledge": 8,
    "diagnose": 15,
    "reply": 40,
    "note": 30,
    "priority": 10,
    "escalate": 45,
    "take_over": 30,
    "plan": 90,
    "request_approval": 120,
    "approve": 150,
    "reject": 200,
    "execute": 60,
    "reassess": 60,
    "wait": 25,
    "resolve": 120,
    "confirm": 16 * 60,
    "close": 20 * 60,
    "reopen": 60,
    "cancel": 90,
}
TICKET_TIMESTAMPS = (
    "created_at",
    "updated_at",
    "started_at",
    "acknowledged_at",
    "first_response_at",
    "escalated_at",
    "resolved_at",
    "closed_at",
)
PASSWORD_ALPHABET = string.ascii_letters + string.digits


class Command(BaseCommand):
    help = (
        "Create a demo organisation, seven demo logins and a few dozen tickets in every state (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            help="Set every demo account's password to this (default: random passwords for new accounts only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = options.get("password") or ""
        # One hash for the shared password: hashing is deliberately slow, and seven identical
        # passwords are no secret from each other anyway.
        shared_hash = make_password(password) if password else ""
        with transaction.atomic():
            departments, groups = ensure_organisation()
            logins = [_ensure_account(spec, departments, groups, password, shared_hash) for spec in ACCOUNTS]
            users = {user.username: user for user, _pw, _new in logins}
            played = 0 if _demo_tickets_exist() else _play_all(users)
            articles = ensure_demo_articles(users["agent1"])
        self._report(departments, groups, logins, played)
        self.stdout.write(_("Knowledge base articles created: %(count)s") % {"count": articles})

    def _report(
        self,
        departments: dict[str, Department],
        groups: dict[str, SupportGroup],
        logins: list[tuple[User, str, bool]],
        played: int,
    ) -> None:
        out = self.stdout
        new_accounts = sum(1 for _u, _pw, new in logins if new)
        out.write(self.style.MIGRATE_HEADING(_("ITDesk demo data")))
        out.write(
            _(
                "Departments: %(departments)s, support groups: %(groups)s, accounts: %(accounts)s (%(new)s new)"
            )
            % {
                "departments": len(departments),
                "groups": len(groups),
                "accounts": len(logins),
                "new": new_accounts,
            }
        )
        if played:
            out.write(_("Tickets created: %(count)s") % {"count": played})
        else:
            out.write(_("The demo tickets already exist; none created."))
        requesters = [spec.username for spec in ACCOUNTS if spec.role == Role.REQUESTER]
        by_status = Counter(
            Ticket.objects.filter(requester__username__in=requesters).values_list("status", flat=True)
        )
        out.write(
            _("Demo tickets by status: %(statuses)s")
            % {"statuses": ", ".join(f"{status.value} {by_status.get(status.value, 0)}" for status in Status)}
        )
        out.write("")
        out.write(self.style.MIGRATE_HEADING(_("Logins")))
        rows = [(_("username"), _("role"), _("name"), _("password"))]
        for user, chosen, _new in logins:
            rows.append((user.username, str(Role(user.role).label), user.name, chosen or _("(unchanged)")))
        widths = [max(_width(row[column]) for row in rows) + 2 for column in range(3)]
        for row in rows:
            out.write(
                "  "
                + "".join(_pad(cell, width) for cell, width in zip(row[:3], widths, strict=True))
                + row[3]
            )


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: Chinese characters are two wide."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _ensure_account(
    spec: DemoAccount,
    departments: dict[str, Department],
    groups: dict[str, SupportGroup],
    password: str,
    shared_hash: str,
) -> tuple[User, str, bool]:
    """Get or create one demo login; return it, the password set now ('' if kept) and whether it is new."""
    user, created = User.objects.get_or_create(
        username=spec.username,
        defaults={
            "display_name": spec.display_name,
            "email": spec.email,
            "role": spec.role,
            "department": departments[spec.department],
            "employee_id": spec.employee_id,
            "phone": spec.phone,
            "language": spec.language,
            "is_staff": spec.superuser,
            "is_superuser": spec.superuser,
        },
    )
    chosen = password
    if password:
        user.password = shared_hash
        user.save(update_fields=["password"])
    elif created:
        chosen = "".join(secrets.choice(PASSWORD_ALPHABET) for _i in range(16))
        user.set_password(chosen)
        user.save(update_fields=["password"])
    for group_code, tier, skills in spec.memberships:
        Membership.objects.get_or_create(
            group=groups[group_code], user=user, defaults={"tier": tier, "skills": skills}
        )
    if spec.leads and groups[spec.leads].lead_id is None:
        groups[spec.leads].lead = user
        groups[spec.leads].save(update_fields=["lead"])
    return user, chosen, created


def _demo_tickets_exist() -> bool:
    """Whether the demo tickets were played already (a demo requester has a ticket with a demo title)."""
    requesters = {story.requester for story in TICKETS}
    titles = {story.title for story in TICKETS}
    return Ticket.objects.filter(requester__username__in=requesters, title__in=titles).exists()


def _play_all(users: dict[str, User]) -> int:
    """Play every demo ticket story through the services; return how many tickets were created."""
    categories = {c.code: c for c in Category.objects.all()}
    priorities = {p.code: p for p in Priority.objects.all()}
    groups = {g.code: g for g in SupportGroup.objects.all()}
    now = timezone.now()
    # Oldest first, so request numbers follow the order in which the stories happened.
    timelines = sorted(((_timeline(story, now), story) for story in TICKETS), key=lambda pair: pair[0][0])
    for timeline, story in timelines:
        ticket = _play(story, timeline, users, categories, priorities, groups)
        if ticket.status != story.status:
            raise CommandError(
                f"demo ticket {story.title!r} ended in {ticket.status}, expected {story.status}"
            )
    return len(TICKETS)


def _play(
    story: DemoTicket,
    timeline: list[datetime],
    users: dict[str, User],
    categories: dict[str, Category],
    priorities: dict[str, Priority],
    groups: dict[str, SupportGroup],
) -> Ticket:
    """Create one ticket and take its steps, then move its timestamps into the story's past."""
    marks = [timezone.now()]  # marks[i]: real time just before step i ran (step 0 is the creation)
    requester = users[story.requester]
    ticket = services.create_ticket(
        actor=users[story.registered_by] if story.registered_by else requester,
        requester=requester,
        title=story.title,
        description=story.description,
        channel=story.channel,
        category=categories[story.category],
        impact=story.impact,
        urgency=story.urgency,
        started_at=timeline[0] - timedelta(minutes=20),
        **story.details,
    )
    for step in story.steps:
        marks.append(timezone.now())
        try:
            _take(ticket, step, users, priorities, groups)
        except ServiceError as exc:
            raise CommandError(
                f"demo ticket {story.title!r}, step {step.action}: {exc.code} {exc.message}"
            ) from exc
    marks.append(timezone.now())
    _backdate(ticket.pk, marks, timeline)
    # The services computed the SLA clocks from the real timestamps; recompute them from the story's.
    sla_services.refresh_ticket_clocks(ticket.pk)
    _backdate_sla(ticket.pk)
    ticket.refresh_from_db()
    return ticket


def _take(
    ticket: Ticket,
    step: Step,
    users: dict[str, User],
    priorities: dict[str, Priority],
    groups: dict[str, SupportGroup],
) -> None:
    actor = users[step.actor]
    if step.action in {"reply", "note"}:
        services.add_comment(ticket=ticket.pk, actor=actor, body=step.text, internal=step.action == "note")
    elif step.action == "priority":
        services.update_ticket(
            ticket=ticket.pk, actor=actor, changes={"priority": priorities[step.priority]}, reason=step.text
        )
    else:
        services.transition_ticket(
            ticket=ticket.pk,
            actor=actor,
            to=TARGETS[step.action],
            note="" if step.action == "resolve" else step.text,
            resolution=step.text if step.action == "resolve" else "",
            group=groups[step.group] if step.group else None,
            assignee=users[step.assignee] if step.assignee else None,
        )


def _timeline(story: DemoTicket, now: datetime) -> list[datetime]:
    """When the creation and each step happened: usual delays, squeezed to end before now."""
    created = _created_at(story, now)
    delays = [step.minutes or USUAL_DELAY.get(step.action, 30) for step in story.steps]
    if story.steps and story.steps[-1].action == "reply" and story.steps[-1].actor == story.requester:
        delays[-1] = max(delays[-1], 90)
    budget = (now - created).total_seconds() / 60 * 0.85
    scale = min(1.0, budget / sum(delays)) if delays else 1.0
    times = [created]
    for delay in delays:
        times.append(times[-1] + timedelta(minutes=delay * scale))
    return times


def _created_at(story: DemoTicket, now: datetime) -> datetime:
    """Stories older than a day start in working hours on a weekday; recent ones exactly `hours_ago` ago."""
    exact = now - timedelta(hours=story.hours_ago)
    if story.hours_ago < 24:
        return exact
    day = timezone.localtime(exact).date()
    while day.weekday() >= 5:  # Saturday, Sunday: people report it on Friday
        day -= timedelta(days=1)
    # A fixed, title-derived minute between 09:10 and 16:10, so reruns of the story land at the same time.
    minute = 9 * 60 + 10 + sum(map(ord, story.title)) % (7 * 60)
    start = datetime(
        day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=timezone.get_current_timezone()
    )
    return start if start < now - timedelta(hours=12) else exact


def _backdate(ticket_id: int, marks: list[datetime], timeline: list[datetime]) -> None:
    """Demo back-dating: move what each step wrote (ticket times, events, comments) to the step's story time.

    The services stamp everything with the real clock; only this demo rewrites history, with queryset
    updates (TicketEvent is append-only for the application, and that rule stays intact for it).
    """

    def story_time(value: datetime | None) -> datetime | None:
        if value is None or value < marks[0]:
            return value  # not written by the demo run (e.g. when the problem started)
        return timeline[min(bisect.bisect_right(marks, value) - 1, len(timeline) - 1)]

    for index, when in enumerate(timeline):
        window = {"ticket_id": ticket_id, "created_at__gte": marks[index], "created_at__lt": marks[index + 1]}
        TicketEvent.objects.filter(**window).update(created_at=when)
        Comment.objects.filter(**window).update(created_at=when)
    values = Ticket.objects.filter(pk=ticket_id).values(*TICKET_TIMESTAMPS).get()
    Ticket.objects.filter(pk=ticket_id).update(**{name: story_time(value) for name, value in values.items()})


def _backdate_sla(ticket_id: int) -> None:
    """Demo back-dating, continued: breaches found by the recomputation are dated when they happened.

    Recomputing a back-dated history finds targets that were missed days ago and records the breach
    now; a watcher running at the time would have recorded it when the target passed (its due time).
    """
    for clock in TicketClock.objects.filter(ticket_id=ticket_id, breached_at__gt=F("due_at")):
        TicketEvent.objects.filter(ticket_id=ticket_id, kind=EventKind.SLA_BREACH, field=clock.kind).update(
            created_at=clock.due_at
        )
        warned = min(clock.warned_at or clock.due_at, clock.warn_at or clock.due_at)
        TicketClock.objects.filter(pk=clock.pk).update(breached_at=clock.due_at, warned_at=warned)
