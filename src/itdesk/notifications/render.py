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


def render_message(template: str, context: dict[str, Any], *, subject: str, language: str) -> Rendered:
    """Render event template `template` in `language` into subject, text and HTML."""
    with translation.override(language):
        full = {**context, "message_template": f"notifications/email/events/{template}.txt"}
        full["LANGUAGE_CODE"] = language
        text = render_to_string("notifications/email/base.txt", full)
        html = render_to_string("notifications/email/base.html", full)
    return Rendered(subject=" ".join(str(subject).split()), text=text.strip() + "\n", html=html)
