"""Admin pages: webhook endpoints (secrets shown once), the delivery log, inbound sources and their alerts."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itdesk.channels.webhooks import inbound, services
from itdesk.channels.webhooks.models import (
    SUBSCRIBABLE,
    DeliveryStatus,
    ExternalReference,
    InboundSource,
    WebhookDelivery,
    WebhookEndpoint,
)
from itdesk.channels.webhooks.signing import generate_secret


def _secret_page(
    request: HttpRequest, *, title: Any, intro: Any, rows: list[tuple[str, str]], back: str
) -> HttpResponse:
    """A page showing freshly generated secrets once; never cached."""
    response = TemplateResponse(
        request,
        "webhooks/admin/secret.html",
        {**admin.site.each_context(request), "title": title, "intro": intro, "rows": rows, "back": back},
    )
    response["Cache-Control"] = "no-store"
    return response


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=WebhookEndpoint._meta.get_field("url").help_text,
    )
    event_types = forms.MultipleChoiceField(
        label=_("events"),
        choices=[(choice.value, choice.label) for choice in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("name", "url", "event_types", "include_internal", "active")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "url", "active", "include_internal", "created_by", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "url")
    readonly_fields = ("created_by", "created_at", "updated_at")
    actions = ["send_test_event", "regenerate_secret"]

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool) -> None:
        if not change:
            obj.secret = generate_secret()
            obj.created_by = request.user
            request._webhook_new_secret = obj.secret  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def response_add(
        self, request: HttpRequest, obj: WebhookEndpoint, post_url_continue: Any = None
    ) -> HttpResponse:
        secret = getattr(request, "_webhook_new_secret", "")
        if not secret:
            return super().response_add(request, obj, post_url_continue)
        return _secret_page(
            request,
            title=_("Signing secret"),
            intro=_("Copy the signing secret into the receiving system now: it is not shown again."),
            rows=[(obj.name, secret)],
            back=reverse("admin:webhooks_webhookendpoint_changelist"),
        )

    @admin.action(description=_("Send a test event"), permissions=["change"])
    def send_test_event(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset:
            delivery = services.send_test_event(endpoint=endpoint, actor=request.user)
            if delivery.status == DeliveryStatus.DELIVERED:
                self.message_user(
                    request,
                    gettext("%(name)s: test event delivered (HTTP %(status)s, %(ms)s ms).")
                    % {"name": endpoint.name, "status": delivery.response_status, "ms": delivery.duration_ms},
                    messages.SUCCESS,
                )
            else:
                self.message_user(
                    request,
                    gettext("%(name)s: test event failed: %(error)s")
                    % {"name": endpoint.name, "error": delivery.last_error},
                    messages.ERROR,
                )

    @admin.action(description=_("Regenerate the signing secret"), permissions=["change"])
    def regenerate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> HttpResponse:
        rows = [(endpoint.name, services.regenerate_secret(endpoint=endpoint)) for endpoint in queryset]
        return _secret_page(
            request,
            title=_("New signing secrets"),
            intro=_(
                "The old secrets no longer verify. Copy the new ones into the receiving systems now: they are not shown again."
            ),
            rows=rows,
            back=reverse("admin:webhooks_webhookendpoint_changelist"),
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "endpoint",
        "event_type",
        "status",
        "attempts",
        "response_status",
        "duration_ms",
        "short_error",
        "next_attempt_at",
    )
    list_filter = ("status", "endpoint", "event_type", "response_status")
    search_fields = ("last_error", "=ticket_id", "=event_id")
    list_select_related = ("endpoint",)
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    exclude = ("payload",)
    readonly_fields = (
        "endpoint",
        "event_type",
        "event_id",
        "ticket_id",
        "pretty_payload",
        "status",
        "attempts",
        "next_attempt_at",
        "response_status",
        "response_body",
        "duration_ms",
        "last_error",
        "created_at",
        "last_attempt_at",
        "delivered_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the log is read-only; "retry now" is its only action

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("webhooks.change_webhookdelivery")

    @admin.display(description=_("last error"))
    def short_error(self, obj: WebhookDelivery) -> str:
        return obj.last_error[:80]

    @admin.display(description=_("payload"))
    def pretty_payload(self, obj: WebhookDelivery) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.payload, ensure_ascii=False, indent=2))

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = services.retry_now(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, gettext("%(count)s deliveries queued again.") % {"count": count})


@admin.register(InboundSource)
class InboundSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "requester", "category", "active", "inbound_url")
    list_filter = ("active",)
    search_fields = ("name", "slug")
    raw_id_fields = ("requester",)
    fields = ("name", "slug", "requester", "category", "impact", "urgency", "active", "inbound_url")
    readonly_fields = ("inbound_url",)
    actions = ["regenerate_token"]

    @admin.display(description=_("address"))
    def inbound_url(self, obj: InboundSource) -> str:
        if not obj.slug:
            return "-"
        from django.conf import settings

        return f"{settings.SITE_URL}{reverse('webhooks:inbound', args=[obj.slug])}"

    def save_model(self, request: HttpRequest, obj: InboundSource, form: Any, change: bool) -> None:
        if not change:
            request._inbound_new_token = inbound.set_new_token(source=obj)  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def response_add(
        self, request: HttpRequest, obj: InboundSource, post_url_continue: Any = None
    ) -> HttpResponse:
        token = getattr(request, "_inbound_new_token", "")
        if not token:
            return super().response_add(request, obj, post_url_continue)
        return _secret_page(
            request,
            title=_("Source token"),
            intro=_(
                "Copy the token into the sending system now (Authorization: Bearer <token>): it is not shown again."
            ),
            rows=[(obj.name, token)],
            back=reverse("admin:webhooks_inboundsource_changelist"),
        )

    @admin.action(description=_("Regenerate the token"), permissions=["change"])
    def regenerate_token(self, request: HttpRequest, queryset: QuerySet[InboundSource]) -> HttpResponse:
        rows = [(source.name, inbound.set_new_token(source=source)) for source in queryset]
        return _secret_page(
            request,
            title=_("New source tokens"),
            intro=_(
                "The old tokens no longer work. Copy the new ones into the sending systems now: they are not shown again."
            ),
            rows=rows,
            back=reverse("admin:webhooks_inboundsource_changelist"),
        )


@admin.register(ExternalReference)
class ExternalReferenceAdmin(admin.ModelAdmin):
    list_display = ("external_id", "source", "ticket", "last_status", "repeat_count", "last_seen_at")
    list_filter = ("source", "last_status")
    search_fields = ("external_id", "ticket__number")
    list_select_related = ("source", "ticket")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
