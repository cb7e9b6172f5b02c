"""Tickets and what hangs off them: categories, priorities, comments, attachments and the event history."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from itdesk.core.numbering import DEFAULT_PATTERN, validate_pattern
from itdesk.tickets.choices import Channel, EventKind, Impact, Status, Urgency
from itdesk.tickets.workflow import ACTIVE_STATUSES


class BilingualName(models.Model):
    """A name kept in both languages; `label` picks the active one."""

    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language."""
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class Category(BilingualName):
    """Service type, as a tree: hardware > printer, account & permission > password reset, ..."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    default_group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("default group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The specialist group this kind of request is usually escalated to."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "code"]


class Priority(BilingualName):
    """A priority level (P1-P4 by default; P0-P3 or others are configurable) with its targets."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True, help_text=_("1 is the most urgent."))
    response_minutes = models.PositiveIntegerField(_("response target (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"))
    resolution_in_business_time = models.BooleanField(_("resolution counted in working time"), default=False)
    description_en = models.CharField(_("description (English)"), max_length=300, blank=True)
    description_zh = models.CharField(_("description (Chinese)"), max_length=300, blank=True)
    colour = models.CharField(_("colour"), max_length=20, default="grey")
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["rank"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


class DeskSettings(models.Model):
    """Desk-wide configuration edited in the admin (a single row)."""

    number_pattern = models.CharField(
        _("request number pattern"),
        max_length=80,
        default=DEFAULT_PATTERN,
        validators=[validate_pattern],
        help_text=_(
            "Python format with {date} and {seq}, e.g. IT{date:%Y%m%d}{seq:03d} or {date:%Y%m}-{seq:03d}."
        ),
    )

    class Meta:
        verbose_name = _("desk settings")
        verbose_name_plural = _("desk settings")

    def __str__(self) -> str:
        return str(_("Desk settings"))

    @classmethod
    def load(cls) -> DeskSettings:
        """The single settings row (created with defaults on first use)."""
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class TicketQuerySet(models.QuerySet["Ticket"]):
    def active(self) -> TicketQuerySet:
        """Tickets still in the process (open or paused)."""
        return self.filter(status__in=[s.value for s in ACTIVE_STATUSES])


class Ticket(models.Model):
    """A request for IT help, from intake to closing: the seeds' registration form plus process state."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    # The foreign keys below lead composite indexes (Meta.indexes), which serve their look-ups too: a
    # single-column index of their own would only cost a page write on every insert and change.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.PORTAL)
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("problem started"), null=True, blank=True)
    impact_scope = models.CharField(_("impact scope"), max_length=300, blank=True)
    tried = models.TextField(_("already tried"), blank=True)
    device_model = models.CharField(_("device model"), max_length=120, blank=True)
    os_version = models.CharField(_("operating system and version"), max_length=120, blank=True)
    software_version = models.CharField(_("software and version"), max_length=120, blank=True)
    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices, default=Impact.LOW)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices, default=Urgency.MEDIUM)
    priority = models.ForeignKey(
        Priority, verbose_name=_("priority"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.NEW)
    status_before_wait = models.CharField(max_length=24, choices=Status.choices, blank=True, editable=False)
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
        db_index=False,
    )
    resolution = models.TextField(_("resolution summary"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The earliest due time of an SLA clock still counting (or already breached), kept by
    # sla.services.refresh_ticket_clocks: the desk's queues sort by it ("most urgent first").
    sla_next_due = models.DateTimeField(_("next SLA due time"), null=True, blank=True, editable=False)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Newest first across many statuses (the open queue): walk this index and filter, never sort.
            models.Index(fields=["-created_at", "-id"], name="ticket_created"),
            models.Index(fields=["status", "-created_at"], name="ticket_status_created"),
            models.Index(fields=["assignee", "status", "-created_at"], name="ticket_assignee_status"),
            models.Index(fields=["group", "status", "-created_at"], name="ticket_group_status"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_created"),
            models.Index(fields=["priority", "status"], name="ticket_priority_status"),
            # Most urgent first (nearest due time, tickets without a counting clock last): walk and filter.
            models.Index(fields=["sla_next_due", "-id"], name="ticket_next_due"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_active(self) -> bool:
        """Whether the ticket is still in the process."""
        return self.status in ACTIVE_STATUSES


class Comment(models.Model):
    """A public reply or an internal note on a ticket."""

    ticket = models.ForeignKey(  # led by the comment_ticket_created index
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    author = models.ForeignKey(  # empty for notes ITDesk itself writes (an automatic escalation)
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("text"))
    internal = models.BooleanField(_("internal note"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_ticket_created")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """Store under a random name so an upload can never choose or guess its path."""
    suffix = PurePath(filename).suffix.lower()[:12]
    now = timezone.now()
    return f"{now:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file attached to a ticket (optionally to one of its comments), served only as a download."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="attachments"
    )
    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename


class AppendOnlyError(RuntimeError):
    """Ticket events are history: they are never changed or deleted one by one."""


class TicketEvent(models.Model):
    """One entry of a ticket's history: who did what, when, old -> new. Append-only."""

    ticket = models.ForeignKey(  # led by the event_ticket_created index
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(_("visible to requester"), default=True)
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_created")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.field}"

    # save() below only refuses changes to a stored event: core.inserts may write a new one directly.
    PLAIN_INSERT = True

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("ticket events cannot be changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ticket events cannot be deleted")
