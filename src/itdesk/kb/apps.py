from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KbConfig(AppConfig):
    name = "itdesk.kb"
    label = "kb"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        """Tell the search index how to build the documents of articles."""
        from itdesk.kb.search_documents import all_article_ids, article_url, build_article_documents
        from itdesk.search import registry

        registry.register("article", build_article_documents, url=article_url, all_ids=all_article_ids)
