"""The ticket REST API: thin views that parse, call a service or a selector, and render.

Every ticket is looked up through selectors.get_ticket, so another requester's ticket is a 404 (never a
403 that would confirm it exists); every write goes through tickets.services.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, parsers, status
from rest_framework.authtoken.models import Token
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from itdesk.core.errors import NotFound, ServiceError, StaleVersion, ValidationFailed
from itdesk.tickets import selectors, services
from itdesk.tickets.api import serializers as s
from itdesk.tickets.api.filters import TicketFilter
from itdesk.tickets.choices import Channel
from itdesk.tickets.models import Attachment, Comment, Ticket, TicketEvent

# Fields only the desk may send when creating a request. The service refuses priority, group and
# assignee itself; requester and channel are parameters of the service, so the API refuses them here
# with the same code.
DESK_ONLY_CREATE_FIELDS = frozenset({"priority", "group", "assignee", "channel", "requester"})
DESK_ONLY_TRANSITION_FIELDS = frozenset({"group", "assignee"})

TICKETS = ["tickets"]
ERROR = s.ErrorSerializer
NOT_FOUND = OpenApiResponse(ERROR, description=_("No such ticket, or not yours (code not_found)."))
FORBIDDEN = OpenApiResponse(ERROR, description=_("Not allowed (field_not_allowed, permission_denied, ...)."))
INVALID = OpenApiResponse(ERROR, description=_("Invalid input (invalid, or a rule's own code)."))
UNAUTHENTICATED = OpenApiResponse(
    ERROR, description=_("No or bad credentials (not_authenticated, authentication_failed).")
)
ETAG_HEADER = OpenApiResponse(
    s.TicketDetailSerializer, description=_('The ticket; the ETag header carries its version, e.g. "3".')
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=_('The version read, as an entity tag: "3". Alternative to `version` in the body.'),
)


PREFER = OpenApiParameter(
    "Prefer",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=_(
        "return=minimal: answer a write with only the number, version, status and URL (RFC 7240), "
        "for integrations that file many tickets and do not need the whole ticket back."
    ),
)


class VersionRequired(ServiceError):
    """A change was sent without the version it is based on."""

    code = "version_required"
    status = 428
    default_message = _(
        "Send the version you read, as `version` in the body or an If-Match header, so that no one "
        "else's change is overwritten."
    )


def _prefers_minimal(request: Request) -> bool:
    prefer = request.headers.get("Prefer", "")
    return any(part.strip().lower() == "return=minimal" for part in prefer.replace(";", ",").split(","))


def _refuse_desk_fields(user: Any, data: Any, desk_only: frozenset[str]) -> None:
    if user.is_agent or not hasattr(data, "keys"):
        return  # a body that is not an object is refused by the serializer
    refused = sorted(desk_only & set(data.keys()))
    if refused:
        raise services.FieldNotAllowed(fields=refused)


def _if_match_version(request: Request) -> int | None:
    """The version in an If-Match header ("3", W/"3" or 3); None when absent or "*"."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() == "*":
        return None
    value = raw.strip().removeprefix("W/").strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value.isdigit():
        raise ValidationFailed(fields={"If-Match": [str(_('Expected the ticket\'s version, e.g. "3".'))]})
    return int(value)


def _expected_version(request: Request, body_version: int | None, ticket: Ticket) -> int | None:
    """The version the caller read, from the body or If-Match; both given must agree."""
    versions = {v for v in (body_version, _if_match_version(request)) if v is not None}
    if len(versions) > 1:
        # One of the two is necessarily not the current version.
        raise StaleVersion(current_version=ticket.version)
    return versions.pop() if versions else None


# Types a browser may be told as they are: they cannot run script in our origin. Everything else is
# application/octet-stream, and every file is sent as an attachment with nosniff.
SAFE_CONTENT_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/bmp",
        "application/pdf",
        "text/plain",
        "text/csv",
    }
)
_UNSAFE_FILENAME_CHARS = re.compile(r"[^A-Za-z0-9 ._()\[\]+=@!#$&^~{}-]")


