"""Reading settings from the environment, failing fast with a clear message."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigurationError(RuntimeError):
    """A required setting is missing or unsafe."""


def env_str(name: str, default: str = "") -> str:
    """Return an environment variable as a stripped string."""
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    """Return an environment variable read as a boolean (1/true/yes/on)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    """Return an environment variable read as an integer."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated environment variable as a list."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """Return the data directory (database, uploads, secret key), creating it."""
    path = Path(env_str("ITDESK_DATA_DIR") or Path.cwd() / "var").expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(*, production: bool, directory: Path) -> str:
    """Return SECRET_KEY from the environment, or a generated one kept in the data directory."""
    key = env_str("SECRET_KEY")
    if key:
        if production and (len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure")):
            raise ConfigurationError(
                "SECRET_KEY is unsafe for production: use at least 50 random characters "
                "(python -c 'import secrets; print(secrets.token_urlsafe(64))')"
            )
        return key
    if production:
        raise ConfigurationError("SECRET_KEY must be set when ITDESK_PRODUCTION is on")
    key_file = directory / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()
