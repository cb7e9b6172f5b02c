"""Outgoing webhooks: managing endpoints and delivering the delivery rows (claim, send, retry, give up)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itdesk.channels import http
from itdesk.channels.webhooks.dispatch import enqueue, ticket_url
from itdesk.channels.webhooks.models import DeliveryStatus, EventType, WebhookDelivery, WebhookEndpoint
from itdesk.channels.webhooks.signing import generate_secret, signed_headers
from itdesk.core.errors import ServiceError, ValidationFailed

log = logging.getLogger(__name__)

SENDING_LEASE = timedelta(minutes=5)
RESPONSE_EXCERPT = 2000
MAX_BACKOFF_SECONDS = 3600


def _validated(endpoint: WebhookEndpoint) -> None:
    try:
        endpoint.full_clean()
    except ValidationError as exc:
        fields = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
        code = "unsafe_destination" if "url" in fields else "invalid"
        raise ValidationFailed(fields=fields, code=code) from None


def create_endpoint(
    *,
    name: str,
    url: str,
    event_types: Iterable[str] | None = None,
    include_internal: bool = False,
    actor: Any = None,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint (its URL checked against the SSRF rules); returns it and its new secret."""
    endpoint = WebhookEndpoint(name=name.strip(), url=url.strip(), include_internal=include_internal)
    if event_types is not None:
        endpoint.event_types = list(event_types)
    endpoint.secret = generate_secret()
    endpoint.created_by = actor
    _validated(endpoint)
    with transaction.atomic():
        endpoint.save()
    return endpoint, endpoint.secret


def update_endpoint(*, endpoint: WebhookEndpoint, **changes: Any) -> WebhookEndpoint:
    """Change an endpoint's name, URL, events, internal-notes flag or active flag (URL checked again)."""
    allowed = {"name", "url", "event_types", "include_internal", "active"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    for name, value in changes.items():
        setattr(endpoint, name, value)
    _validated(endpoint)
    with transaction.atomic():
        endpoint.save()
    return endpoint


def regenerate_secret(*, endpoint: WebhookEndpoint) -> str:
    """Give an endpoint a new signing secret and return it (shown once; the old one stops working)."""
    secret = generate_secret()
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret=secret, updated_at=timezone.now())
    endpoint.secret = secret
    return secret


# ---------------------------------------------------------------- delivery


def _claim(delivery_id: int) -> bool:
    """Take a due delivery for sending; only one worker wins, and a dead worker's lease expires."""
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING],
            next_attempt_at__lte=now,
        ).update(
            status=DeliveryStatus.SENDING,
            next_attempt_at=now + SENDING_LEASE,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    )


def _body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _excerpt(body: bytes) -> str:
    return body[:RESPONSE_EXCERPT].decode("utf-8", errors="replace")


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 30 s, 1, 2, 4, 8 ... minutes, at most an hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def _record_failure(
    delivery: WebhookDelivery, *, error: str, status: int | None, body: str, duration: int
) -> None:
    final = delivery.attempts >= settings.ITDESK_WEBHOOK_MAX_ATTEMPTS
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
        next_attempt_at=timezone.now() + backoff(delivery.attempts),
        response_status=status,
        response_body=body,
        duration_ms=duration,
        last_error=error[:2000],
    )
    log.warning(
        "webhook delivery %s to endpoint %s failed (attempt %s%s): %s",
        delivery.pk,
        delivery.endpoint_id,
        delivery.attempts,
        ", giving up" if final else "",
        error,
    )


def deliver(delivery_id: int) -> bool:
    """Send one delivery if it is due; a 2xx answer marks it delivered, anything else retries later."""
    if not _claim(delivery_id):
        return False
    try:
        delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
        endpoint = delivery.endpoint
        secret = endpoint.secret
    except ValueError as exc:  # the signing secret cannot be decrypted (the encryption key changed)
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED, last_error=f"{exc}; regenerate the endpoint's secret"
        )
        return False
    if not endpoint.active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, last_error=gettext("The endpoint is not active.")
        )
        return False
    body = _body(delivery.payload)
    headers = signed_headers(
        secret=secret,
        body=body,
        event_type=delivery.event_type,
        delivery_id=delivery.pk,
        timestamp=int(time.time()),
    )
    started = time.monotonic()
    try:
        result = http.send(
            "POST",
            endpoint.url,
            body=body,
            headers=headers,
            timeout=settings.ITDESK_WEBHOOK_TIMEOUT,
            max_response_bytes=64 * 1024,
        )
    except ServiceError as exc:  # UnsafeDestination, DeliveryFailed
        duration = int((time.monotonic() - started) * 1000)
        _record_failure(delivery, error=f"{exc.code}: {exc.message}", status=None, body="", duration=duration)
        return False
    if not 200 <= result.status < 300:
        _record_failure(
            delivery,
            error=f"HTTP {result.status}",
            status=result.status,
            body=_excerpt(result.body),
            duration=result.elapsed_ms,
        )
        return False
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DELIVERED,
        delivered_at=timezone.now(),
        response_status=result.status,
        response_body=_excerpt(result.body),
        duration_ms=result.elapsed_ms,
        last_error="",
    )
    return True


def deliver_due(limit: int = 200) -> int:
    """Send every delivery that is due (retries, and those whose worker died mid-send)."""
    ids = list(
        WebhookDelivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING], next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver(pk) for pk in ids)


def retry_now(*, delivery_ids: Iterable[int]) -> int:
    """Make deliveries due again at once (a failed one gets one more attempt) and queue them."""
    ids = list(delivery_ids)
    with transaction.atomic():
        count = (
            WebhookDelivery.objects.filter(pk__in=ids)
            .exclude(status=DeliveryStatus.DELIVERED)
            .update(status=DeliveryStatus.PENDING, next_attempt_at=timezone.now())
        )
        transaction.on_commit(lambda: enqueue(ids))
    return count


def send_test_event(*, endpoint: WebhookEndpoint, actor: Any = None) -> WebhookDelivery:
    """Send a `webhook.test` event to one endpoint now and return the delivery with its outcome."""
    now = timezone.now()
    payload = {
        "event": EventType.TEST.value,
        "event_id": None,
        "occurred_at": now.isoformat(),
        "actor": (
            {"username": actor.username, "display_name": getattr(actor, "display_name", "") or actor.username}
            if actor is not None
            else None
        ),
        "ticket": {
            "number": "TEST-0001",
            "title": "Test event",
            "status": "new",
            "priority": None,
            "url": ticket_url("TEST-0001"),
        },
    }
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_type=EventType.TEST, payload=payload, created_at=now, next_attempt_at=now
    )
    deliver(delivery.pk)
    # A test is sent once: its failure is shown, not retried in the background.
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED
    )
    delivery.refresh_from_db()
    return delivery
