from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "itdesk.core"
    label = "core"
    verbose_name = "ITDesk core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from itdesk.core.db import configure_sqlite_connection

        connection_created.connect(configure_sqlite_connection)
