"""`itdesk search`: rebuild the full-text index, or search it as someone.

itdesk search rebuild [--kind ticket|article] [--batch 2000]
itdesk search query "打印机 卡纸" --as USERNAME [--kind ticket] [--limit 10]
"""

from __future__ import annotations

import html
import re
import time
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from itdesk.core.errors import ServiceError
from itdesk.search import registry, services

_TAGS = re.compile(r"</?mark>")


def _set_total(bar: tqdm, total: int) -> None:
    bar.total = total
    bar.refresh()


class Command(BaseCommand):
    help = "Full-text search: rebuild the index, or search it as a user."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        rebuild = commands.add_parser("rebuild", help="index every ticket and article afresh")
        rebuild.add_argument("--kind", action="append", help="only this kind (ticket, article; repeatable)")
        rebuild.add_argument(
            "--batch", type=int, default=services.REBUILD_BATCH, help="objects per transaction"
        )
        rebuild.add_argument("--no-progress", action="store_true", help="no progress bar")

        query = commands.add_parser("query", help="search as a user and print the hits")
        query.add_argument("text", help="what to look for")
        query.add_argument("--as", dest="username", required=True, help="whose view of the index to search")
        query.add_argument("--kind", action="append", help="only this kind (repeatable)")
        query.add_argument("--limit", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "rebuild":
            self.rebuild(options)
        else:
            self.query(options)

    def _kinds(self, options: dict[str, Any]) -> list[str]:
        kinds = options.get("kind") or registry.kinds()
        unknown = sorted(set(kinds) - set(registry.kinds()))
        if unknown:
            raise CommandError(f"unknown kind: {', '.join(unknown)} (known: {', '.join(registry.kinds())})")
        return kinds

    def rebuild(self, options: dict[str, Any]) -> None:
        for kind in self._kinds(options):
            started = time.perf_counter()
            with tqdm(
                desc=f"{kind}s", unit=" objects", disable=options["no_progress"], file=self.stderr._out
            ) as bar:
                count = services.rebuild(
                    kind, batch=options["batch"], progress=bar.update, on_total=partial(_set_total, bar)
                )
            seconds = time.perf_counter() - started
            rate = count / seconds if seconds else 0.0
            self.stdout.write(f"{kind}: {count} indexed in {seconds:.1f} s ({rate:,.0f}/s)")

    def query(self, options: dict[str, Any]) -> None:
        try:
            user = get_user_model().objects.get(username=options["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {options['username']!r}") from None
        kinds = set(self._kinds(options)) if options.get("kind") else None
        started = time.perf_counter()
        try:
            results = services.search(user, options["text"], kinds=kinds, limit=options["limit"])
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from None
        elapsed = (time.perf_counter() - started) * 1000
        self.stdout.write(f"{results.total} results ({elapsed:.1f} ms)")
        for hit in results.hits:
            label = hit.reference or str(hit.object_id)
            flag = " [internal]" if hit.audience != "public" else ""
            self.stdout.write(f"{hit.rank:8.3f}  {hit.kind} {label}{flag}  {hit.title}  {hit.url}")
            self.stdout.write(f"          {html.unescape(_TAGS.sub('*', hit.snippet))}")
