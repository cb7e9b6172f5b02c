"""API representations of articles and the shapes of request bodies.

Input serializers only parse and resolve codes to objects; who may do what is the services' to decide.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from itdesk.accounts.models import SupportGroup, User
from itdesk.kb.choices import ArticleStatus, ArticleType, Language, Visibility
from itdesk.kb.models import Article, ArticleVersion
from itdesk.kb.render import diff_text, render_markdown
from itdesk.tickets.api.serializers import CategoryRefSerializer, GroupRefSerializer, UserRefSerializer
from itdesk.tickets.models import Category

# Fields only the desk reads: who owns an article, its review date, and what it achieved.
DESK_ONLY_FIELDS = ("owner", "group", "review_date", "tickets_solved", "deflections", "version")


class ArticleSerializer(serializers.ModelSerializer):
    """An article as the caller may see it; the body comes as Markdown and as sanitised HTML."""

    type = serializers.ChoiceField(source="article_type", choices=ArticleType.choices, read_only=True)
    body_html = serializers.SerializerMethodField()
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    group = GroupRefSerializer(read_only=True, allow_null=True)
    owner = UserRefSerializer(read_only=True, allow_null=True)
    helpful = serializers.IntegerField(source="helpful_count", read_only=True, default=0)
    not_helpful = serializers.IntegerField(source="not_helpful_count", read_only=True, default=0)
    tickets_solved = serializers.IntegerField(read_only=True, default=0)
    deflections = serializers.IntegerField(source="deflection_count", read_only=True, default=0)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "title",
            "body",
            "body_html",
            "keywords",
            "type",
            "category",
            "visibility",
            "group",
            "language",
            "status",
            "owner",
            "review_date",
            "version",
            "created_at",
            "updated_at",
            "published_at",
            "helpful",
            "not_helpful",
            "tickets_solved",
            "deflections",
        ]
        read_only_fields = fields

    def get_body_html(self, article: Article) -> str:
        """The body rendered from Markdown and sanitised."""
        return str(render_markdown(article.body))

    def get_url(self, article: Article) -> str:
        """The article's API address."""
        return reverse("api:kb-article-detail", args=[article.pk])

    def to_representation(self, instance: Article) -> dict[str, Any]:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not request.user.is_desk:
            for name in DESK_ONLY_FIELDS:
                data.pop(name, None)
        return data


class ArticleSearchResultSerializer(ArticleSerializer):
    """An article found by a search, with its rank and a highlighted snippet."""

    rank = serializers.FloatField(read_only=True, default=None)
    snippet = serializers.CharField(
        read_only=True, default="", help_text=_("Safe HTML: the matching words are in <mark>.")
    )

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "rank", "snippet"]
        read_only_fields = fields


class ArticleWriteSerializer(serializers.Serializer):
    """What the desk sends to write an article; only the fields sent are changed."""

    title = serializers.CharField(max_length=200)
    body = serializers.CharField(help_text=_("Markdown."))
    keywords = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=30
    )
    type = serializers.ChoiceField(choices=ArticleType.choices, required=False)
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.all(), required=False, allow_null=True
    )
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    group = serializers.SlugRelatedField(
        slug_field="code", queryset=SupportGroup.objects.all(), required=False, allow_null=True
    )
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    status = serializers.ChoiceField(choices=ArticleStatus.choices, required=False)
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), required=False, allow_null=True
    )
    review_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    version = serializers.IntegerField(
        required=False,
        help_text=_("With a change: the version read; a newer one is refused (stale_version)."),
    )

    def service_fields(self) -> dict[str, Any]:
        """The validated fields as the services name them."""
        data = dict(self.validated_data)
        for name in ("status", "note", "version"):
            data.pop(name, None)
        if "type" in data:
            data["article_type"] = data.pop("type")
        return data


class VoteSerializer(serializers.Serializer):
    helpful = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class VoteResultSerializer(serializers.Serializer):
    helpful = serializers.IntegerField()
    not_helpful = serializers.IntegerField()
    your_vote = serializers.BooleanField()


class TicketRefSerializer(serializers.Serializer):
    ticket = serializers.CharField(help_text=_("The ticket's number."))


class DeflectionSerializer(serializers.Serializer):
    query = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    solved = serializers.BooleanField(default=True)


class ArticleVersionSerializer(serializers.ModelSerializer):
    author = UserRefSerializer(read_only=True)
    diff = serializers.SerializerMethodField()

    class Meta:
        model = ArticleVersion
        fields = ["number", "title", "body", "keywords", "note", "author", "created_at", "diff"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "description": "Unified diff against the version before."})
    def get_diff(self, version: ArticleVersion) -> str:
        """What this version changed in the body, against the version before it."""
        previous = self.context.get("previous", {}).get(version.number)
        return diff_text(previous.body if previous else "", version.body)
