"""API representations of tickets and what hangs off them, and the shapes of request bodies.

Input serializers only parse and resolve codes to objects; every rule about who may set what lives in
the services, which the views call.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from itdesk.accounts.models import SupportGroup, User
from itdesk.core.api import CachedFieldsModelSerializer
from itdesk.sla import selectors as sla_selectors
from itdesk.sla.serializers import SlaClockSerializer
from itdesk.tickets import selectors, services
from itdesk.tickets.choices import ACTION_LABELS, Channel, EventKind, Impact, Status, Urgency
from itdesk.tickets.models import Attachment, Category, Comment, Priority, Ticket, TicketEvent
from itdesk.tickets.workflow import Need

# The body field of the transition endpoint that satisfies each need (a reason is given as the note).
NEED_BODY_FIELDS = {
    Need.NOTE: "note",
    Need.REASON: "note",
    Need.RESOLUTION: "resolution",
    Need.GROUP: "group",
}


STATUS_LABELS = dict(Status.choices)

# ---------------------------------------------------------------- errors


@extend_schema_field(
    {
        "oneOf": [
            {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            {"type": "array", "items": {"type": "string"}},
        ],
        "description": "Per-field messages, or the names of the fields that were refused.",
    }
)
class _ErrorFieldsField(serializers.JSONField):
    pass


class ErrorSerializer(serializers.Serializer):
    """Every API error: a stable machine-readable `code` and a message for people."""

    code = serializers.CharField(
        help_text=_("Stable error code, e.g. not_found, invalid, stale_version, invalid_transition.")
    )
    detail = serializers.CharField(help_text=_("What went wrong, in the caller's language."))
    fields = _ErrorFieldsField(required=False)
    current_version = serializers.IntegerField(
        required=False, help_text=_("With stale_version: the ticket's version now.")
    )


# ---------------------------------------------------------------- hand-written representations
#
# DRF renders a row by walking every declared field through get_attribute and to_representation, and each
# nested reference is a serializer of its own: for a ticket that was most of a list page's CPU time. The
# serializers on the hot paths therefore build the same dict by hand. Their declared fields stay what they
# were, the input side and the OpenAPI contract (drf-spectacular reads them), and
# tests/tickets/test_api_representation.py checks that the hand-written output equals DRF's generic one.

_DATETIME_FIELDS: dict[Any, serializers.DateTimeField] = {}


def _datetime_field() -> serializers.DateTimeField:
    """A DateTimeField that renders as a declared one does now (current time zone, DATETIME_FORMAT).

    Fixing the zone looks it up once per row instead of once per value; there is one field per zone.
    """
    zone = timezone.get_current_timezone() if settings.USE_TZ else None
    field = _DATETIME_FIELDS.get(zone)
    if field is None:
        field = _DATETIME_FIELDS[zone] = serializers.DateTimeField(default_timezone=zone)
    return field


def _choice_values(model: Any, field_name: str) -> dict[str, Any]:
    """What a ChoiceField built for this model field renders each stored value as."""
    return {str(value): value for value, _label in model._meta.get_field(field_name).flatchoices}


def _choice(values: dict[str, Any], value: Any) -> Any:
    """A ChoiceField's to_representation, with the field's value map."""
    if value in ("", None):
        return value
    return values.get(str(value), value)


_TICKET_CHOICES = {name: _choice_values(Ticket, name) for name in ("status", "channel", "impact", "urgency")}


def priority_ref(priority: Priority) -> dict[str, Any]:
    return {"code": str(priority.code), "label": str(priority.label)}


def category_ref(category: Category) -> dict[str, Any]:
    return {"code": str(category.code), "label": str(category.label)}


def group_ref(group: SupportGroup) -> dict[str, Any]:
    return {"code": str(group.code), "name": str(group.name)}


def user_ref(user: User) -> dict[str, Any]:
    return {"username": str(user.username), "name": str(user.name)}


# ---------------------------------------------------------------- small nested representations


class PriorityRefSerializer(CachedFieldsModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Priority
        fields = ["code", "label"]

    def to_representation(self, priority: Priority) -> dict[str, Any]:
        return priority_ref(priority)


class CategoryRefSerializer(CachedFieldsModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Category
        fields = ["code", "label"]

    def to_representation(self, category: Category) -> dict[str, Any]:
        return category_ref(category)


class GroupRefSerializer(CachedFieldsModelSerializer):
    class Meta:
        model = SupportGroup
        fields = ["code", "name"]

    def to_representation(self, group: SupportGroup) -> dict[str, Any]:
        return group_ref(group)


class UserRefSerializer(CachedFieldsModelSerializer):
    name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["username", "name"]

    def to_representation(self, user: User) -> dict[str, Any]:
        return user_ref(user)


class AllowedTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.choices)
    action = serializers.CharField()
    label = serializers.CharField()
    needs = serializers.ListField(
        child=serializers.ChoiceField(choices=["note", "resolution", "group"]),
        help_text=_("Body fields the transition endpoint needs for this move."),
    )


# ---------------------------------------------------------------- tickets


class TicketSerializer(CachedFieldsModelSerializer):
    """A ticket as the caller may see it, with the moves the caller may make next."""

    status_label = serializers.SerializerMethodField()
    priority = PriorityRefSerializer(read_only=True)
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    group = GroupRefSerializer(read_only=True, allow_null=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    requester = UserRefSerializer(read_only=True)
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "number",
            "title",
            "description",
            "status",
            "status_label",
            "version",
            "priority",
            "category",
            "group",
            "assignee",
            "requester",
            "channel",
            "impact",
            "urgency",
            "contact_phone",
            "contact_email",
            "started_at",
            "impact_scope",
            "tried",
            "device_model",
            "os_version",
            "software_version",
            "resolution",
            "created_at",
            "updated_at",
            "acknowledged_at",
            "first_response_at",
            "escalated_at",
            "resolved_at",
            "closed_at",
            "allowed_transitions",
        ]
        read_only_fields = fields

    def to_representation(self, ticket: Ticket) -> dict[str, Any]:
        """The declared fields, built by hand (the same output as DRF's field walk, several times faster)."""
        priority, category, group = ticket.priority, ticket.category, ticket.group
        assignee, requester = ticket.assignee, ticket.requester
        _datetime = _datetime_field().to_representation
        return {
            "number": str(ticket.number),
            "title": str(ticket.title),
            "description": str(ticket.description),
            "status": _choice(_TICKET_CHOICES["status"], ticket.status),
            "status_label": self.get_status_label(ticket),
            "version": int(ticket.version),
            "priority": None if priority is None else priority_ref(priority),
            "category": None if category is None else category_ref(category),
            "group": None if group is None else group_ref(group),
            "assignee": None if assignee is None else user_ref(assignee),
            "requester": None if requester is None else user_ref(requester),
            "channel": _choice(_TICKET_CHOICES["channel"], ticket.channel),
            "impact": _choice(_TICKET_CHOICES["impact"], ticket.impact),
            "urgency": _choice(_TICKET_CHOICES["urgency"], ticket.urgency),
            "contact_phone": str(ticket.contact_phone),
            "contact_email": str(ticket.contact_email),
            "started_at": _datetime(ticket.started_at),
            "impact_scope": str(ticket.impact_scope),
            "tried": str(ticket.tried),
            "device_model": str(ticket.device_model),
            "os_version": str(ticket.os_version),
            "software_version": str(ticket.software_version),
            "resolution": str(ticket.resolution),
            "created_at": _datetime(ticket.created_at),
            "updated_at": _datetime(ticket.updated_at),
            "acknowledged_at": _datetime(ticket.acknowledged_at),
            "first_response_at": _datetime(ticket.first_response_at),
            "escalated_at": _datetime(ticket.escalated_at),
            "resolved_at": _datetime(ticket.resolved_at),
            "closed_at": _datetime(ticket.closed_at),
            "allowed_transitions": self.get_allowed_transitions(ticket),
        }

    def get_status_label(self, ticket: Ticket) -> str:
        """The status in the caller's language."""
        return str(STATUS_LABELS.get(ticket.status, ticket.status))

    @extend_schema_field(AllowedTransitionSerializer(many=True))
    def get_allowed_transitions(self, ticket: Ticket) -> list[dict[str, Any]]:
        """The moves the caller may make from the ticket's status (pure Python: no query per row).

        The same status and capabilities give the same moves, so a page works each pair out once.
        """
        user = self.context["request"].user
        capabilities = services.capabilities_for(user, ticket)
        memo = self.context.setdefault("_allowed_moves", {})
        key = (ticket.status, capabilities)
        if key not in memo:
            memo[key] = [
                {
                    "to": move.target.value,
                    "action": move.action,
                    "label": str(ACTION_LABELS.get(move.action, move.action)),
                    "needs": sorted({NEED_BODY_FIELDS[need] for need in move.needs}),
                }
                for move in services.available_moves(ticket, user)
            ]
        return [dict(move) for move in memo[key]]


class TicketDetailSerializer(TicketSerializer):
    """One ticket, with its SLA clocks (the list leaves them out to stay one query per page)."""

    sla = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "sla"]
        read_only_fields = fields

    def to_representation(self, ticket: Ticket) -> dict[str, Any]:
        ret = super().to_representation(ticket)
        ret["sla"] = self.get_sla(ticket)
        return ret

    @extend_schema_field(SlaClockSerializer(many=True))
    def get_sla(self, ticket: Ticket) -> list[dict[str, Any]]:
        """Each target's due time, time left, state and explanation, as the caller may see them.

        A new ticket's answer shows the clocks create_ticket just started (context "started_clocks").
        """
        user = self.context["request"].user
        started = self.context.get("started_clocks")
        if started is not None:
            views = sla_selectors.views_of(user, started)
        else:
            views = sla_selectors.ticket_clocks(user, ticket)
        return SlaClockSerializer(views, many=True).data