def content_disposition(filename: str) -> str:
    """An attachment disposition: an ASCII fallback name plus the exact name encoded per RFC 5987."""
    fallback = _UNSAFE_FILENAME_CHARS.sub("_", filename).strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment_response(attachment: Attachment) -> FileResponse:
    """Serve an attachment's content so that a browser saves it instead of rendering it."""
    content_type = attachment.content_type if attachment.content_type in SAFE_CONTENT_TYPES else ""
    try:
        content = attachment.file.open("rb")
    except FileNotFoundError:
        # The row outlived its file (restored database, pruned storage): say so as a 404, not a 500.
        raise NotFound() from None
    response = FileResponse(
        content,
        as_attachment=True,
        filename=attachment.filename,
        content_type=content_type or "application/octet-stream",
    )
    response["Content-Disposition"] = content_disposition(attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _ticket_response(
    request: Request, ticket: Ticket, code: int = status.HTTP_200_OK, *, reread: bool = True
) -> Response:
    """The ticket as the caller sees it (re-read after a write), with its version as ETag.

    A write sent with `Prefer: return=minimal` (RFC 7240) gets only the number, version, status and URL.
    """
    minimal = request.method != "GET" and _prefers_minimal(request)
    fresh = selectors.get_ticket(request.user, ticket.number) if reread and not minimal else ticket
    url = ""
    if minimal or code == status.HTTP_201_CREATED:
        url = request.build_absolute_uri(reverse("api:ticket-detail", args=[fresh.number]))
    if minimal:
        body = {"number": fresh.number, "version": fresh.version, "status": fresh.status, "url": url}
        response = Response(body, status=code)
        response["Preference-Applied"] = "return=minimal"
    else:
        context: dict[str, Any] = {"request": request}
        if code == status.HTTP_201_CREATED:
            context["started_clocks"] = getattr(fresh, "started_clocks", None)  # see create_ticket
        response = Response(s.TicketDetailSerializer(fresh, context=context).data, status=code)
    response["ETag"] = f'"{fresh.version}"'
    if code == status.HTTP_201_CREATED:
        response["Location"] = url
    return response


# ---------------------------------------------------------------- sign-in


class TokenView(APIView):
    """Exchange a username and password for an API token."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]  # password guessing: ITDESK_LOGIN_RATE per client address
    throttle_scope = "login"

    @extend_schema(
        tags=["auth"],
        auth=[],
        request=s.TokenRequestSerializer,
        responses={
            200: s.TokenSerializer,
            400: OpenApiResponse(ERROR, description=_("Wrong username or password (invalid_credentials).")),
        },
        summary=_("Get an API token"),
    )
    def post(self, request: Request) -> Response:
        """Return the user's token (created on first use)."""
        body = s.TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=body.validated_data["username"],
            password=body.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise ServiceError(_("The username or password is wrong."), code="invalid_credentials")
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# ---------------------------------------------------------------- tickets


class TicketListView(generics.ListAPIView):
    """The tickets the caller may see, filtered, ordered and paged."""

    serializer_class = s.TicketSerializer
    filterset_class = TicketFilter

    def get_queryset(self) -> QuerySet[Ticket]:
        """Start from the chosen queue (an unknown name is refused by the filter set)."""
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        name = self.request.query_params.get("queue") or "all"
        return selectors.queue(self.request.user, name).order_by("-created_at", "-pk")

    @extend_schema(
        tags=TICKETS,
        summary=_("List tickets"),
        responses={200: s.TicketSerializer(many=True), 400: INVALID, 401: UNAUTHENTICATED},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A page of tickets; requesters only ever see their own."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TICKETS,
        summary=_("Create a ticket"),
        parameters=[PREFER],
        request=s.TicketCreateSerializer,
        responses={201: ETAG_HEADER, 400: INVALID, 401: UNAUTHENTICATED, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        """Register a request; numbering, priority and routing are done by the service."""
        _refuse_desk_fields(request.user, request.data, DESK_ONLY_CREATE_FIELDS)
        body = s.TicketCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        ticket = services.create_ticket(
            actor=request.user,
            title=fields.pop("title"),
            description=fields.pop("description"),
            requester=fields.pop("requester", None),
            channel=fields.pop("channel", Channel.API),
            **fields,
        )
        # The new ticket already holds every related row the response shows: no need to read it again.
        return _ticket_response(request, ticket, status.HTTP_201_CREATED, reread=False)


class TicketDetailView(APIView):
    """One ticket: read it, or change some of its fields against the version read."""

    @extend_schema(
        tags=TICKETS,
        summary=_("Get a ticket"),
        responses={200: ETAG_HEADER, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def get(self, request: Request, number: str) -> Response:
        """The ticket, with its version as ETag."""
        return _ticket_response(request, selectors.get_ticket(request.user, number), reread=False)

    @extend_schema(
        tags=TICKETS,
        summary=_("Change a ticket"),
        parameters=[IF_MATCH, PREFER],
        request=s.TicketUpdateSerializer,
        responses={
            200: ETAG_HEADER,
            400: INVALID,
            403: FORBIDDEN,
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
            409: OpenApiResponse(ERROR, description=_("Changed since it was read (stale_version).")),
            428: OpenApiResponse(ERROR, description=_("No version was sent (version_required).")),
        },
    )
    def patch(self, request: Request, number: str) -> Response:
        """Change fields; needs the version read (body `version` or If-Match), 409 when stale."""
        ticket = selectors.get_ticket(request.user, number)
        body = s.TicketUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        reason = changes.pop("reason", "")
        expected = _expected_version(request, changes.pop("version", None), ticket)
        if expected is None:
            raise VersionRequired()
        ticket = services.update_ticket(
            ticket=ticket, actor=request.user, changes=changes, expected_version=expected, reason=reason
        )
        return _ticket_response(request, ticket)


class TicketTransitionView(APIView):
    """Move a ticket along the standard process."""

    @extend_schema(
        tags=TICKETS,
        summary=_("Move a ticket to another status"),
        parameters=[IF_MATCH, PREFER],
        request=s.TransitionSerializer,
        responses={
            200: ETAG_HEADER,
            400: OpenApiResponse(
                ERROR,
                description=_(
                    "A requirement is missing: note_required, reason_required, resolution_required, "
                    "group_required; or invalid input."
                ),
            ),
            403: OpenApiResponse(ERROR, description=_("transition_not_permitted or field_not_allowed.")),
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
            409: OpenApiResponse(ERROR, description=_("invalid_transition, stale_version or ticket_closed.")),
        },
    )
    def post(self, request: Request, number: str) -> Response:
        """Make the move if the process allows it for the caller; optional version check."""
        ticket = selectors.get_ticket(request.user, number)
        _refuse_desk_fields(request.user, request.data, DESK_ONLY_TRANSITION_FIELDS)
        body = s.TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        ticket = services.transition_ticket(
            ticket=ticket,
            actor=request.user,
            to=data["to"],
            note=data["note"],
            resolution=data["resolution"],
            group=data["group"],
            assignee=data["assignee"],
            expected_version=_expected_version(request, data["version"], ticket),
        )
        return _ticket_response(request, ticket)


class _TicketChildView(generics.GenericAPIView):
    """A list hanging off one visible ticket."""

    ticket: Ticket

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Look the ticket up once, scoped to the caller, before anything else."""
        super().initial(request, *args, **kwargs)
        self.ticket = selectors.get_ticket(request.user, kwargs["number"])

    def get_serializer_context(self) -> dict[str, Any]:
        """Give serializers the ticket so rows never load it one by one."""
        return {**super().get_serializer_context(), "ticket": getattr(self, "ticket", None)}


class CommentListView(_TicketChildView, generics.ListAPIView):
    """A ticket's replies and (for the desk) internal notes."""

    serializer_class = s.CommentSerializer

    def get_queryset(self) -> QuerySet[Comment]:
        """Comments visible to the caller, authors and attachments loaded per page, not per row."""
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        return selectors.comments_for(self.request.user, self.ticket)

    @extend_schema(
        tags=TICKETS,
        summary=_("List comments"),
        responses={200: s.CommentSerializer(many=True), 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Requesters never see internal notes."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TICKETS,
        summary=_("Add a comment"),
        request=s.CommentCreateSerializer,
        responses={
            201: s.CommentSerializer,
            400: INVALID,
            403: FORBIDDEN,
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, number: str) -> Response:
        """Add a reply, or an internal note (desk only)."""
        body = s.CommentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = services.add_comment(
            ticket=self.ticket,
            actor=request.user,
            body=body.validated_data["body"],
            internal=body.validated_data["internal"],
        )
        comment = self.get_queryset().get(pk=comment.pk)
        return Response(
            s.CommentSerializer(comment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class EventListView(_TicketChildView, generics.ListAPIView):
    """A ticket's timeline."""

    serializer_class = s.EventSerializer

    def get_queryset(self) -> QuerySet[TicketEvent]:
        """Events visible to the caller (requesters: public ones only)."""
        if getattr(self, "swagger_fake_view", False):
            return TicketEvent.objects.none()
        return selectors.events_for(self.request.user, self.ticket)

    @extend_schema(
        tags=TICKETS,
        summary=_("List a ticket's history"),
        responses={200: s.EventSerializer(many=True), 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Oldest first."""
        return super().get(request, *args, **kwargs)


class AttachmentListView(_TicketChildView, generics.ListAPIView):
    """A ticket's files: list and upload."""

    serializer_class = s.AttachmentSerializer
    parser_classes = [parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self) -> QuerySet[Attachment]:
        """Attachments visible to the caller (requesters: no internal ones)."""
        if getattr(self, "swagger_fake_view", False):
            return Attachment.objects.none()
        return selectors.attachments_for(self.request.user, self.ticket)

    @extend_schema(
        tags=TICKETS,
        summary=_("List attachments"),
        responses={200: s.AttachmentSerializer(many=True), 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Metadata of every file the caller may see."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TICKETS,
        summary=_("Upload an attachment"),
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={
            201: s.AttachmentSerializer,
            400: OpenApiResponse(ERROR, description=_("file_too_large, file_type_not_allowed, file_empty.")),
            403: FORBIDDEN,
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
        },
    )
    def post(self, request: Request, number: str) -> Response:
        """Attach one file (`file`); the desk may mark it internal."""
        body = s.AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attachment = services.add_attachment(
            ticket=self.ticket,
            actor=request.user,
            item=services.attachment_from_upload(body.validated_data["file"]),
            internal=body.validated_data["internal"],
        )
        attachment = self.get_queryset().get(pk=attachment.pk)
        return Response(
            s.AttachmentSerializer(attachment, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class AttachmentDetailView(APIView):
    """One attachment's metadata."""

    @extend_schema(
        tags=TICKETS,
        summary=_("Get an attachment's metadata"),
        responses={200: s.AttachmentSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    def get(self, request: Request, number: str, attachment_id: int) -> Response:
        """Metadata of a file the caller may see."""
        attachment = selectors.get_attachment(request.user, number, attachment_id)
        context = {"request": request, "ticket": attachment.ticket}
        return Response(s.AttachmentSerializer(attachment, context=context).data)


class AnyAcceptNegotiation(BaseContentNegotiation):
    """A download is a file whatever the client accepts; errors are still rendered as JSON."""

    def select_parser(self, request: Request, parsers: list[Any]) -> Any:
        """Downloads take no body."""
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: list[Any], format_suffix: str | None = None
    ) -> Any:
        """Always the first (JSON) renderer."""
        return renderers[0], renderers[0].media_type


class AttachmentDownloadView(APIView):
    """One attachment's content, always served as a download."""

    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(
        tags=TICKETS,
        summary=_("Download an attachment"),
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description=_("The file, as an attachment; images, PDF and plain text keep their type."),
            ),
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, number: str, attachment_id: int) -> FileResponse:
        """Stream the file with headers that stop browsers from rendering or sniffing it."""
        return attachment_response(selectors.get_attachment(request.user, number, attachment_id))
