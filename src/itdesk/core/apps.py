from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "itdesk.core"
    label = "core"
    verbose_name = "ITDesk core"
