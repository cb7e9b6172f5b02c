"""The SLA watcher: marks warnings and breaches that came due and runs the policy's actions, once each.

A pass reads only the clocks still to warn or breach whose instant has passed (two partial indexes), so
100,000 quiet clocks cost nothing. Each clock is then handled in its own transaction that first locks the
ticket (the same order as every ticket write, so no deadlock) and claims the clock with a conditional
UPDATE ... WHERE warned_at IS NULL (or breached_at IS NULL): whichever worker wins runs the actions, in
the same transaction, and the others update nothing. A crash rolls the claim back with the actions, so a
retry does them once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from itdesk.accounts.models import User
from itdesk.sla.explain import KIND_LABELS
from itdesk.sla.models import ClockState, TicketClock
from itdesk.sla.services import record_sla_event
from itdesk.tickets import services as ticket_services
from itdesk.tickets import workflow
from itdesk.tickets.choices import EventKind
from itdesk.tickets.models import Priority, Ticket

log = logging.getLogger(__name__)

WARNING = "warning"
BREACH = "breach"
SUBJECTS = {
    WARNING: _("[%(number)s] SLA warning: %(target)s due %(due)s"),
    BREACH: _("[%(number)s] SLA breached: %(target)s was due %(due)s"),
}


@dataclass
class WatchReport:
    """What one pass did."""

    warnings: int = 0
    breaches: int = 0
    failed: list[int] = field(default_factory=list)


def due_clocks(event: str, now: datetime) -> QuerySet[TicketClock]:
    """(pk, ticket id) of the clocks whose warning (or breach) instant passed unrecorded: an indexed read."""
    qs = TicketClock.objects.filter(state=ClockState.RUNNING)
    if event == BREACH:
        qs = qs.filter(breached_at__isnull=True, due_at__lte=now).order_by("due_at")
    else:
        # Not yet overdue: an overdue clock gets its breach, not a late warning first.
        qs = qs.filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now).order_by("warn_at")
    return qs.values_list("pk", "ticket_id")


def run_watcher(*, now: datetime | None = None, batch: int = 500) -> WatchReport:
    """One pass: record every due breach, then every due warning, with their actions."""
    now = now or timezone.now()
    report = WatchReport()
    for event in (BREACH, WARNING):
        failed: set[int] = set()
        while True:
            qs = due_clocks(event, now)
            if failed:
                qs = qs.exclude(pk__in=failed)
            chunk = list(qs[:batch])
            for clock_id, ticket_id in chunk:
                try:
                    done = handle_clock(clock_id, ticket_id, event, now)
                except Exception:  # one broken ticket must not stop the pass; retried next pass
                    log.exception("SLA %s of clock %s failed", event, clock_id)
                    failed.add(clock_id)
                    report.failed.append(clock_id)
                    continue
                if done:
                    if event == BREACH:
                        report.breaches += 1
                    else:
                        report.warnings += 1
            if len(chunk) < batch:
                break
    return report


def _claim(clock_id: int, event: str, now: datetime) -> bool:
    """Take the clock's warning or breach; only one worker ever wins."""
    qs = TicketClock.objects.filter(pk=clock_id, state=ClockState.RUNNING)
    if event == BREACH:
        return bool(
            qs.filter(breached_at__isnull=True, due_at__lte=now).update(
                breached_at=now, state=ClockState.BREACHED, warned_at=Coalesce("warned_at", Value(now))
            )
        )
    return bool(qs.filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now).update(warned_at=now))


def handle_clock(clock_id: int, ticket_id: int, event: str, now: datetime) -> bool:
    """Claim one clock's warning or breach and run its actions; False when someone else already did."""
    with transaction.atomic():
        # Lock the ticket before the clock: the order every ticket write takes.
        if not Ticket.objects.select_for_update().filter(pk=ticket_id).exists():
            return False
        if not _claim(clock_id, event, now):
            return False
        clock = TicketClock.objects.select_related(
            "policy", "ticket__priority", "ticket__group__lead", "ticket__assignee", "ticket__category"
        ).get(pk=clock_id)
        done = run_actions(clock, event)
        record_sla_event(clock, EventKind.SLA_BREACH if event == BREACH else EventKind.SLA_WARNING, done)
    return True


