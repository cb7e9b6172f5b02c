"""The incoming generic webhook: POST /channels/webhooks/inbound/<slug>/ (token-authenticated, no CSRF)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from itdesk.channels.webhooks import inbound
from itdesk.channels.webhooks.dispatch import ticket_url
from itdesk.core.errors import ServiceError, ValidationFailed


def _error(code: str, message: Any, status: int, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    return JsonResponse({"code": code, "message": str(message), "fields": fields or {}}, status=status)


def _token(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get("X-ITDesk-Token", "").strip()


def _read_body(request: HttpRequest, limit: int) -> bytes | None:
    """The request body, or None when it is larger than `limit` (read no further than that)."""
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.read(limit + 1)
    return None if len(body) > limit else body


@csrf_exempt
@require_POST
def inbound_alert(request: HttpRequest, slug: str) -> JsonResponse:
    """Open (or find) the ticket for one alert; answers 201 when a ticket was opened, 200 otherwise."""
    try:
        source = inbound.authenticate(slug, _token(request))
        inbound.check_rate(source, settings.ITDESK_INBOUND_WEBHOOK_RATE)
    except ServiceError as exc:
        return _error(exc.code, exc.message, exc.status)
    limit = settings.ITDESK_INBOUND_WEBHOOK_MAX_BYTES
    body = _read_body(request, limit)
    if body is None:
        return _error(
            "payload_too_large",
            gettext("The body is larger than %(kb)s KB.") % {"kb": limit // 1024},
            413,
        )
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _error("invalid_json", gettext("The body is not valid JSON."), 400)
    try:
        alert = inbound.parse_alert(data)
        outcome = inbound.receive_alert(source=source, alert=alert)
    except ValidationFailed as exc:
        return _error(
            "validation_failed", exc.message, 400, {k: [str(m) for m in v] for k, v in exc.fields.items()}
        )
    except ServiceError as exc:
        return _error(exc.code, exc.message, exc.status)
    ticket = outcome.ticket
    return JsonResponse(
        {
            "ticket": ticket.number if ticket is not None else None,
            "created": outcome.created,
            "url": ticket_url(ticket.number) if ticket is not None else None,
        },
        status=201 if outcome.created else 200,
    )
