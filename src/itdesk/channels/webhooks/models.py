"""Outgoing webhook endpoints and their delivery log; incoming alert sources and the tickets they opened."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itdesk.core.crypto import EncryptedTextField
from itdesk.tickets.choices import Impact, Urgency


class EventType(models.TextChoices):
    """The event names a receiver sees (X-ITDesk-Event and the payload's `event`)."""

    CREATED = "ticket.created", _("Ticket created")
    STATUS_CHANGED = "ticket.status_changed", _("Status changed")
    COMMENTED = "ticket.commented", _("Comment added")
    PRIORITY_CHANGED = "ticket.priority_changed", _("Priority changed")
    ASSIGNED = "ticket.assigned", _("Assignee or group changed")
    UPDATED = "ticket.updated", _("Other field changed")
    ATTACHMENT_ADDED = "ticket.attachment_added", _("Attachment added")
    SLA_WARNING = "ticket.sla_warning", _("SLA warning")
    SLA_BREACHED = "ticket.sla_breached", _("SLA breached")
    TEST = "webhook.test", _("Test event")


SUBSCRIBABLE = [choice for choice in EventType if choice != EventType.TEST]


def default_event_types() -> list[str]:
    """New endpoints hear every ticket event until someone narrows them down."""
    return [choice.value for choice in SUBSCRIBABLE]


class WebhookEndpoint(models.Model):
    """A URL that receives signed JSON for the ticket events it subscribed to."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"),
        max_length=500,
        help_text=_("Must be a public http(s) address, or one allowed by ITDESK_OUTBOUND_ALLOWLIST."),
    )
    event_types = models.JSONField(_("events"), default=default_event_types, blank=True)
    include_internal = models.BooleanField(
        _("include internal notes"),
        default=False,
        help_text=_("Also send ticket.commented for internal notes (they may hold confidential details)."),
    )
    secret = EncryptedTextField(_("signing secret"), blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from itdesk.channels.http import UnsafeDestination, check_destination

        errors: dict[str, list[str]] = {}
        unknown = sorted(set(self.event_types or []) - {choice.value for choice in SUBSCRIBABLE})
        if not isinstance(self.event_types, list) or unknown:
            errors["event_types"] = [
                str(_("Unknown event types: %(names)s") % {"names": ", ".join(map(str, unknown))})
            ]
        if self.url:
            try:
                check_destination(self.url)
            except UnsafeDestination as exc:
                errors["url"] = [str(exc.message)]
        if errors:
            raise ValidationError(errors)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint: written with the event, sent by a job, retried with back-off."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(_("event"), max_length=40, choices=EventType.choices)
    event_id = models.BigIntegerField(_("ticket event"), null=True, blank=True)
    ticket_id = models.BigIntegerField(_("ticket"), null=True, blank=True, db_index=True)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    response_status = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_body = models.TextField(_("response (excerpt)"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One delivery per endpoint and ticket event, however often the event is seen.
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.status})"


class InboundSource(models.Model):
    """A monitoring system (or any tool) allowed to open tickets by posting JSON alerts."""

    slug = models.SlugField(
        _("slug"),
        max_length=60,
        unique=True,
        help_text=_("Part of the address: /channels/webhooks/inbound/<slug>/"),
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(_("token hash"), max_length=64, editable=False)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("file tickets as"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The account the tickets are filed for. Make it an agent account (e.g. “monitoring”) "
            "so repeats and recoveries become internal notes."
        ),
    )
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("default category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    impact = models.PositiveSmallIntegerField(
        _("default impact"), choices=Impact.choices, default=Impact.MEDIUM
    )
    urgency = models.PositiveSmallIntegerField(
        _("default urgency"), choices=Urgency.choices, default=Urgency.MEDIUM
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("inbound webhook source")
        verbose_name_plural = _("inbound webhook sources")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ExternalReference(models.Model):
    """The ticket an external alert opened: (source, external id) is unique, so a repeat never opens another."""

    source = models.ForeignKey(
        InboundSource, verbose_name=_("source"), on_delete=models.CASCADE, related_name="references"
    )
    external_id = models.CharField(_("external id"), max_length=200)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    last_status = models.CharField(_("last alert status"), max_length=20, blank=True)
    repeat_count = models.PositiveIntegerField(_("repeats"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("external reference")
        verbose_name_plural = _("external references")
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="external_reference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.external_id}"
