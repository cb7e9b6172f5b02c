"""`itdesk worker`: the Huey job worker (outbox delivery, periodic jobs)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the ITDesk job worker (Huey consumer with the periodic scheduler)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--workers", type=int, default=None, help="worker threads (default from settings)"
        )
        parser.add_argument("--quiet", action="store_true", help="log warnings and errors only")

    def handle(self, *args: Any, **options: Any) -> None:
        extra = ["--workers", str(options["workers"])] if options["workers"] else []
        if options["quiet"]:
            extra.append("--quiet")
        call_command("run_huey", *extra)
