"""`itdesk serve`: the production WSGI server (gunicorn) with the ITDesk application."""

from __future__ import annotations

import multiprocessing
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve ITDesk with gunicorn (a production WSGI server)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="host:port to listen on")
        parser.add_argument("--workers", type=int, default=min(4, multiprocessing.cpu_count() + 1))
        parser.add_argument(
            "--threads",
            type=int,
            default=4,
            help="threads per worker; the most recently busy one takes the next request (itdesk.core.serving)",
        )
        parser.add_argument("--timeout", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        from django.urls import get_resolver
        from gunicorn.app.base import BaseApplication

        from itdesk.config.wsgi import application
        from itdesk.core.serving import freeze_loaded

        # Load every view and serializer before the workers fork, then put all of it out of the garbage
        # collector's sight (see freeze_loaded).
        get_resolver().url_patterns  # noqa: B018 - imports the URL map and every view module
        freeze_loaded()

        cfg = {
            "bind": options["bind"],
            "workers": options["workers"],
            "threads": options["threads"],
            "timeout": options["timeout"],
            "accesslog": "-",
            "access_log_format": '%(h)s "%(r)s" %(s)s %(b)s %(M)sms',
            # gthread, with requests given to the most recently busy thread (see itdesk.core.serving).
            "worker_class": "itdesk.core.serving.RecentThreadWorker",
        }

        class ITDeskServer(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in cfg.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        ITDeskServer().run()
