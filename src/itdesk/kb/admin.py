"""Read-only admin pages: articles are written in the desk (through the services), not here."""

from django.contrib import admin

from itdesk.kb.models import Article, ArticleTicketLink, ArticleVersion, ArticleVote, Deflection


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, do not touch: a change here would skip versions and the search index."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = (
        "title",
        "status",
        "visibility",
        "article_type",
        "language",
        "owner",
        "review_date",
        "version",
    )
    list_filter = ("status", "visibility", "article_type", "language")
    search_fields = ("title",)


@admin.register(ArticleVersion)
class ArticleVersionAdmin(ReadOnlyAdmin):
    list_display = ("article", "number", "author", "created_at")


@admin.register(ArticleTicketLink)
class ArticleTicketLinkAdmin(ReadOnlyAdmin):
    list_display = ("article", "ticket", "kind", "created_by", "created_at")


@admin.register(ArticleVote)
class ArticleVoteAdmin(ReadOnlyAdmin):
    list_display = ("article", "user", "helpful", "updated_at")


@admin.register(Deflection)
class DeflectionAdmin(ReadOnlyAdmin):
    list_display = ("article", "user", "solved", "created_at")
    list_filter = ("solved",)
