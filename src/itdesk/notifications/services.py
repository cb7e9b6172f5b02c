"""Queueing and delivering outgoing messages."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from itdesk.notifications import registry
from itdesk.notifications.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
SENDING_LEASE = timedelta(minutes=10)


def queue_email(
    *,
    dedupe_key: str,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    headers: dict[str, str] | None = None,
    language: str = "",
    ticket_id: int | None = None,
) -> OutboxMessage | None:
    """Write a message to the outbox (in the caller's transaction) and deliver it after commit.

    The same `dedupe_key` is queued once: a retried job or a repeated call does not send twice.
    """
    if not recipient:
        return None
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                dedupe_key=dedupe_key[:200],
                recipient=recipient,
                subject=subject[:300],
                body_text=body_text,
                body_html=body_html,
                headers=headers or {},
                language=language,
                ticket_id=ticket_id,
            )
    except IntegrityError:
        return None
    from itdesk.notifications.tasks import deliver_message

    transaction.on_commit(lambda: deliver_message(message.pk))
    return message


def _claim(message_id: int) -> OutboxMessage | None:
    """Take a due message for sending; only one worker wins the claim."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING], next_attempt_at__lte=now
    ).update(status=OutboxStatus.SENDING, next_attempt_at=now + SENDING_LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return OutboxMessage.objects.get(pk=message_id)


def deliver(message_id: int, connection: Any = None) -> bool:
    """Send one outbox message if it is due; record success or schedule a retry with back-off."""
    message = _claim(message_id)
    if message is None:
        return False
    try:
        _send(message, connection)
    except Exception as exc:  # any transport error: keep the message and try later
        delay = timedelta(seconds=min(30 * 2 ** (message.attempts - 1), 6 * 3600))
        final = message.attempts >= MAX_ATTEMPTS
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
            next_attempt_at=timezone.now() + delay,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        log.warning("outbox message %s not sent (attempt %s): %s", message.pk, message.attempts, exc)
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def _send(message: OutboxMessage, connection: Any) -> None:
    """Hand one message to its channel's transport; raises when it was not accepted."""
    if message.channel != "email":
        sender = registry.sender_for(message.channel)
        if sender is None:
            raise LookupError(f"no sender for channel {message.channel!r}")
        sender(message)
        return
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers=message.headers,
        connection=connection or get_connection(),
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    email.send(fail_silently=False)


def deliver_due(limit: int = 200) -> int:
    """Send every message that is due (pending past its retry time, or a sending lease that expired)."""
    ids = list(
        OutboxMessage.objects.filter(
            status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING], next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    connection = get_connection()
    sent = 0
    for pk in ids:
        sent += deliver(pk, connection=connection)
    return sent
