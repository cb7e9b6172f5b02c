from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImConfig(AppConfig):
    name = "itdesk.channels.im"
    label = "im"
    verbose_name = _("Instant messaging")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from itdesk.channels.im import outbound
        from itdesk.channels.im.models import ImIntegration
        from itdesk.core import events

        outbound.register_channels()
        events.subscribe(outbound.on_ticket_event)
        post_save.connect(
            outbound.forget_robot_targets, sender=ImIntegration, dispatch_uid="im-robot-cache-save"
        )
        post_delete.connect(
            outbound.forget_robot_targets, sender=ImIntegration, dispatch_uid="im-robot-cache-del"
        )
