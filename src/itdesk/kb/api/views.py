"""The knowledge base REST API (routed from tickets.api.urls under /api/v1/kb/).

Thin views: every read goes through kb.selectors (an article the caller may not read is a 404), every
write through kb.services (a requester's write is a 403 with code permission_denied).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from itdesk.core.api import Pagination
from itdesk.core.errors import PermissionDenied, ValidationFailed
from itdesk.kb import selectors, services
from itdesk.kb.api import serializers as s
from itdesk.tickets import selectors as ticket_selectors
from itdesk.tickets.api.serializers import ErrorSerializer

KB = ["knowledge base"]
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description=_("No such article, or not one you may read (not_found).")
)
FORBIDDEN = OpenApiResponse(
    ErrorSerializer, description=_("Only the desk writes articles (permission_denied).")
)
INVALID = OpenApiResponse(ErrorSerializer, description=_("Invalid input (invalid)."))
CONFLICT = OpenApiResponse(ErrorSerializer, description=_("invalid_transition or stale_version."))


def _article_response(request: Request, pk: int, code: int = status.HTTP_200_OK) -> Response:
    """The article as the caller sees it now, with its counts."""
    article = selectors.get_article(request.user, pk)
    response = Response(s.ArticleSerializer(article, context={"request": request}).data, status=code)
    if code == status.HTTP_201_CREATED:
        response["Location"] = request.build_absolute_uri(reverse("api:kb-article-detail", args=[pk]))
    return response


class ArticleListView(APIView):
    """Search the articles the caller may read, or list the newest; the desk writes new ones."""

    @extend_schema(
        tags=KB,
        summary=_("Search or list articles"),
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description=_("Words to search for; best match first.")),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={200: s.ArticleSearchResultSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        """With `q`: a ranked search (best first); without: the newest published articles."""
        query = (request.query_params.get("q") or "").strip()
        if not query:
            paginator = Pagination()
            page = paginator.paginate_queryset(selectors.newest_published(request.user), request, view=self)
            data = s.ArticleSearchResultSerializer(page, many=True, context={"request": request}).data
            return paginator.get_paginated_response(data)
        return self._search(request, query)

    def _search(self, request: Request, query: str) -> Response:
        paginator = Pagination()
        try:
            size = min(int(request.query_params.get("page_size") or paginator.page_size or 25), 200)
            number = max(int(request.query_params.get("page") or 1), 1)
        except ValueError:
            raise ValidationFailed(fields={"page": [str(_("Give a whole number."))]}) from None
        articles, total = selectors.ranked_articles(
            request.user, query, limit=size, offset=(number - 1) * size
        )
        url = request.build_absolute_uri()
        more = number * size < total
        return Response(
            {
                "count": total,
                "next": replace_query_param(url, "page", number + 1) if more else None,
                "previous": (
                    None
                    if number == 1
                    else (
                        remove_query_param(url, "page")
                        if number == 2
                        else replace_query_param(url, "page", number - 1)
                    )
                ),
                "results": s.ArticleSearchResultSerializer(
                    articles, many=True, context={"request": request}
                ).data,
            }
        )

    @extend_schema(
        tags=KB,
        summary=_("Write an article"),
        request=s.ArticleWriteSerializer,
        responses={201: s.ArticleSerializer, 400: INVALID, 403: FORBIDDEN, 409: CONFLICT},
    )
    def post(self, request: Request) -> Response:
        """Create an article; an agent may create it directly as published."""
        body = s.ArticleWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = body.service_fields()
        article = services.create_article(
            actor=request.user,
            title=fields.pop("title"),
            body=fields.pop("body"),
            keywords=fields.pop("keywords", []),
            status=body.validated_data.get("status", "draft"),
            note=body.validated_data.get("note", ""),
            **fields,
        )
        return _article_response(request, article.pk, status.HTTP_201_CREATED)


class ArticleDetailView(APIView):
    """One article: read it, or (the desk) change it."""

    @extend_schema(tags=KB, summary=_("Get an article"), responses={200: s.ArticleSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        """The article, if the caller may read it."""
        return _article_response(request, pk)

    @extend_schema(
        tags=KB,
        summary=_("Change an article"),
        request=s.ArticleWriteSerializer,
        responses={200: s.ArticleSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Change fields (a new text is a new version) and/or move it with `status`."""
        article = selectors.get_article(request.user, pk)
        body = s.ArticleWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.update_article(
            article=article,
            actor=request.user,
            changes=body.service_fields(),
            status=body.validated_data.get("status"),
            expected_version=body.validated_data.get("version"),
            note=body.validated_data.get("note", ""),
        )
        return _article_response(request, article.pk)


