"""E-mail intake: the mailboxes ITDesk reads, every message it took in, and the people copied on a ticket."""

from __future__ import annotations

import os

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itdesk.core.crypto import EncryptedTextField


class MailboxKind(models.TextChoices):
    IMAP = "imap", _("IMAP mailbox (fetched every minute)")
    PIPE = "pipe", _("MTA pipe (itdesk mail ingest)")


class Security(models.TextChoices):
    TLS = "tls", _("TLS (IMAPS, usually port 993)")
    STARTTLS = "starttls", _("STARTTLS (usually port 143)")
    PLAIN = "plain", _("No encryption (only for a server on this machine)")


class UnknownSenderPolicy(models.TextChoices):
    CREATE_REQUESTER = "create_requester", _("Register the sender as a requester")
    REJECT = "reject", _("Reject with a polite reply")


class OutsiderPolicy(models.TextChoices):
    NEW_TICKET = "new_ticket", _("Open a new ticket for the sender")
    HOLD = "hold", _("Hold the message for the desk to review")


class Mailbox(models.Model):
    """A mailbox ITDesk takes requests from: an IMAP account it polls, or the MTA pipe."""

    name = models.SlugField(_("name"), max_length=60, unique=True)
    address = models.EmailField(
        _("address"), blank=True, help_text=_("The address people write to, e.g. itdesk@example.com.")
    )
    active = models.BooleanField(_("active"), default=True)
    kind = models.CharField(_("kind"), max_length=10, choices=MailboxKind.choices, default=MailboxKind.IMAP)
    host = models.CharField(_("IMAP server"), max_length=200, blank=True)
    port = models.PositiveIntegerField(_("IMAP port"), default=993)
    security = models.CharField(_("security"), max_length=10, choices=Security.choices, default=Security.TLS)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    password = EncryptedTextField(_("password"), blank=True)
    password_env = models.CharField(
        _("password environment variable"),
        max_length=100,
        blank=True,
        help_text=_("Read the password from this environment variable instead of storing it."),
    )
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    processed_folder = models.CharField(
        _("processed folder"),
        max_length=200,
        blank=True,
        help_text=_("Move processed messages to this folder; empty: leave them and mark them read."),
    )
    unknown_sender_policy = models.CharField(
        _("unknown senders"),
        max_length=20,
        choices=UnknownSenderPolicy.choices,
        default=UnknownSenderPolicy.CREATE_REQUESTER,
    )
    outsider_policy = models.CharField(
        _("replies from outsiders"),
        max_length=20,
        choices=OutsiderPolicy.choices,
        default=OutsiderPolicy.NEW_TICKET,
        help_text=_(
            "A reply naming a ticket from someone who is not its requester, a copied participant or desk staff."
        ),
    )
    rate_limit_per_hour = models.PositiveIntegerField(
        _("messages per sender per hour"), default=20, help_text=_("0 turns the limit off.")
    )
    batch_size = models.PositiveIntegerField(_("messages per fetch"), default=50)
    last_fetch_at = models.DateTimeField(_("last fetch"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """An IMAP mailbox needs a server; an unencrypted login only to this machine."""
        from django.core.exceptions import ValidationError

        from itdesk.channels.mail.imap import is_loopback

        if self.kind == MailboxKind.IMAP and not self.host:
            raise ValidationError({"host": _("An IMAP mailbox needs its server.")})
        if self.kind == MailboxKind.IMAP and self.security == Security.PLAIN and not is_loopback(self.host):
            raise ValidationError(
                {"security": _("Without encryption the password would cross the network in clear text.")}
            )

    def get_password(self) -> str:
        """The IMAP password: from the named environment variable, else the stored (encrypted) one."""
        if self.password_env:
            return os.environ.get(self.password_env, "")
        return self.password


class InboundStatus(models.TextChoices):
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    QUARANTINED = "quarantined", _("Quarantined")
    HELD = "held", _("Held")


class InboundAction(models.TextChoices):
    CREATED = "created", _("Ticket created")
    APPENDED = "appended", _("Reply added to ticket")
    IGNORED = "ignored", _("Ignored")
    QUARANTINED = "quarantined", _("Quarantined")
    HELD = "held", _("Held")


class InboundMessage(models.Model):
    """One message taken in from a mailbox; (mailbox, message_id) is unique, so each is processed once."""

    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("mailbox"), on_delete=models.PROTECT, related_name="messages"
    )
    message_id = models.CharField(_("Message-ID"), max_length=255)
    raw = models.BinaryField(_("raw message"), null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size"), default=0)
    from_address = models.CharField(_("sender"), max_length=254, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(_("status"), max_length=12, choices=InboundStatus.choices)
    action = models.CharField(_("action"), max_length=12, choices=InboundAction.choices)
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=1)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_id"], name="mail_inbound_unique_message")
        ]
        indexes = [
            models.Index(fields=["from_address", "received_at"], name="mail_inbound_sender_time"),
            models.Index(fields=["status", "-received_at"], name="mail_inbound_status"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"


class TicketParticipant(models.Model):
    """Someone copied (To/Cc) on the mail of a ticket: their replies are added to it."""

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="mail_participants"
    )
    email = models.CharField(_("e-mail"), max_length=254)
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket participant")
        verbose_name_plural = _("ticket participants")
        constraints = [models.UniqueConstraint(fields=["ticket", "email"], name="mail_unique_participant")]

    def __str__(self) -> str:
        return self.email
