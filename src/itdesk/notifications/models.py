"""The outbox (every message to send is a row first, written in the transaction that caused it) and
each person's choice of channels per kind of notification."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxMessage(models.Model):
    """One message to send on one channel; delivered by a job, retried with back-off, queued once."""

    dedupe_key = models.CharField(_("deduplication key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=20, default="email", db_index=True)
    event = models.CharField(_("event"), max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The person the message is for; empty for a group address."),
    )
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(
        _("text body"),
        blank=True,
        help_text=_("Written when queued, or rendered from the template when sent."),
    )
    body_html = models.TextField(_("HTML body"), blank=True)
    template = models.CharField(
        _("template"),
        max_length=60,
        blank=True,
        default="",
        help_text=_("The notification template the body is rendered from when the message is sent."),
    )
    context = models.JSONField(
        _("template values"),
        default=dict,
        blank=True,
        help_text=_("What the message shows, as it stood when the message was queued."),
    )
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    ticket_id = models.BigIntegerField(_("ticket"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.subject}"


class NotificationPreference(models.Model):
    """The channels one person wants one kind of notification on (no row: e-mail)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    event = models.CharField(_("event"), max_length=40)
    channels = models.JSONField(
        _("channels"), default=list, blank=True, help_text=_("Channel names; empty means off.")
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        ordering = ["user", "event"]
        constraints = [
            models.UniqueConstraint(fields=["user", "event"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.event} → {', '.join(self.channels) or '-'}"
