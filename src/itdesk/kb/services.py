"""Every write to the knowledge base goes through these functions.

Each validates, locks what it changes, writes in one transaction and schedules the article's search
documents to be rebuilt when the transaction commits. Only agents (leads and administrators included)
write articles; anyone who can read an article may vote on it, and a requester may record that it
solved their problem.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itdesk.accounts.models import SupportGroup, User
from itdesk.core.errors import Conflict, NotFound, PermissionDenied, ServiceError, ValidationFailed
from itdesk.kb import selectors, workflow
from itdesk.kb.choices import ArticleStatus, ArticleType, Language, LinkKind, Visibility
from itdesk.kb.models import Article, ArticleTicketLink, ArticleVersion, ArticleVote, Deflection
from itdesk.search import services as search_services
from itdesk.tickets.models import Category, Ticket
from itdesk.tickets.workflow import STATUS_CATEGORY
from itdesk.tickets.workflow import Category as StatusCategory
from itdesk.tickets.workflow import Status as TicketStatus

# Changing any of these writes a new version; the rest are the article's settings.
VERSIONED_FIELDS = ("title", "body", "keywords")
SETTING_FIELDS = (
    "category",
    "article_type",
    "visibility",
    "group",
    "language",
    "owner",
    "review_date",
)
FIELDS = frozenset(VERSIONED_FIELDS + SETTING_FIELDS)
MAX_KEYWORDS = 30

_MOVE_MESSAGES = {
    "invalid_transition": _("This article cannot move from “%(source)s” to “%(target)s”."),
    "transition_not_permitted": _("You are not allowed to move this article to “%(target)s”."),
}


class ArticleStale(Conflict):
    code = "stale_version"
    default_message = _("Someone else changed this article after you opened it. Reload it and try again.")


class InvalidArticleTransition(ServiceError):
    code = "invalid_transition"
    status = 409


class NotPublished(ServiceError):
    code = "not_published"
    status = 409
    default_message = _("Only a published article can be rated.")


class TicketNotResolved(ServiceError):
    code = "ticket_not_resolved"
    status = 409
    default_message = _("Only a resolved or closed ticket can become an article.")


# ---------------------------------------------------------------- helpers


def _require_writer(actor: User) -> None:
    if not actor.is_agent:
        raise PermissionDenied(_("Only the service desk writes knowledge base articles."))


def _index(article: Article) -> None:
    search_services.schedule_index("article", article.pk)


def _lock(actor: User, article: Article | int) -> Article:
    """The article row, locked; one `actor` may not see is NotFound."""
    pk = article.pk if isinstance(article, Article) else article
    selectors.get_article(actor, pk)  # raises NotFound when it is not the actor's to see
    return Article.objects.select_for_update().get(pk=pk)


def normalise_keywords(value: Any) -> list[str]:
    """Keywords as a list of distinct, trimmed words; a string is split on commas."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace("，", ",").split(",")
    if not isinstance(value, list | tuple):
        raise ValidationFailed(fields={"keywords": [str(_("Give the keywords as a list of words."))]})
    words: list[str] = []
    for item in value:
        word = str(item).strip()
        if word and word.casefold() not in {w.casefold() for w in words}:
            words.append(word[:60])
    return words[:MAX_KEYWORDS]


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check field values; raise ValidationFailed naming each bad field."""
    unknown = sorted(set(values) - FIELDS)
    if unknown:
        raise ValidationFailed(fields={name: [str(_("Unknown field."))] for name in unknown})
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if name in {"title", "body"}:
            text = str(value or "").strip()
            if not text:
                errors[name] = [str(_("This field is required."))]
            elif name == "title" and len(text) > 200:
                errors[name] = [str(_("At most 200 characters."))]
            value = text
        elif name == "keywords":
            value = normalise_keywords(value)
        elif name == "article_type" and value not in ArticleType.values:
            errors[name] = [str(_("Unknown article type."))]
        elif name == "visibility" and value not in Visibility.values:
            errors[name] = [str(_("Choose public, internal or group."))]
        elif name == "language" and value not in Language.values:
            errors[name] = [str(_("Choose zh-hans, en or both."))]
        elif name == "category" and value is not None and not isinstance(value, Category):
            errors[name] = [str(_("Unknown category."))]
        elif name == "group" and value is not None and not isinstance(value, SupportGroup):
            errors[name] = [str(_("Unknown group."))]
        elif name == "owner" and value is not None and not (isinstance(value, User) and value.is_agent):
            errors[name] = [str(_("The owner must be an agent."))]
        elif name == "review_date" and value is not None and not isinstance(value, dt.date):
            errors[name] = [str(_("Give a date."))]
        cleaned[name] = value
    if errors:
        raise ValidationFailed(fields=errors)
    return cleaned


def _check_group(article: Article) -> None:
    if article.visibility == Visibility.GROUP and article.group_id is None:
        message = _("Name the group that may read this article.")
        raise ValidationFailed(message, fields={"group": [str(message)]})
    if article.visibility != Visibility.GROUP:
        article.group = None


def _save_version(article: Article, actor: User, note: str) -> ArticleVersion:
    return ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        keywords=list(article.keywords),
        note=note.strip()[:300],
        author=actor,
        created_at=article.updated_at,
    )


def _move(article: Article, actor: User, to: str) -> workflow.ArticleTransition:
    """Apply a status change to the (locked) article in memory; raise when the table refuses it."""
    try:
        move = workflow.check_transition(article.status, to, actor.capabilities)
    except workflow.ArticleWorkflowError as exc:
        params = {"source": _status_label(article.status), "target": _status_label(to)}
        status = 409 if exc.code == "invalid_transition" else 403
        error = InvalidArticleTransition(_MOVE_MESSAGES[exc.code] % params, code=exc.code)
        error.status = status
        raise error from None
    article.status = move.target.value
    if move.target == workflow.ArticleStatus.PUBLISHED:
        article.published_at = timezone.now()
    return move


def _status_label(status: str) -> str:
    try:
        return str(ArticleStatus(status).label)
    except ValueError:
        return status


# ---------------------------------------------------------------- articles


def create_article(
    *,
    actor: User,
    title: str,
    body: str,
    keywords: Iterable[str] | str = (),
    status: str = ArticleStatus.DRAFT,
    note: str = "",
    **fields: Any,
) -> Article:
    """Write a new article (version 1) as a draft, or move it straight on (an agent may publish)."""
    _require_writer(actor)
    values = _clean(
        {
            "title": title,
            "body": body,
            "keywords": list(keywords) if not isinstance(keywords, str) else keywords,
            **fields,
        }
    )
    values.setdefault("owner", actor)
    now = timezone.now()
    with transaction.atomic():
        article = Article(created_by=actor, created_at=now, updated_at=now, **values)
        _check_group(article)
        if status != ArticleStatus.DRAFT:
            _move(article, actor, status)
        article.save()
        _save_version(article, actor, note or str(_("First version")))
        _index(article)
    return article


def update_article(
    *,
    article: Article | int,
    actor: User,
    changes: Mapping[str, Any],
    status: str | None = None,
    expected_version: int | None = None,
    note: str = "",
) -> Article:
    """Change an article: new text, title or keywords make a new version; `status` moves it too."""
    _require_writer(actor)
    values = _clean(changes)
    with transaction.atomic():
        locked = _lock(actor, article)
        if expected_version is not None and int(expected_version) != locked.version:
            raise ArticleStale(current_version=locked.version)
        changed = {name: value for name, value in values.items() if getattr(locked, name) != value}
        for name, value in changed.items():
            setattr(locked, name, value)
        _check_group(locked)
        moved = status is not None and status != locked.status
        if moved:
            _move(locked, actor, status)  # type: ignore[arg-type]
        if not changed and not moved:
            return locked
        locked.updated_at = timezone.now()
        if set(changed) & set(VERSIONED_FIELDS):
            locked.version += 1
            locked.save()
            _save_version(locked, actor, note)
        else:
            locked.save()
        _index(locked)
    return locked


def transition_article(*, article: Article | int, actor: User, to: str) -> Article:
    """Move an article along draft -> in review -> published -> archived."""
    _require_writer(actor)
    with transaction.atomic():
        locked = _lock(actor, article)
        _move(locked, actor, to)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "published_at", "updated_at"])
        _index(locked)
    return locked


# ---------------------------------------------------------------- tickets


def _is_resolved(ticket: Ticket) -> bool:
    category = STATUS_CATEGORY[TicketStatus(ticket.status)]
    return category is StatusCategory.RESOLVED or ticket.status == TicketStatus.CLOSED


def article_from_ticket(*, ticket: Ticket, actor: User, status: str = ArticleStatus.DRAFT) -> Article:
    """Turn a resolved ticket into a draft article: its problem and resolution, linked back to it."""
    _require_writer(actor)
    if not _is_resolved(ticket) or not ticket.resolution.strip():
        raise TicketNotResolved()
    problem = _("Problem")
    solution = _("Resolution")
    body = f"## {problem}\n\n{ticket.description.strip()}\n\n## {solution}\n\n{ticket.resolution.strip()}\n"
    with transaction.atomic():
        article = create_article(
            actor=actor,
            title=ticket.title,
            body=body,
            keywords=[],
            status=status,
            category=ticket.category,
            article_type=ArticleType.KNOWN_ERROR,
            visibility=Visibility.INTERNAL,
            note=str(_("Written from ticket %(number)s") % {"number": ticket.number}),
        )
        ArticleTicketLink.objects.create(
            article=article, ticket=ticket, kind=LinkKind.SOURCE, created_by=actor
        )
    return article


def mark_article_solved(*, article: Article | int, ticket: Ticket, actor: User) -> ArticleTicketLink:
    """Record that an article solved a ticket (the desk's "this article solved it"); idempotent."""
    _require_writer(actor)
    with transaction.atomic():
        locked = _lock(actor, article)
        link, _created = ArticleTicketLink.objects.get_or_create(
            article=locked, ticket=ticket, kind=LinkKind.SOLVED, defaults={"created_by": actor}
        )
    return link


def unmark_article_solved(*, article: Article | int, ticket: Ticket, actor: User) -> None:
    """Take back "this article solved it" on a ticket."""
    _require_writer(actor)
    with transaction.atomic():
        locked = _lock(actor, article)
        ArticleTicketLink.objects.filter(article=locked, ticket=ticket, kind=LinkKind.SOLVED).delete()


# ---------------------------------------------------------------- readers' verdicts


def vote(*, article: Article | int, user: User, helpful: bool, comment: str = "") -> ArticleVote:
    """Record whether the article helped `user` (one vote per person; voting again changes it)."""
    target = selectors.get_article(user, article.pk if isinstance(article, Article) else article)
    if not target.is_published:
        raise NotPublished()
    now = timezone.now()
    with transaction.atomic():
        row, created = ArticleVote.objects.select_for_update().get_or_create(
            article=target,
            user=user,
            defaults={
                "helpful": bool(helpful),
                "comment": comment.strip(),
                "created_at": now,
                "updated_at": now,
            },
        )
        if not created:
            row.helpful = bool(helpful)
            if comment.strip() or helpful:
                row.comment = comment.strip()
            row.updated_at = now
            row.save(update_fields=["helpful", "comment", "updated_at"])
    return row


def feedback(*, article: Article | int, user: User, text: str) -> ArticleVote:
    """ "This did not help": a not-helpful vote with what was missing."""
    if not text.strip():
        message = _("Tell us what was missing or wrong.")
        raise ValidationFailed(message, fields={"comment": [str(message)]})
    return vote(article=article, user=user, helpful=False, comment=text)


def record_deflection(
    *, article: Article | int, user: User, query: str = "", solved: bool = True
) -> Deflection:
    """Count that an article answered (or did not answer) what `user` was about to ask the desk."""
    target = selectors.get_article(user, article.pk if isinstance(article, Article) else article)
    if not (target.is_published and target.visibility == Visibility.PUBLIC):
        raise NotFound()
    return Deflection.objects.create(user=user, article=target, query=query.strip()[:2000], solved=solved)
