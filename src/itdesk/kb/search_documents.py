"""The search documents of articles (registered with itdesk.search.registry in KbConfig.ready)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Iterator
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.html import strip_tags

from itdesk.kb.choices import ArticleStatus, Language, Visibility
from itdesk.kb.models import Article
from itdesk.kb.render import render_markdown
from itdesk.search.registry import Document

AUDIENCE = {Visibility.PUBLIC: "public", Visibility.INTERNAL: "desk", Visibility.GROUP: "group"}


def plain_text(markdown_text: str) -> str:
    """The words of a Markdown text without its markup, so snippets read like the article does."""
    return html.unescape(strip_tags(render_markdown(markdown_text)))


def article_document(article: Article) -> Document:
    """One article as the search index sees it: who may find it is decided by its audience fields."""
    category = article.category
    category_words = f"{category.name_zh} {category.name_en}" if category is not None else ""
    return Document(
        kind="article",
        object_id=article.pk,
        title=article.title,
        body=plain_text(article.body),
        keywords=" ".join([*article.keywords, category_words]).strip(),
        audience=AUDIENCE.get(article.visibility, "desk"),
        owner_id=None,
        group_id=article.group_id if article.visibility == Visibility.GROUP else None,
        published=article.status == ArticleStatus.PUBLISHED,
        language="" if article.language == Language.BOTH else article.language,
        url="",
        updated_at=article.updated_at,
        reference=str(article.pk),
    )


def build_article_documents(ids: Iterable[int]) -> Iterator[Document]:
    """The documents of the articles among `ids` that still exist (one per article)."""
    for article in (
        Article.objects.filter(pk__in=list(ids)).select_related("category").iterator(chunk_size=500)
    ):
        yield article_document(article)


def article_url(reference: str, user: Any) -> str:
    """Where a hit links to: the desk's article page for the desk, the portal's for everyone else."""
    name = "web:kb-desk-article" if getattr(user, "is_desk", False) else "web:kb-portal-article"
    try:
        return reverse(name, args=[int(reference)])
    except NoReverseMatch:
        # Without the pages (an API-only set of routes), the article's API resource is its address.
        return reverse("api:kb-article-detail", args=[int(reference)])


def all_article_ids() -> Iterator[int]:
    """Every article's id, for a rebuild of the index."""
    return Article.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2000)
