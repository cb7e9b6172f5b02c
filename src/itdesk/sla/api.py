"""GET /api/v1/tickets/{number}/sla/: a ticket's SLA clocks (routed from tickets.api.urls)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from itdesk.sla import selectors as sla_selectors
from itdesk.sla.serializers import SlaClockSerializer
from itdesk.tickets import selectors
from itdesk.tickets.api.serializers import ErrorSerializer


class TicketSlaView(APIView):
    """A ticket's clocks: due time, time left, state and explanation of each target."""

    @extend_schema(
        tags=["tickets"],
        summary=_("Get a ticket's SLA clocks"),
        responses={
            200: SlaClockSerializer(many=True),
            401: OpenApiResponse(ErrorSerializer, description=_("No or bad credentials.")),
            404: OpenApiResponse(
                ErrorSerializer, description=_("No such ticket, or not yours (code not_found).")
            ),
        },
    )
    def get(self, request: Request, number: str) -> Response:
        """Requesters see the response and resolution targets of their own tickets; the desk sees all."""
        ticket = selectors.get_ticket(request.user, number)
        views = sla_selectors.ticket_clocks(request.user, ticket)
        return Response(SlaClockSerializer(views, many=True).data)
