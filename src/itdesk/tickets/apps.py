from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "itdesk.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from itdesk.accounts.models import SupportGroup
        from itdesk.tickets import selectors
        from itdesk.tickets.models import Category, DeskSettings, Priority

        for model in (Priority, Category, SupportGroup, DeskSettings):
            for signal, verb in ((post_save, "saved"), (post_delete, "deleted")):
                signal.connect(
                    selectors.intake_defaults_changed,
                    sender=model,
                    dispatch_uid=f"intake-defaults-{model._meta.label_lower}-{verb}",
                )
