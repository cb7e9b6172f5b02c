"""The `itdesk` command: Django's management commands plus ITDesk's own."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run an ITDesk management command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "itdesk.config.settings")
    from itdesk.config.env import ConfigurationError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
    except ConfigurationError as exc:
        print(f"itdesk: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(78) from None


if __name__ == "__main__":
    main()
