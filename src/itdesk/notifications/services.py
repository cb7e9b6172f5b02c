"""Queueing and delivering outgoing messages (e-mail and the registered channels).

Delivery is at least once, never lost: a row is written in the transaction that caused it, delivered
after commit, retried with back-off while the transport is down. A worker claims a row with a
conditional UPDATE and holds a lease, so two workers never send the same row at the same time. The one
window left is a worker that dies after the transport accepted the message but before it recorded
"sent": when the lease runs out the row is sent again. An e-mail goes out again with the same
Message-ID (computed when queued), which mail clients and ITDesk's own intake treat as one message; the
row notes that the earlier attempt did not finish. See docs/notifications.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Case, F, TextField, Value, When
from django.utils import timezone

from itdesk.core.once import create_once
from itdesk.notifications import registry
from itdesk.notifications.models import OutboxMessage, OutboxStatus
from itdesk.notifications.render import render_message

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
SENDING_LEASE = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)
INTERRUPTED = "An earlier attempt stopped before it recorded the result; the message may have been sent."


def max_attempts() -> int:
    """How many attempts before a message is marked failed (setting ITDESK_OUTBOX_MAX_ATTEMPTS)."""
    return int(getattr(settings, "ITDESK_OUTBOX_MAX_ATTEMPTS", MAX_ATTEMPTS))


def sending_lease() -> timedelta:
    """How long a claim holds: longer than a send can take, so a slow send is never taken over."""
    configured = timedelta(seconds=int(getattr(settings, "ITDESK_OUTBOX_LEASE_SECONDS", 600)))
    return max(configured, timedelta(seconds=3 * int(getattr(settings, "EMAIL_TIMEOUT", None) or 60)))


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 30 s, 1 min, 2 min, ... at most 6 hours."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def queue_message(
    *,
    channel: str,
    dedupe_key: str,
    recipient: str,
    subject: str,
    body_text: str = "",
    body_html: str = "",
    template: str = "",
    context: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    language: str = "",
    ticket_id: int | None = None,
    event: str = "",
    user: Any = None,
) -> OutboxMessage | None:
    """Write a message for `channel` to the outbox (in the caller's transaction); deliver it after commit.

    The body is `body_text` (and `body_html`), or `template` with its JSON `context`, rendered in
    `language` when the message is delivered (see render_body). The same `dedupe_key` is queued once: a
    retried job or a repeated call does not send twice.
    """
    if not recipient:
        return None
    if bool(template) == bool(body_text):
        raise ValueError("queue_message needs either body_text or a template, not both")
    message = create_once(
        OutboxMessage,
        dedupe_key=dedupe_key[:200],
        channel=channel,
        event=event[:40],
        user=user,
        recipient=recipient[:254],
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html,
        template=template,
        context=context or {},
        headers=headers or {},
        language=language,
        ticket_id=ticket_id,
    )
    if message is None:
        return None
    from itdesk.notifications.tasks import deliver_message

    transaction.on_commit(lambda: deliver_message(message.pk))
    return message


def queue_email(**fields: Any) -> OutboxMessage | None:
    """Queue an e-mail: queue_message on the "email" channel (same keyword arguments, less `channel`)."""
    return queue_message(channel="email", **fields)


def _claim(message_id: int) -> OutboxMessage | None:
    """Take a due message for sending; only one worker wins the claim, and holds it for the lease."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status__in=[OutboxStatus.PENDING, OutboxStatus.SENDING], next_attempt_at__lte=now
    ).update(
        # A row still "sending" here is one whose worker died mid-send: say so on the row.
        last_error=Case(
            When(status=OutboxStatus.SENDING, then=Value(INTERRUPTED)),
            default=F("last_error"),
            output_field=TextField(),
        ),
        status=OutboxStatus.SENDING,
        next_attempt_at=now + sending_lease(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return OutboxMessage.objects.get(pk=message_id)


def deliver(message_id: int, connection: Any = None) -> bool:
    """Send one outbox message if it is due; record success or schedule a retry with back-off."""
    message = _claim(message_id)
    if message is None:
        return False
    # Only the claim that is still ours may record the outcome (a lease taken over is someone else's).
    ours = OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING, attempts=message.attempts)
    try:
        render_body(message)
        _send(message, connection)
    except Exception as exc:  # any transport error: keep the message and try later
        final = message.attempts >= max_attempts()
        ours.update(
            status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
            next_attempt_at=timezone.now() + backoff(message.attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        log.warning("outbox message %s not sent (attempt %s): %s", message.pk, message.attempts, exc)
        return False
    # Keep the note that an earlier attempt was interrupted: the recipient may have it twice.
    note = INTERRUPTED if message.last_error == INTERRUPTED else ""
    if not ours.update(status=OutboxStatus.SENT, sent_at=timezone.now(), last_error=note):
        log.warning("outbox message %s was sent after its lease ran out", message.pk)
    return True


def render_body(message: OutboxMessage) -> None:
    """Give a message queued as template and context its body (text, and HTML for e-mail), once.

    The body is written to the row before the first send, so a retry sends the same words and the row
    shows what the recipient got. A template that fails raises: delivery records the error and retries.
    """
    if not message.template or message.body_text:
        return
    rendered = render_message(
        message.template,
        message.context,
        subject=message.subject,
        language=message.language or settings.LANGUAGE_CODE,
        html=message.channel == "email",
    )
    message.body_text, message.body_html = rendered.text, rendered.html
    OutboxMessage.objects.filter(pk=message.pk, body_text="").update(
        body_text=message.body_text, body_html=message.body_html
    )


def _send(message: OutboxMessage, connection: Any) -> None:
    """Hand one message to its channel's transport; raises when it was not accepted."""
    if message.channel != "email":
        sender = registry.sender_for(message.channel)
        if sender is None:
            raise LookupError(f"no sender for channel {message.channel!r}")
        sender(message)
        return
    headers = dict(message.headers or {})
    reply_to = [headers.pop("Reply-To")] if headers.get("Reply-To") else []
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        reply_to=reply_to,
        headers=headers,
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


def retry_now(message_ids: Iterable[int]) -> int:
    """Make unsent messages due now (failed ones included) and deliver them after commit."""
    ids = list(message_ids)
    with transaction.atomic():
        due = list(
            OutboxMessage.objects.select_for_update()
            .filter(pk__in=ids, status__in=[OutboxStatus.PENDING, OutboxStatus.FAILED])
            .values_list("pk", flat=True)
        )
        OutboxMessage.objects.filter(pk__in=due).update(
            status=OutboxStatus.PENDING, next_attempt_at=timezone.now()
        )
        from itdesk.notifications.tasks import deliver_message

        for pk in due:
            transaction.on_commit(lambda pk=pk: deliver_message(pk))
    return len(due)
