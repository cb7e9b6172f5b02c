"""Knowledge base articles, their versions, their links to tickets, votes and deflections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itdesk.kb.choices import ArticleStatus, ArticleType, Language, LinkKind, Visibility


class Article(models.Model):
    """A FAQ, how-to or known error with its workaround; the body is Markdown."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown: headings, lists, links, code."))
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    article_type = models.CharField(
        _("type"), max_length=20, choices=ArticleType.choices, default=ArticleType.FAQ
    )
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("With “one support group only”: the group whose members may read it."),
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, default=Language.BOTH)
    status = models.CharField(
        _("status"), max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_articles",
    )
    review_date = models.DateField(_("review date"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["status", "visibility", "-published_at"], name="article_published"),
            models.Index(fields=["owner", "review_date"], name="article_owner_review"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(visibility="group") | models.Q(group__isnull=False),
                name="article_group_visibility_has_group",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        """Whether requesters may find it (when it is also public)."""
        return self.status == ArticleStatus.PUBLISHED


class ArticleVersion(models.Model):
    """The text of an article as one save left it; the history is append-only."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    note = models.CharField(_("change note"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="unique_article_version")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class ArticleTicketLink(models.Model):
    """An article written from a ticket, or an article that solved a ticket."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="ticket_links"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="article_links"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("article ticket link")
        verbose_name_plural = _("article ticket links")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "ticket", "kind"], name="unique_article_ticket_link")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.kind} {self.ticket_id}"


class ArticleVote(models.Model):
    """One person's helpful / not helpful verdict on an article, with optional feedback text."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="votes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("feedback"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("article vote")
        verbose_name_plural = _("article votes")
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="unique_article_vote")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.user_id} {'+' if self.helpful else '-'}"


class Deflection(models.Model):
    """A request that an article answered before it became a ticket (or an attempt that did not)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    query = models.TextField(_("what they typed"), blank=True)
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="deflections"
    )
    solved = models.BooleanField(_("solved"), default=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["article", "solved"], name="deflection_article_solved")]

    def __str__(self) -> str:
        return f"{self.article_id} {self.user_id} {self.solved}"
