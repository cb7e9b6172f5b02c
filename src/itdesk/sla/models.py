"""Service levels as data: business calendars, SLA policies and their rules, and each ticket's clocks.

The maths lives in the pure `engine`; these models only hold what an administrator edits and the
denormalised clock rows the watcher scans (one per ticket and target, recomputed on every change).
"""

from __future__ import annotations

import zoneinfo
from datetime import time

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from itdesk.tickets.models import BilingualName


def validate_timezone(value: str) -> None:
    """Refuse a time zone name the IANA database does not know."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("“%(zone)s” is not a known time zone."), params={"zone": value}) from None


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (no work)")
    WORKDAY = "workday", _("Make-up workday (调休)")


class DaySource(models.TextChoices):
    IMPORTED = "imported", _("Official schedule")
    MANUAL = "manual", _("Added by hand")


class TargetKind(models.TextChoices):
    RESPONSE = "response", _("First response")
    ESCALATION = "escalation", _("Escalation to a specialist group")
    RESOLUTION = "resolution", pgettext_lazy("SLA target", "Resolution")  # 解决, not the resolution summary


class TargetUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    HOURS = "hours", _("hours")
    DAYS = "days", _("working days")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    CANCELLED = "cancelled", _("No longer applies")


class Calendar(models.Model):
    """When the desk works: a time zone, weekly working periods, holidays and make-up workdays."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_timezone]
    )
    is_24x7 = models.BooleanField(
        _("24x7"),
        default=False,
        help_text=_("Always open: every minute counts, working periods and holidays are ignored."),
    )
    workday_template = models.PositiveSmallIntegerField(
        _("make-up workdays work like"),
        choices=Weekday.choices,
        default=Weekday.MONDAY,
        help_text=_("The weekday whose working periods a make-up workday uses; also the length of “1 day”."),
    )
    warn_missing_holidays = models.BooleanField(
        _("warn when a year has no holidays"),
        default=True,
        help_text=_("Show a desk warning when the current or next year has no holiday schedule loaded."),
    )
    # Bumped on every change of the calendar or its rows: built calendars are cached per (id, version).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class WorkingPeriod(models.Model):
    """One working period of a weekday, e.g. Monday 09:00-12:00; a day may have several."""

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="periods"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        ordering = ["calendar", "weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def end_of_day(self) -> time:
        """The end as the engine reads it (00:00 is midnight at the end of the day)."""
        return time.max if self.end == time(0) else self.end

    def clean(self) -> None:
        """A period ends after it starts (or at midnight)."""
        if self.start is not None and self.end is not None and self.end_of_day <= self.start:
            raise ValidationError({"end": _("The period must end after it starts.")})


class CalendarDay(BilingualName):
    """A holiday or a make-up workday (调休) of a calendar, with the festival's name."""

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices, default=DayKind.HOLIDAY)
    source = models.CharField(_("source"), max_length=10, choices=DaySource.choices, default=DaySource.MANUAL)

    class Meta:
        verbose_name = _("holiday or make-up workday")
        verbose_name_plural = _("holidays and make-up workdays")
        ordering = ["calendar", "date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.label} ({self.get_kind_display()})"


class Policy(models.Model):
    """An SLA policy: its calendar, a target per priority and kind, and what happens on warning and breach."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    calendar = models.ForeignKey(
        Calendar,
        verbose_name=_("calendar"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Used by every target that does not name its own calendar."),
    )
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Applies to every ticket no rule matches.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    pause_on_approval = models.BooleanField(
        _("pause while awaiting approval"),
        default=False,
        help_text=_(
            "Stop the clocks while a plan waits for its approver (waiting on the requester always does)."
        ),
    )
    warn_at_percent = models.PositiveSmallIntegerField(
        _("warn at (% of the target)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    warn_notify_assignee = models.BooleanField(_("on warning: notify the assignee"), default=True)
    warn_notify_lead = models.BooleanField(_("on warning: notify the group lead"), default=False)
    warn_escalate = models.BooleanField(_("on warning: escalate"), default=False)
    warn_raise_priority = models.BooleanField(_("on warning: raise the priority"), default=False)
    breach_notify_assignee = models.BooleanField(_("on breach: notify the assignee"), default=True)
    breach_notify_lead = models.BooleanField(_("on breach: notify the group lead"), default=True)
    breach_escalate = models.BooleanField(_("on breach: escalate"), default=False)
    breach_raise_priority = models.BooleanField(_("on breach: raise the priority"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="sla_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def actions_for(self, event: str) -> list[str]:
        """The actions to run on `event` ("warning" or "breach"), in order."""
        prefix = "warn" if event == "warning" else "breach"
        names = ("notify_assignee", "notify_lead", "escalate", "raise_priority")
        return [name for name in names if getattr(self, f"{prefix}_{name}")]


class PolicyTarget(models.Model):
    """One target of a policy: for a priority, how long until first response, escalation or resolution."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="targets"
    )
    priority = models.ForeignKey(
        "tickets.Priority", verbose_name=_("priority"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("target"), max_length=20, choices=TargetKind.choices)
    amount = models.PositiveIntegerField(_("within"), validators=[MinValueValidator(1)])
    unit = models.CharField(_("unit"), max_length=10, choices=TargetUnit.choices, default=TargetUnit.MINUTES)
    calendar = models.ForeignKey(
        Calendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the policy's calendar. Choose a 24x7 calendar to count wall-clock time."),
    )

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        ordering = ["policy", "priority__rank", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority", "kind"], name="sla_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.priority_id} {self.kind}: {self.amount} {self.unit}"


class PolicyRule(models.Model):
    """Chooses a policy for tickets matching every criterion given (priority, category, department)."""

    position = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Rules are tried lowest first.")
    )
    policy = models.ForeignKey(
        Policy, verbose_name=_("policy"), on_delete=models.CASCADE, related_name="rules"
    )
    priority = models.ForeignKey(
        "tickets.Priority",
        verbose_name=_("priority"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Matches this category and its subcategories."),
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("requester's department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Matches this department and the departments under it."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy rule")
        verbose_name_plural = _("SLA policy rules")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"#{self.position} → {self.policy}"


class TicketClock(models.Model):
    """One target's clock on one ticket, recomputed from the ticket's history whenever the ticket changes.

    `warned_at` and `breached_at` are the watcher's claims: set once, by a conditional update, so each
    warning and breach (and its actions) happens once whatever the retries and concurrent workers.
    """

    ticket = models.ForeignKey(  # led by the sla_clock_unique (ticket, kind) index
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="sla_clocks",
        db_index=False,
    )
    kind = models.CharField(_("target"), max_length=20, choices=TargetKind.choices)
    policy = models.ForeignKey(
        Policy, verbose_name=_("policy"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    calendar = models.ForeignKey(
        Calendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The calendar the clock counts on now."),
    )
    target_amount = models.PositiveIntegerField(_("within"))
    target_unit = models.CharField(_("unit"), max_length=10, choices=TargetUnit.choices)
    target = models.DurationField(_("target"))
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    started_at = models.DateTimeField(_("started"))
    due_at = models.DateTimeField(_("due"))
    warn_at = models.DateTimeField(_("warning at"))
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breach recorded"), null=True, blank=True)
    elapsed = models.DurationField(_("time used"), help_text=_("Business time used when last computed."))
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    # [[start ISO, calendar id], ...]: from each priority change on, the calendar the clock counted on.
    segments = models.JSONField(_("segments"), default=list, blank=True)
    # [[start ISO, end ISO or null, reason], ...]: the intervals the clock did not count.
    pauses = models.JSONField(_("pauses"), default=list, blank=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        # By the column: "ticket" would follow the ticket's own ordering and join the tickets table into
        # every clock query (half the cost of reading a ticket's clocks).
        ordering = ["ticket_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["ticket", "kind"], name="sla_clock_unique")]
        indexes = [
            # The watcher's two queries read only the rows still to warn or breach (partial indexes).
            models.Index(
                fields=["warn_at"],
                condition=Q(state="running", warned_at__isnull=True),
                name="sla_clock_to_warn",
            ),
            models.Index(
                fields=["due_at"],
                condition=Q(state="running", breached_at__isnull=True),
                name="sla_clock_to_breach",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.state}"
