"""API representations of search results."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class SearchHitSerializer(serializers.Serializer):
    """One search result."""

    kind = serializers.CharField(help_text=_("What was found: ticket or article."))
    id = serializers.IntegerField(source="object_id", help_text=_("The object's id."))
    number = serializers.SerializerMethodField(help_text=_("A ticket's number (empty for other kinds)."))
    title = serializers.CharField()
    title_html = serializers.CharField(help_text=_("The title as safe HTML, matches in <mark>."))
    snippet = serializers.CharField(
        help_text=_("A passage around the matches as safe HTML, matches in <mark>.")
    )
    rank = serializers.FloatField(help_text=_("Relevance; higher is better."))
    url = serializers.CharField(help_text=_("The page of the result for the caller."))
    internal = serializers.SerializerMethodField(help_text=_("Whether the text is for the desk only."))

    def get_number(self, hit: object) -> str:
        return getattr(hit, "reference", "") if getattr(hit, "kind", "") == "ticket" else ""

    def get_internal(self, hit: object) -> bool:
        return getattr(hit, "audience", "public") != "public"


class SearchPageSerializer(serializers.Serializer):
    """A page of search results, best first."""

    count = serializers.IntegerField(help_text=_("How many results you may see in all."))
    count_capped = serializers.BooleanField()  # more match than are ranked: count is a lower bound
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchHitSerializer(many=True)
