"""Template tags of the knowledge base: the articles panel on a ticket's desk page, status badges."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from itdesk.core.errors import ServiceError
from itdesk.kb import selectors
from itdesk.kb.choices import STATUS_COLOURS, ArticleStatus, LinkKind
from itdesk.tickets.models import Ticket
from itdesk.tickets.workflow import Status

register = template.Library()
SUGGESTED = 5


@register.simple_tag
def article_status(status: str) -> SafeString:
    """An article's status as a coloured badge."""
    try:
        label = ArticleStatus(status).label
    except ValueError:
        label = status
    return format_html('<span class="badge badge-{}">{}</span>', STATUS_COLOURS.get(status, "grey"), label)


@register.inclusion_tag("web/kb/_ticket_panel.html", takes_context=True)
def ticket_knowledge(context: dict[str, Any], ticket: Ticket) -> dict[str, Any]:
    """The knowledge base panel of a ticket's desk page: linked articles, suggestions, "turn into an article"."""
    request = context["request"]
    user = request.user
    links = list(selectors.articles_for_ticket(user, ticket))
    solved_ids = {link.article_id for link in links if link.kind == LinkKind.SOLVED}
    try:
        suggested, _total = selectors.ranked_articles(user, ticket.title[:100], limit=SUGGESTED)
    except ServiceError:
        suggested = []
    suggested = [a for a in suggested if a.pk not in solved_ids and a.status == ArticleStatus.PUBLISHED]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "ticket": ticket,
        "links": links,
        "suggested": suggested,
        "can_write": user.is_agent,
        "resolved": ticket.status in {Status.RESOLVED, Status.CLOSED} and bool(ticket.resolution.strip()),
    }
