"""The search index's rows: one `SearchDocument` per searchable text, with who may see it.

The full-text part lives beside it, per engine (created by migrations 0001 and 0002): on SQLite the FTS5
table `search_fts` keyed by the document's id, on PostgreSQL the narrow table `search_tsv` (the
document's id, kind, object, visibility and tsvector, with a GIN index); a trigger removes their rows
with the document. Neither is a model: only `backends.py` reads or writes them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from itdesk.search.registry import AUDIENCES


class SearchDocument(models.Model):
    """A searchable text of an object, its visibility and what a hit shows (title, snippet source, link)."""

    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.BigIntegerField(_("object id"))
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    audience = models.CharField(_("audience"), max_length=10, choices=[(a, a) for a in AUDIENCES])
    owner_id = models.BigIntegerField(_("owner"), null=True, blank=True)
    group_id = models.BigIntegerField(_("group"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)  # the original text snippets are cut from
    url = models.CharField(_("link"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        indexes = [
            models.Index(fields=["kind", "object_id"], name="search_doc_object"),
            models.Index(fields=["owner_id"], name="search_doc_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} {self.title}"
