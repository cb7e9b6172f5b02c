"""Errors that services raise: each carries a stable machine-readable code and a translated message."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """A business rule refused the request; `code` is stable, `message` is for people."""

    code = "error"
    status = 400
    default_message = _("The request could not be completed.")

    def __init__(self, message: Any = None, *, code: str | None = None, **details: Any) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.details = details
        super().__init__(str(self.message))


class ValidationFailed(ServiceError):
    code = "invalid"
    default_message = _("Some fields are not valid.")

    def __init__(self, message: Any = None, *, fields: dict[str, list[str]] | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.fields = fields or {}


class NotFound(ServiceError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(ServiceError):
    code = "permission_denied"
    status = 403
    default_message = _("You are not allowed to do this.")


class Conflict(ServiceError):
    code = "conflict"
    status = 409


class StaleVersion(Conflict):
    code = "stale_version"
    default_message = _("Someone else changed this ticket after you opened it. Reload it and try again.")