class _IntakeCodeField(serializers.SlugRelatedField):
    """A category or priority code, resolved from the intake cache (tickets.selectors.intake_defaults).

    Every create reads one; the rows change rarely, in the admin. A code the cache does not know goes to
    the database as before, which gives the usual "does not exist" error (or finds a row just added).
    """

    def __init__(self, lookup: str, **kwargs: Any) -> None:
        self.lookup = lookup  # the IntakeDefaults method: "category" or "priority_by_code"
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            found = getattr(selectors.intake_defaults(), self.lookup)(data)
            if found is not None:
                return found
        return super().to_internal_value(data)


class _TicketInputSerializer(CachedFieldsModelSerializer):
    """Fields shared by create and update, with codes and usernames resolved to objects."""

    category = _IntakeCodeField(
        "category",
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Category code, e.g. network-vpn."),
    )
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    priority = _IntakeCodeField(
        "priority_by_code",
        queryset=Priority.objects.all(),
        required=False,
        help_text=_("Desk only: priority code, e.g. P1; otherwise derived from impact and urgency."),
    )
    group = serializers.SlugRelatedField(
        slug_field="code",
        queryset=SupportGroup.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Desk only: support group code."),
    )
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Desk only: the assigned agent's username."),
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        help_text=_("Desk only: how the request came in (api when not given)."),
    )

    class Meta:
        model = Ticket
        fields = [
            "title",
            "description",
            "category",
            "impact",
            "urgency",
            "contact_phone",
            "contact_email",
            "started_at",
            "impact_scope",
            "tried",
            "device_model",
            "os_version",
            "software_version",
            "priority",
            "group",
            "assignee",
            "channel",
        ]
        # No defaults here: only what the caller sent reaches the service, which fills in the rest.
        extra_kwargs = {name: {"required": False} for name in fields if name not in {"title", "description"}}


