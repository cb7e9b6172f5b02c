"""Running the `itdesk` command as a separate process, as an administrator or an MTA would."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ITDESK = str(Path(sys.executable).with_name("itdesk"))


def sqlite_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh installation on the embedded SQLite database in `data_dir`, in English."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "itdesk.config.settings",
        "ITDESK_DATA_DIR": str(data_dir),
        "ITDESK_LANGUAGE": "en",
        **extra,
    }
    env.pop("DATABASE_URL", None)  # these are about the embedded SQLite set-up
    env.pop("REDIS_URL", None)
    return env
