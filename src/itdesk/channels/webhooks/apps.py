from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "itdesk.channels.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from itdesk.channels.webhooks import dispatch, tasks  # noqa: F401 - registers the jobs
        from itdesk.channels.webhooks.models import WebhookEndpoint
        from itdesk.core import events

        events.subscribe(dispatch.on_ticket_event)
        post_save.connect(
            dispatch.endpoints_changed, sender=WebhookEndpoint, dispatch_uid="webhooks-endpoints-saved"
        )
        post_delete.connect(
            dispatch.endpoints_changed, sender=WebhookEndpoint, dispatch_uid="webhooks-endpoints-deleted"
        )
