"""Admin for the e-mail channel: mailboxes (password write-only) and the inbound message log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from itdesk.channels.mail.models import InboundMessage, Mailbox, TicketParticipant
from itdesk.channels.mail.services.ingest import NotReprocessable, reprocess_message


class MailboxForm(forms.ModelForm):
    """The password is write-only: the form never shows it, and an empty field keeps the stored one."""

    password = forms.CharField(
        label=_("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored password."),
    )
    clear_password = forms.BooleanField(label=_("remove the stored password"), required=False)

    class Meta:
        model = Mailbox
        fields = (
            "name",
            "address",
            "active",
            "kind",
            "host",
            "port",
            "security",
            "username",
            "password_env",
            "folder",
            "processed_folder",
            "batch_size",
            "unknown_sender_policy",
            "outsider_policy",
            "rate_limit_per_hour",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["password"] = ""

    def save(self, commit: bool = True) -> Mailbox:
        mailbox = super().save(commit=False)
        new_password = self.cleaned_data.get("password") or ""
        if self.cleaned_data.get("clear_password"):
            mailbox.password = ""
        elif new_password:
            mailbox.password = new_password
        elif mailbox.pk:
            mailbox.password = Mailbox.objects.get(pk=mailbox.pk).password
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("name", "address", "kind", "active", "last_fetch_at", "last_error")
    list_filter = ("kind", "active")
    readonly_fields = ("last_fetch_at", "last_error")
    fieldsets = (
        (None, {"fields": ("name", "address", "active", "kind")}),
        (
            _("IMAP server"),
            {
                "fields": (
                    "host",
                    "port",
                    "security",
                    "username",
                    "password",
                    "clear_password",
                    "password_env",
                    "folder",
                    "processed_folder",
                    "batch_size",
                )
            },
        ),
        (_("Policies"), {"fields": ("unknown_sender_policy", "outsider_policy", "rate_limit_per_hour")}),
        (_("Last fetch"), {"fields": ("last_fetch_at", "last_error")}),
    )


@admin.action(description=_("Process the selected messages again"), permissions=["change"])
def reprocess(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
    """Run the selected quarantined or held messages again."""
    done = 0
    for pk in list(queryset.values_list("pk", flat=True)):
        try:
            reprocess_message(inbound_id=pk)
        except NotReprocessable as exc:
            modeladmin.message_user(request, f"#{pk}: {exc}", messages.WARNING)
            continue
        done += 1
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(n)d message was processed again.", "%(n)d messages were processed again.", done)
            % {"n": done},
            messages.SUCCESS,
        )


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = (
        "received_at",
        "mailbox",
        "from_address",
        "subject",
        "status",
        "action",
        "reason",
        "ticket",
    )
    list_filter = ("status", "action", "reason", "mailbox")
    search_fields = ("message_id", "from_address", "subject")
    list_select_related = ("mailbox", "ticket")
    actions = [reprocess]
    readonly_fields = (
        "mailbox",
        "message_id",
        "size",
        "from_address",
        "subject",
        "received_at",
        "status",
        "action",
        "reason",
        "detail",
        "ticket",
        "attempts",
        "raw_kept",
    )
    exclude = ("raw",)

    @admin.display(description=_("raw message kept"), boolean=True)
    def raw_kept(self, obj: InboundMessage) -> bool:
        return obj.raw is not None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(TicketParticipant)
class TicketParticipantAdmin(admin.ModelAdmin):
    list_display = ("ticket", "email", "added_at")
    search_fields = ("email", "ticket__number")
    raw_id_fields = ("ticket",)
