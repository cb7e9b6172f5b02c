"""Notification API: the caller's preferences, and a ticket's outgoing messages for the desk.

GET/PUT /api/v1/me/notification-preferences/ and GET /api/v1/tickets/{number}/notifications/
(routed by notifications.api_urls, mounted under /api/v1/ in config.urls).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from itdesk.core.errors import ValidationFailed
from itdesk.notifications import catalog, preferences, selectors
from itdesk.notifications.models import OutboxMessage, OutboxStatus
from itdesk.tickets import selectors as ticket_selectors
from itdesk.tickets.api.serializers import ErrorSerializer

TAGS = ["notifications"]
UNAUTHENTICATED = OpenApiResponse(ErrorSerializer, description=_("No or bad credentials."))


class ChannelSerializer(serializers.Serializer):
    """A channel that can deliver, and whether the caller has an address on it."""

    name = serializers.CharField()
    label = serializers.CharField()
    linked = serializers.BooleanField(help_text=_("False: messages chosen for it go by e-mail instead."))


class PreferenceSerializer(serializers.Serializer):
    """One kind of notification and the channels chosen for it (empty: off)."""

    event = serializers.CharField()
    label = serializers.CharField()
    mandatory = serializers.BooleanField(help_text=_("Cannot be switched off: keep at least one channel."))
    channels = serializers.ListField(child=serializers.CharField())


class PreferencesSerializer(serializers.Serializer):
    """The caller's notification settings."""

    channels = ChannelSerializer(many=True)
    preferences = PreferenceSerializer(many=True)


class PreferencesUpdateSerializer(serializers.Serializer):
    """Channels per event key to change; events not named keep their channels."""

    preferences = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=_('Event key -> channel names, e.g. {"acknowledged": [], "reply": ["email", "wecom"]}.'),
    )


class OutboxRowSerializer(serializers.Serializer):
    """One outgoing message about a ticket: what, to whom, on which channel, and how it went."""

    event = serializers.CharField()
    event_label = serializers.CharField()
    recipient = serializers.CharField()
    person = serializers.CharField(allow_null=True)
    channel = serializers.CharField()
    status = serializers.ChoiceField(choices=OutboxStatus.choices)
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    subject = serializers.CharField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, row: OutboxMessage) -> dict[str, Any]:
        """Flatten a row (no bodies: the desk reads those in the admin)."""
        kind = catalog.BY_KEY.get(row.event)
        return {
            "event": row.event,
            "event_label": str(kind.label) if kind else row.event,
            "recipient": row.recipient,
            "person": row.user.username if row.user else None,
            "channel": row.channel,
            "status": row.status,
            "attempts": row.attempts,
            "last_error": row.last_error,
            "subject": row.subject,
            "created_at": serializers.DateTimeField().to_representation(row.created_at),
            "sent_at": serializers.DateTimeField().to_representation(row.sent_at) if row.sent_at else None,
            "next_attempt_at": (
                serializers.DateTimeField().to_representation(row.next_attempt_at)
                if row.status == OutboxStatus.PENDING
                else None
            ),
        }


def _settings_of(user: Any) -> dict[str, Any]:
    linked = preferences.linked_channels(user)
    return {
        "channels": [
            {"name": name, "label": catalog.channel_label(name), "linked": ok} for name, ok in linked.items()
        ],
        "preferences": [
            {
                "event": row.key,
                "label": str(row.kind.label),
                "mandatory": row.kind.mandatory,
                "channels": list(row.channels),
            }
            for row in preferences.preferences_of(user)
        ],
    }


class MyNotificationPreferencesView(APIView):
    """The signed-in person's notification settings."""

    @extend_schema(
        tags=TAGS,
        summary=_("Get my notification settings"),
        responses={200: PreferencesSerializer, 401: UNAUTHENTICATED},
    )
    def get(self, request: Request) -> Response:
        """Every kind of notification that can reach me, with my channels."""
        return Response(_settings_of(request.user))

    @extend_schema(
        tags=TAGS,
        summary=_("Change my notification settings"),
        request=PreferencesUpdateSerializer,
        responses={
            200: PreferencesSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description=_("Unknown event or channel, or a mandatory one switched off.")
            ),
            401: UNAUTHENTICATED,
        },
    )
    def put(self, request: Request) -> Response:
        """Set the channels of the events given; the others stay as they are."""
        body = PreferencesUpdateSerializer(data=request.data)
        if not body.is_valid():
            raise ValidationFailed(fields={k: [str(m) for m in v] for k, v in body.errors.items()})
        preferences.set_preferences(user=request.user, choices=body.validated_data["preferences"])
        return Response(_settings_of(request.user))


class TicketNotificationsView(APIView):
    """The messages ITDesk sent (or is trying to send) about a ticket: the desk only."""

    @extend_schema(
        tags=["tickets"],
        summary=_("List a ticket's notifications"),
        responses={
            200: OutboxRowSerializer(many=True),
            401: UNAUTHENTICATED,
            403: OpenApiResponse(ErrorSerializer, description=_("Only the desk sees notifications.")),
            404: OpenApiResponse(
                ErrorSerializer, description=_("No such ticket, or not yours (code not_found).")
            ),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        """Which channel reached whom, and which message is still waiting or failed."""
        ticket = ticket_selectors.get_ticket(request.user, number)
        rows = selectors.messages_for_ticket(request.user, ticket)
        return Response(OutboxRowSerializer(rows, many=True).data)
