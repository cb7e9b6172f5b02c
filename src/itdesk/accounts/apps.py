from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "itdesk.accounts"
    label = "accounts"
    verbose_name = _("People and organisation")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from rest_framework.authtoken.models import Token

        from itdesk.accounts.authentication import accounts_changed
        from itdesk.accounts.models import User

        for model in (User, Token):
            for signal, verb in ((post_save, "saved"), (post_delete, "deleted")):
                signal.connect(
                    accounts_changed,
                    sender=model,
                    dispatch_uid=f"api-tokens-{model._meta.label_lower}-{verb}",
                )