class TicketCreateSerializer(_TicketInputSerializer):
    """A new request. A requester needs only a title and a description; the desk may set more."""

    requester = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text=_("Desk only: register the request on behalf of this user."),
    )

    class Meta(_TicketInputSerializer.Meta):
        fields = [*_TicketInputSerializer.Meta.fields, "requester"]


class TicketUpdateSerializer(_TicketInputSerializer):
    """A change to some fields, made against the version the caller read."""

    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=_('The version the change is based on; or send it as If-Match: "<version>".'),
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text=_("Why the priority changes (needed to change it).")
    )

    class Meta(_TicketInputSerializer.Meta):
        fields = [*_TicketInputSerializer.Meta.fields, "version", "reason"]
        extra_kwargs = {name: {"required": False} for name in _TicketInputSerializer.Meta.fields}


class TransitionSerializer(serializers.Serializer):
    """A move along the process, with whatever the move needs."""

    to = serializers.ChoiceField(choices=Status.choices, help_text=_("The status to move to."))
    note = serializers.CharField(required=False, allow_blank=True, default="")
    resolution = serializers.CharField(required=False, allow_blank=True, default="")
    group = serializers.SlugRelatedField(
        slug_field="code", queryset=SupportGroup.objects.all(), required=False, allow_null=True, default=None
    )
    assignee = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), required=False, allow_null=True, default=None
    )
    version = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)