class ArticleVoteView(APIView):
    """Say whether an article helped."""

    @extend_schema(
        tags=KB,
        summary=_("Vote on an article"),
        request=s.VoteSerializer,
        responses={200: s.VoteResultSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """One vote per person and article; voting again changes it. A comment is the feedback."""
        article = selectors.get_article(request.user, pk)
        body = s.VoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        vote = services.vote(
            article=article,
            user=request.user,
            helpful=body.validated_data["helpful"],
            comment=body.validated_data["comment"],
        )
        fresh = selectors.get_article(request.user, pk)
        return Response(
            {
                "helpful": fresh.helpful_count,
                "not_helpful": fresh.not_helpful_count,
                "your_vote": vote.helpful,
            }
        )


class ArticleVersionsView(APIView):
    """An article's history (the desk's)."""

    @extend_schema(
        tags=KB,
        summary=_("List an article's versions"),
        responses={200: s.ArticleVersionSerializer(many=True), 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        """Every version, newest first, each with its diff against the one before."""
        article = selectors.get_article(request.user, pk)
        if not request.user.is_desk:
            raise PermissionDenied(_("Only the desk reads an article's history."))
        versions = list(selectors.versions_for(request.user, article))
        previous = {v.number: versions[i + 1] for i, v in enumerate(versions[:-1])}
        data = s.ArticleVersionSerializer(versions, many=True, context={"previous": previous}).data
        return Response(data)


class ArticleSolvedTicketView(APIView):
    """The desk marks that an article solved a ticket."""

    @extend_schema(
        tags=KB,
        summary=_("Mark that an article solved a ticket"),
        request=s.TicketRefSerializer,
        responses={200: s.ArticleSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Link the ticket to the article as solved by it (idempotent)."""
        article = selectors.get_article(request.user, pk)
        body = s.TicketRefSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ticket = ticket_selectors.get_ticket(request.user, body.validated_data["ticket"])
        services.mark_article_solved(article=article, ticket=ticket, actor=request.user)
        return _article_response(request, article.pk)


class ArticleFromTicketView(APIView):
    """Turn a resolved ticket into a draft article."""

    @extend_schema(
        tags=KB,
        summary=_("Write an article from a resolved ticket"),
        request=s.TicketRefSerializer,
        responses={201: s.ArticleSerializer, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
    )
    def post(self, request: Request) -> Response:
        """A draft with the ticket's problem and resolution, linked back to the ticket."""
        body = s.TicketRefSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ticket = ticket_selectors.get_ticket(request.user, body.validated_data["ticket"])
        article = services.article_from_ticket(ticket=ticket, actor=request.user)
        return _article_response(request, article.pk, status.HTTP_201_CREATED)


class ArticleDeflectionView(APIView):
    """Record that a published public article answered what someone was about to ask."""

    @extend_schema(
        tags=KB,
        summary=_("Record a deflection"),
        request=s.DeflectionSerializer,
        responses={201: OpenApiResponse(description=_("Counted.")), 404: NOT_FOUND},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Count it (solved true: no ticket is needed)."""
        article = selectors.get_article(request.user, pk)
        body = s.DeflectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deflection = services.record_deflection(
            article=article,
            user=request.user,
            query=body.validated_data["query"],
            solved=body.validated_data["solved"],
        )
        return Response({"id": deflection.pk, "solved": deflection.solved}, status=status.HTTP_201_CREATED)
