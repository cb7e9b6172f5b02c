"""Rendering a notification: one base layout (text and HTML) around a per-event message.

The per-event template `notifications/email/events/<name>.txt` writes the message as plain paragraphs.
The text layout includes it with escaping off; the HTML layout includes the same template with Django's
escaping on (every value a person typed is escaped), then turns paragraphs and links into HTML. No HTML
from a user ever reaches the mail unescaped.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from itdesk.notifications.dispatch import Rendered

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


def render_message(template: str, context: dict[str, Any], *, subject: str, language: str) -> Rendered:
    """Render event template `template` in `language` into subject, text and HTML."""
    with translation.override(language):
        full = {**context, "message_template": f"notifications/email/events/{template}.txt"}
        full["LANGUAGE_CODE"] = language
        if context.get("ticket") is not None:
            full["status_label"] = status_label(context["ticket"], language)
        text = render_to_string("notifications/email/base.txt", full)
        html = render_to_string("notifications/email/base.html", full)
    return Rendered(subject=" ".join(str(subject).split()), text=text.strip() + "\n", html=html)