# ---------------------------------------------------------------- attachments, comments, events


class AttachmentSerializer(CachedFieldsModelSerializer):
    uploaded_by = UserRefSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "filename",
            "content_type",
            "size",
            "sha256",
            "internal",
            "uploaded_by",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        """Where to fetch the file (through the access-checked download endpoint)."""
        # The views put the (already visible) ticket in the context, so rows never load it one by one.
        path = reverse("api:attachment-download", args=[self.context["ticket"].number, attachment.pk])
        return self.context["request"].build_absolute_uri(path)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    internal = serializers.BooleanField(
        default=False, help_text=_("Desk only: hide the file from the requester.")
    )


class CommentSerializer(CachedFieldsModelSerializer):
    author = UserRefSerializer(read_only=True, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "body", "internal", "author", "created_at", "attachments"]
        read_only_fields = fields


class CommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=False, trim_whitespace=True)
    internal = serializers.BooleanField(default=False, help_text=_("Desk only: an internal note."))


class EventCommentSerializer(CachedFieldsModelSerializer):
    author = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Comment
        fields = ["id", "body", "internal", "author"]
        read_only_fields = fields


class EventSerializer(CachedFieldsModelSerializer):
    kind = serializers.ChoiceField(choices=EventKind.choices, read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor = UserRefSerializer(read_only=True, allow_null=True)
    comment = EventCommentSerializer(read_only=True, allow_null=True)

    class Meta:
        model = TicketEvent
        fields = [
            "id",
            "kind",
            "kind_label",
            "field",
            "old_value",
            "new_value",
            "note",
            "public",
            "actor",
            "comment",
            "created_at",
        ]
        read_only_fields = fields


# ---------------------------------------------------------------- sign-in


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text=_("Send as the header Authorization: Token <token>."))


__all__ = [
    "AllowedTransitionSerializer",
    "AttachmentSerializer",
    "AttachmentUploadSerializer",
    "CommentCreateSerializer",
    "CommentSerializer",
    "ErrorSerializer",
    "EventSerializer",
    "TicketCreateSerializer",
    "TicketDetailSerializer",
    "TicketSerializer",
    "TicketUpdateSerializer",
    "TokenRequestSerializer",
    "TokenSerializer",
    "TransitionSerializer",
]