# ---------------------------------------------------------------- actions


def run_actions(clock: TicketClock, event: str) -> list[str]:
    """Run the policy's actions for `event`; return what was done, in the desk's language."""
    policy = clock.policy
    if policy is None:
        return []
    done: list[str] = []
    with translation.override(settings.LANGUAGE_CODE):
        for action in policy.actions_for(event):
            try:
                with transaction.atomic():  # a failed action is noted, the others still run
                    text = ACTIONS[action](clock, event)
            except Exception as exc:
                log.exception("SLA action %s on clock %s failed", action, clock.pk)
                text = str(_("%(action)s failed: %(error)s") % {"action": action, "error": exc})
            if text:
                done.append(text)
    return done


def _notify(clock: TicketClock, event: str, action: str, recipients: list[tuple[str, str]]) -> int:
    """Queue the alert for each recipient (address, language) through the outbox, deduplicated per clock.

    Queued by tickets.notify in the recipient's language with the shared mail layout (text and HTML),
    threaded with the ticket's other mail, and sent on the channels the person chose.
    """
    from itdesk.tickets.notify import queue_sla_alert

    return queue_sla_alert(clock, event, action, recipients, SUBJECTS[event])


def _person(user: User | None) -> list[tuple[str, str]]:
    return [(user.email, user.language)] if user is not None and user.email else []


def notify_assignee(clock: TicketClock, event: str) -> str:
    """Tell the assignee (or the group's address when no one is assigned)."""
    ticket = clock.ticket
    recipients = _person(ticket.assignee)
    if not recipients and ticket.group is not None and ticket.group.email:
        recipients = [(ticket.group.email, "")]
    if not recipients:
        return str(_("no assignee or group address to notify"))
    _notify(clock, event, "assignee", recipients)
    return str(_("notified %(who)s") % {"who": recipients[0][0]})


def notify_lead(clock: TicketClock, event: str) -> str:
    """Tell the lead of the ticket's group."""
    group = clock.ticket.group
    recipients = _person(group.lead if group else None)
    if not recipients:
        return str(_("no group lead to notify"))
    _notify(clock, event, "lead", recipients)
    return str(_("notified the group lead %(who)s") % {"who": recipients[0][0]})


def escalate(clock: TicketClock, event: str) -> str:
    """Hand the ticket to its category's specialist group, if the process lets the system do it."""
    ticket = clock.ticket
    if ticket.group is not None and not ticket.group.is_first_line:
        return str(_("already with a specialist group"))
    group = ticket.category.default_group if ticket.category else None
    if group is None or group.is_first_line:
        return str(_("escalation needed, but the category names no specialist group: escalate by hand"))
    try:
        workflow.find_transition(ticket.status, workflow.Status.ESCALATED, {"system"})
    except workflow.WorkflowError:
        return str(
            _(
                "escalation to %(group)s needed; the process does not let the system escalate: escalate by hand"
            )
            % {"group": group.name}
        )
    ticket_services.transition_ticket(
        ticket=ticket.pk,
        actor=None,
        system=True,
        to=workflow.Status.ESCALATED,
        group=group,
        note=str(
            _("Escalated automatically: the %(target)s target is at risk.")
            % {"target": KIND_LABELS[clock.kind]}
        ),
    )
    return str(_("escalated to %(group)s") % {"group": group.name})


def raise_priority(clock: TicketClock, event: str) -> str:
    """Move the ticket one priority level up (a reason is recorded and told to the requester)."""
    ticket = clock.ticket
    higher = Priority.objects.filter(rank__lt=ticket.priority.rank).order_by("-rank").first()
    if higher is None:
        return str(_("already at the highest priority"))
    reason = _("SLA %(event)s on the %(target)s target") % {
        "event": _("warning") if event == WARNING else _("breach"),
        "target": KIND_LABELS[clock.kind],
    }
    ticket_services.update_ticket(
        ticket=ticket.pk, actor=None, changes={"priority": higher}, reason=str(reason)
    )
    return str(_("raised the priority to %(priority)s") % {"priority": higher.code})


ACTIONS = {
    "notify_assignee": notify_assignee,
    "notify_lead": notify_lead,
    "escalate": escalate,
    "raise_priority": raise_priority,
}
