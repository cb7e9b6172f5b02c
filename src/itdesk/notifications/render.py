"""Rendering a notification: one base layout (text and HTML) around a per-event message.

Ticket notifications are queued as a template name and a JSON snapshot of what it shows (see
tickets.notify), and rendered here when the outbox delivers them: the request that caused them does
not wait for the templates, and a template that fails to render delays a message (retried, its error on
the row) instead of refusing the change that caused it.

The per-event template `notifications/email/events/<name>.txt` writes the message as plain paragraphs.
The text layout includes it with escaping off; the HTML layout includes the same template with Django's
escaping on (every value a person typed is escaped), then turns paragraphs and links into HTML. No HTML
from a user ever reaches the mail unescaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class Rendered:
    """A message in the recipient's language: subject, plain text and HTML."""

    subject: str
    text: str
    html: str = ""


# (model, language) -> {status value: its label in that language}. Translations are fixed for the life
# of a process; get_status_display() rebuilt (and hashed) the whole lazy choice list on every call.
_status_labels: dict[tuple[type, str], dict[str, str]] = {}


def status_label(ticket: Any, language: str) -> str:
    """The ticket's status as `ticket.get_status_display()` says it in `language` (active), memoised."""
    key = (type(ticket), language)
    labels = _status_labels.get(key)
    if labels is None:
        field = type(ticket)._meta.get_field("status")
        labels = _status_labels[key] = {str(value): str(label) for value, label in field.flatchoices}
    return labels.get(ticket.status, ticket.status)


def render_message(
    template: str, context: dict[str, Any], *, subject: str, language: str, html: bool = True
) -> Rendered:
    """Render event template `template` in `language` into subject, text and (when `html`) HTML.

    `context` is JSON (what tickets.notify snapshots when it queues the message): the ticket as a dict
    of the values the templates show, its `status_label` already in `language`.
    """
    with translation.override(language):
        full = {**context, "message_template": f"notifications/email/events/{template}.txt"}
        full["LANGUAGE_CODE"] = language
        text = render_to_string("notifications/email/base.txt", full)
        body_html = render_to_string("notifications/email/base.html", full) if html else ""
    return Rendered(subject=clean_subject(subject), text=text.strip() + "\n", html=body_html)


def clean_subject(subject: Any) -> str:
    """A subject on one line, runs of white space made one space."""
    return " ".join(str(subject).split())
