"""`itdesk sla`: explain a ticket's clocks, compute a due time from a calendar file, run the watcher,
import holidays, recompute clocks.

    itdesk sla explain NUMBER [--language en]
    itdesk sla due --calendar FILE --start ISO8601 --target DURATION [--pause START/END ...]
    itdesk sla watch
    itdesk sla import-holidays --year 2026 [--calendar NAME]
    itdesk sla recompute [--calendar NAME]
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from itdesk.sla import selectors, services, watcher
from itdesk.sla.calendar_file import CalendarFileError, due_from_cli
from itdesk.sla.models import Calendar
from itdesk.tickets.models import Ticket


class _System:
    """The command line sees every clock, as the desk does."""

    is_desk = True


class Command(BaseCommand):
    def run_from_argv(self, argv: list[str]) -> None:
        # A negative duration ("--target -2h") looks like an option to argparse; pass it as a value so the
        # command can refuse it with its own one-line reason.
        joined: list[str] = []
        for arg in argv:
            if joined and joined[-1] in {"--target", "--start"} and arg.startswith("-"):
                joined[-1] = f"{joined[-1]}={arg}"
            else:
                joined.append(arg)
        super().run_from_argv(joined)

    help = "SLA clocks: explain, due, watch, import-holidays, recompute."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")

        explain = commands.add_parser("explain", help="print each target's due time, state and explanation")
        explain.add_argument("number", help="the ticket's number, e.g. IT20261120001")
        explain.add_argument("--language", help="zh-hans or en (default: the desk's language)")

        due = commands.add_parser(
            "due", help="print the due instant for a start and target on a calendar file"
        )
        due.add_argument("--calendar", required=True, metavar="FILE", help="calendar file (JSON)")
        due.add_argument("--start", required=True, metavar="ISO8601", help="e.g. 2026-10-09T17:30+08:00")
        due.add_argument("--target", required=True, metavar="DURATION", help="e.g. 30m, 8h, 3d, 1h30m")
        due.add_argument(
            "--pause", action="append", default=[], metavar="START/END", help="a pause (repeatable)"
        )

        commands.add_parser("watch", help="run one pass of the SLA watcher")

        holidays = commands.add_parser("import-holidays", help="load China's official holidays of a year")
        holidays.add_argument("--year", type=int, required=True)
        holidays.add_argument(
            "--calendar", metavar="NAME", help="a calendar's name (default: every working-hours calendar)"
        )

        recompute = commands.add_parser("recompute", help="recompute the clocks of open tickets")
        recompute.add_argument("--calendar", metavar="NAME", help="only tickets counting on this calendar")

    def handle(self, *args: Any, **options: Any) -> None:
        handler = {
            "explain": self.explain,
            "due": self.due,
            "watch": self.watch,
            "import-holidays": self.import_holidays,
            "recompute": self.recompute,
        }[options["subcommand"]]
        handler(options)

    # ------------------------------------------------------------ subcommands

    def due(self, options: dict[str, Any]) -> None:
        path = Path(options["calendar"])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read calendar file {path}: {exc.strerror or exc}") from None
        try:
            self.stdout.write(due_from_cli(text, options["start"], options["target"], options["pause"]))
        except CalendarFileError as exc:
            raise CommandError(str(exc)) from None

    def explain(self, options: dict[str, Any]) -> None:
        ticket = Ticket.objects.filter(number=options["number"]).first()
        if ticket is None:
            raise CommandError(f"no ticket numbered {options['number']}")
        language = options.get("language") or None
        with translation.override(language) if language else nullcontext():
            views = selectors.ticket_clocks(_System(), ticket)  # type: ignore[arg-type]
            if not views:
                self.stdout.write(_("%(number)s: no SLA applies.") % {"number": ticket.number})
                return
            self.stdout.write(f"{ticket.number} {ticket.title}")
            for view in views:
                explanation = view.explanation()
                self.stdout.write("")
                self.stdout.write(
                    _("%(target)s: %(state)s, due %(due)s")
                    % {
                        "target": view.kind_label,
                        "state": view.state_label,
                        "due": view.due_at.isoformat(timespec="minutes"),
                    }
                )
                self.stdout.write(f"  {explanation.summary}")
                for line in explanation.steps:
                    self.stdout.write(f"    - {line}")

    def watch(self, options: dict[str, Any]) -> None:
        report = watcher.run_watcher()
        self.stdout.write(
            f"{timezone.now():%Y-%m-%d %H:%M:%S} UTC: {report.warnings} warning(s), {report.breaches} breach(es)"
            + (f", {len(report.failed)} failed (see the log)" if report.failed else "")
        )

    def import_holidays(self, options: dict[str, Any]) -> None:
        calendars = self._calendars(options.get("calendar"), default=Calendar.objects.filter(is_24x7=False))
        for calendar in calendars:
            try:
                result = services.import_holidays(calendar=calendar, year=options["year"])
            except services.HolidaysUnknown as exc:
                raise CommandError(str(exc.message)) from None
            recomputed = services.recompute_clocks(calendar_id=calendar.pk)
            self.stdout.write(
                f"{calendar.name}: {result.year}: {result.holidays} holidays, {result.workdays} make-up workdays"
                + (f", {result.kept_manual} hand-made days kept" if result.kept_manual else "")
                + f"; {recomputed} open ticket(s) recomputed"
            )

    def recompute(self, options: dict[str, Any]) -> None:
        if options.get("calendar"):
            calendar = self._calendars(options["calendar"], default=Calendar.objects.none())[0]
            count = services.recompute_clocks(calendar_id=calendar.pk)
        else:
            count = services.recompute_clocks()
        self.stdout.write(f"{count} open ticket(s) recomputed")

    def _calendars(self, name: str | None, *, default: Any) -> list[Calendar]:
        if name:
            found = list(Calendar.objects.filter(name=name))
            if not found:
                known = ", ".join(Calendar.objects.values_list("name", flat=True)) or "none"
                raise CommandError(f"no calendar named {name!r} (calendars: {known})")
            return found
        found = list(default)
        if not found:
            raise CommandError("no calendar to work on")
        return found
