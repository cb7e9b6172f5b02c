"""Admin for IM integrations (secrets are write-only), identities and the inbound log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from itdesk.channels.im import clients
from itdesk.channels.im.models import ImIdentity, ImIntegration, InboundImMessage, RobotEvent


def _formfield(db_field: Any, **kwargs: Any) -> Any:
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


SECRET_FIELDS = (
    "robot_url",
    "robot_secret",
    "app_secret",
    "bot_token",
    "signing_secret",
    "callback_token",
    "encrypt_key",
)


class ImIntegrationForm(forms.ModelForm):
    """Secrets are never shown again: an empty field keeps the stored value; tick "clear" to remove them."""

    robot_events = forms.MultipleChoiceField(
        label=_("events posted to the group robot"),
        choices=RobotEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    clear_secrets = forms.MultipleChoiceField(
        label=_("remove stored secrets"),
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ImIntegration
        formfield_callback = _formfield
        fields = [
            "name",
            "platform",
            "active",
            "api_base",
            "language",
            "robot_url",
            "robot_secret",
            "robot_events",
            "app_id",
            "app_secret",
            "agent_id",
            "bot_token",
            "signing_secret",
            "callback_token",
            "encrypt_key",
            "inbound_policy",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = []
        for name in SECRET_FIELDS:
            field = self.fields[name]
            field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
            field.required = False
            if self.instance.pk and getattr(self.instance, name):
                field.help_text = (
                    f"{field.help_text} {_('A value is stored; leave empty to keep it.')}".strip()
                )
                stored.append((name, self.instance._meta.get_field(name).verbose_name))
        self.fields["clear_secrets"].choices = stored

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        clear = set(cleaned.get("clear_secrets") or ())
        for name in SECRET_FIELDS:
            if name in clear:
                cleaned[name] = ""
            elif not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


@admin.register(ImIntegration)
class ImIntegrationAdmin(admin.ModelAdmin):
    form = ImIntegrationForm
    list_display = ("name", "platform", "active", "has_robot_display", "has_app_display", "callback_url")
    list_filter = ("platform", "active")
    search_fields = ("name",)
    readonly_fields = ("callback_url",)
    actions = ["send_test_message"]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, models.URLField):
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("group robot"), boolean=True)
    def has_robot_display(self, obj: ImIntegration) -> bool:
        return obj.has_robot

    @admin.display(description=_("app"), boolean=True)
    def has_app_display(self, obj: ImIntegration) -> bool:
        return obj.has_app

    @admin.display(description=_("callback URL to paste in the platform's console"))
    def callback_url(self, obj: ImIntegration) -> str:
        if not obj.pk:
            return str(_("Saved integrations show their callback URL here."))
        path = reverse(f"im:{obj.platform}-callback", args=[obj.pk])
        return f"{settings.SITE_URL}{path}"

    @admin.action(description=_("Send a test message to the group robot"))
    def send_test_message(self, request: HttpRequest, queryset: QuerySet[ImIntegration]) -> None:
        for integration in queryset:
            if not integration.has_robot:
                self.message_user(
                    request,
                    _("%(name)s has no group robot configured.") % {"name": integration.name},
                    messages.WARNING,
                )
                continue
            title = str(_("ITDesk test message"))
            text = str(
                _("This group will receive service desk notifications from %(name)s.")
                % {"name": integration.name}
            )
            try:
                clients.post_to_robot(integration, title, text)
            except Exception as exc:  # show the platform's answer to the admin
                self.message_user(
                    request,
                    _("%(name)s: the test message was not accepted: %(error)s")
                    % {"name": integration.name, "error": exc},
                    messages.ERROR,
                )
            else:
                self.message_user(request, _("%(name)s: test message sent.") % {"name": integration.name})


@admin.register(ImIdentity)
class ImIdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "platform", "external_id", "display_name", "created_at")
    list_filter = ("platform",)
    search_fields = ("external_id", "display_name", "user__username", "user__display_name")
    raw_id_fields = ("user",)


@admin.register(InboundImMessage)
class InboundImMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "integration", "message_id", "sender_id", "action", "ticket")
    list_filter = ("action", "integration")
    search_fields = ("message_id", "sender_id", "ticket__number")
    readonly_fields = [f.name for f in InboundImMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
