"""`itdesk up`: start the web server and the job worker together; Ctrl-C stops both."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server and the job worker together (what `make run` uses)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--logins", default="", help="text to print after the URL (demo logins)")

    def handle(self, *args: Any, **options: Any) -> None:
        command = [sys.executable, "-m", "itdesk"]
        children = [
            subprocess.Popen([*command, "serve", "--bind", options["bind"]]),  # noqa: S603
            subprocess.Popen([*command, "worker", "--quiet"]),  # noqa: S603
        ]
        host, _sep, port = options["bind"].rpartition(":")
        url = f"http://{host}:{port}/"
        time.sleep(1.5)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"ITDesk is running at {url}"))
        self.stdout.write(f"  API docs: {url}api/docs/   admin: {url}admin/   data: {settings.DATA_DIR}")
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(f"  No EMAIL_HOST set: outgoing mail is written to {settings.EMAIL_FILE_PATH}")
        if options["logins"]:
            self.stdout.write(options["logins"])
        self.stdout.write("Press Ctrl-C to stop.\n")

        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.3)
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [child.returncode for child in children if child.returncode not in (0, -15, None)]
        if failed and not stopping:
            raise SystemExit(1)
