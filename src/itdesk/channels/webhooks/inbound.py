"""Incoming alerts: a monitoring system posts JSON, one ticket per (source, external id).

The first alert opens a ticket through tickets.services.create_ticket; a repeat answers with the same
ticket and at most adds a note when the alert's state changed (resolved, firing again). Two concurrent
posts of a new alert open one ticket: the ExternalReference row is inserted first under a unique
constraint, so the loser's insert fails (or waits, then fails) and it reads the winner's ticket instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from itdesk.channels.webhooks.models import ExternalReference, InboundSource
from itdesk.core.errors import ServiceError, ValidationFailed
from itdesk.tickets import services as ticket_services
from itdesk.tickets.choices import Channel, Impact
from itdesk.tickets.models import Ticket
from itdesk.tickets.workflow import FINAL_STATUSES

FIRING = "firing"
RESOLVED = "resolved"
_LEVELS = {"high": 1, "medium": 2, "low": 3}
_DUMMY_HASH = hashlib.sha256(b"no such source").hexdigest()


class InvalidToken(ServiceError):
    code = "invalid_token"
    status = 401
    default_message = _("The token is missing or wrong.")


class RateLimited(ServiceError):
    code = "rate_limited"
    status = 429
    default_message = _("Too many requests from this source; try again in a minute.")


@dataclass(frozen=True)
class Alert:
    external_id: str
    title: str
    description: str
    impact: int | None
    urgency: int | None
    status: str


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket | None
    created: bool


def hash_token(token: str) -> str:
    """The stored form of a source token (SHA-256 hex; tokens are long and random, no salt needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


def generate_token() -> str:
    """A new random source token."""
    return "itdin_" + secrets.token_urlsafe(32)


def set_new_token(*, source: InboundSource) -> str:
    """Give a source a new token and return it (shown once; the old token stops working)."""
    token = generate_token()
    source.token_hash = hash_token(token)
    if source.pk:
        InboundSource.objects.filter(pk=source.pk).update(token_hash=source.token_hash)
    return token


def authenticate(slug: str, token: str) -> InboundSource:
    """The active source whose token matches (constant-time); InvalidToken otherwise, unknown slug alike."""
    source = (
        InboundSource.objects.select_related("requester", "category").filter(slug=slug, active=True).first()
    )
    stored = source.token_hash if source is not None and source.token_hash else _DUMMY_HASH
    matches = hmac.compare_digest(stored, hash_token(token or ""))
    if source is None or not token or not matches:
        raise InvalidToken()
    return source


def check_rate(source: InboundSource, per_minute: int) -> None:
    """A simple per-source, per-minute cap (per process cache); 0 turns it off."""
    if per_minute <= 0:
        return
    key = f"itdesk:webhooks:inbound:{source.pk}:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:
        return
    if count > per_minute:
        raise RateLimited()


def _level(value: Any, name: str, errors: dict[str, list[str]]) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() in _LEVELS:
        return _LEVELS[value.strip().lower()]
    if isinstance(value, int) and not isinstance(value, bool) and value in Impact.values:
        return value
    if isinstance(value, str) and value.strip().isdigit() and int(value) in Impact.values:
        return int(value)
    errors[name] = [gettext("Use 1 (high), 2 (medium) or 3 (low).")]
    return None


def _text(value: Any, name: str, limit: int, errors: dict[str, list[str]]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        errors[name] = [gettext("Must be a string.")]
        return ""
    return str(value).strip()[:limit]


def parse_alert(data: Any) -> Alert:
    """Validate a decoded JSON body; ValidationFailed (code validation_failed) lists the bad fields."""
    if not isinstance(data, dict):
        raise ValidationFailed(
            gettext("The body must be a JSON object."), code="validation_failed", fields={}
        )
    errors: dict[str, list[str]] = {}
    raw_id = data.get("external_id")
    external_id = ""
    if raw_id is None or (isinstance(raw_id, str) and not raw_id.strip()):
        errors["external_id"] = [gettext("This field is required.")]
    elif isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
        errors["external_id"] = [gettext("Must be a string.")]
    else:
        external_id = str(raw_id).strip()
        if len(external_id) > 200:
            errors["external_id"] = [gettext("At most 200 characters.")]
    title = _text(data.get("title"), "title", 200, errors)
    description = _text(data.get("description"), "description", 50_000, errors)
    impact = _level(data.get("impact"), "impact", errors)
    urgency = _level(data.get("urgency"), "urgency", errors)
    status = data.get("status") or FIRING
    if status not in (FIRING, RESOLVED):
        errors["status"] = [gettext("Use “firing” or “resolved”.")]
    if errors:
        raise ValidationFailed(code="validation_failed", fields=errors)
    if not title:
        with translation.override(settings.LANGUAGE_CODE):  # ticket text in the desk's language
            title = gettext("Alert %(id)s") % {"id": external_id[:180]}
    return Alert(external_id, title, description or title, impact, urgency, status)


def receive_alert(*, source: InboundSource, alert: Alert) -> Outcome:
    """Open a ticket for a new alert or answer with the existing one; safe under concurrent repeats."""
    for _attempt in range(3):
        try:
            return _receive_once(source, alert)
        except IntegrityError:
            continue  # another request created the reference first: read it on the next pass
    return _receive_once(source, alert)


def _open_ticket(source: InboundSource, alert: Alert) -> Ticket:
    fields: dict[str, Any] = {
        "impact": alert.impact or source.impact,
        "urgency": alert.urgency or source.urgency,
    }
    if source.category_id is not None:
        fields["category"] = source.category
    return ticket_services.create_ticket(
        actor=source.requester,
        requester=source.requester,
        title=alert.title,
        description=alert.description,
        channel=Channel.API,
        **fields,
    )


def _note(source: InboundSource, ticket: Ticket, text: str) -> None:
    requester = source.requester
    ticket_services.add_comment(ticket=ticket, actor=requester, body=text, internal=requester.is_agent)


def _receive_once(source: InboundSource, alert: Alert) -> Outcome:
    now = timezone.now()
    with transaction.atomic():
        reference = (
            ExternalReference.objects.select_for_update(of=("self",))
            .select_related("ticket")
            .filter(source=source, external_id=alert.external_id)
            .first()
        )
        if reference is None:
            if alert.status == RESOLVED:
                return Outcome(None, False)  # a recovery for an alert never seen: nothing to open
            reference = ExternalReference.objects.create(
                source=source,
                external_id=alert.external_id,
                last_status=alert.status,
                created_at=now,
                last_seen_at=now,
            )
            reference.ticket = _open_ticket(source, alert)
            reference.save(update_fields=["ticket"])
            return Outcome(reference.ticket, True)

        ticket = reference.ticket
        previous = reference.last_status
        reference.last_seen_at = now
        reference.last_status = alert.status
        if ticket is None or ticket.status in FINAL_STATUSES:
            if alert.status == FIRING:  # it fired again after its ticket was closed: a new incident
                reference.ticket = _open_ticket(source, alert)
                reference.repeat_count = 0
                reference.save()
                return Outcome(reference.ticket, True)
            reference.save()
            return Outcome(ticket, False)
        reference.repeat_count += 1
        reference.save()
        if alert.status != previous:
            with translation.override(settings.LANGUAGE_CODE):
                if alert.status == RESOLVED:
                    text = gettext("The monitoring system reports this alert as resolved (%(source)s).")
                else:
                    text = gettext("The alert is firing again (%(source)s).")
                _note(source, ticket, text % {"source": source.name})
        return Outcome(ticket, False)
