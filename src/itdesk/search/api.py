"""GET /api/v1/search/?q=: ranked full-text search over everything the caller may see."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from itdesk.core.errors import ValidationFailed
from itdesk.search import registry, services
from itdesk.search.serializers import SearchHitSerializer, SearchPageSerializer
from itdesk.tickets.api.serializers import ErrorSerializer

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
KINDS = ("ticket", "article")


def _positive_int(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValidationFailed(fields={name: [str(_("A positive whole number is required."))]})
    return min(value, maximum) if maximum else value


class SearchView(APIView):
    """Full-text search over tickets and articles, ranked, with highlighted snippets."""

    @extend_schema(
        tags=["search"],
        summary=_("Search tickets and articles"),
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description=_(
                    "What to look for, in Chinese, English or both. Every word must match, in any order; "
                    "the last word also matches as a prefix; ticket numbers and error codes match exactly."
                ),
            ),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=list(KINDS),
                description=_("Only this kind of result (repeat or separate with commas for several)."),
            ),
            OpenApiParameter("page", OpenApiTypes.INT, description=_("Page number, from 1.")),
            OpenApiParameter(
                "page_size", OpenApiTypes.INT, description=_("Results per page (default 20, at most 100).")
            ),
        ],
        responses={
            200: SearchPageSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description=_(
                    "No search text (code query_required), too long (query_too_long), or bad kind."
                ),
            ),
            401: OpenApiResponse(ErrorSerializer, description=_("No or bad credentials.")),
        },
    )
    def get(self, request: Request) -> Response:
        """Ranked results the caller may see: requesters their own tickets and published public articles."""
        q = request.query_params.get("q", "")
        kinds: set[str] | None = None
        raw_kinds = [k.strip() for value in request.query_params.getlist("kind") for k in value.split(",")]
        raw_kinds = [k for k in raw_kinds if k]
        if raw_kinds:
            known = set(KINDS) | set(registry.kinds())
            unknown = sorted(set(raw_kinds) - known)
            if unknown:
                raise ValidationFailed(
                    code="unknown_kind",
                    fields={"kind": [str(_("Unknown kind: %(kinds)s")) % {"kinds": ", ".join(unknown)}]},
                )
            kinds = set(raw_kinds)
        page = _positive_int(request, "page", 1)
        size = _positive_int(request, "page_size", PAGE_SIZE, MAX_PAGE_SIZE)
        results = services.search(request.user, q, kinds=kinds, limit=size, offset=(page - 1) * size)
        url = request.build_absolute_uri()
        has_next = page * size < results.total and len(results.hits) == size
        previous = None
        if page > 1:
            previous = (
                remove_query_param(url, "page") if page == 2 else replace_query_param(url, "page", page - 1)
            )
        return Response(
            {
                "count": results.total,
                "count_capped": results.capped,
                "next": replace_query_param(url, "page", page + 1) if has_next else None,
                "previous": previous,
                "results": SearchHitSerializer(results.hits, many=True).data,
            }
        )
