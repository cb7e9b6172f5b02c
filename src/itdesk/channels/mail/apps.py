from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "itdesk.channels.mail"
    label = "mail"
    verbose_name = _("E-mail channel")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from itdesk.channels.mail.models import Mailbox
        from itdesk.channels.mail.services import senders

        post_save.connect(senders.mailboxes_changed, sender=Mailbox, dispatch_uid="mail-mailboxes-saved")
        post_delete.connect(senders.mailboxes_changed, sender=Mailbox, dispatch_uid="mail-mailboxes-deleted")
