from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "itdesk.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from itdesk.search import documents

        documents.register_ticket_documents()
