"""Reads of the knowledge base shared by pages and the API, each scoped to what the caller may see.

The desk (agents, leads, approvers, administrators, auditors) reads every article except those meant
for a support group they are not in (administrators read those too); anyone else reads published
public articles only. An article someone may not read is "not found", never "forbidden".
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from itdesk.accounts.models import User
from itdesk.core.errors import NotFound
from itdesk.kb.choices import ArticleStatus, LinkKind, Visibility
from itdesk.kb.models import Article, ArticleTicketLink, ArticleVersion, ArticleVote, Deflection
from itdesk.search import services as search_services
from itdesk.tickets.models import Ticket

# Suggestions search the first words only: every search word must match, so a whole description finds nothing.
SUGGEST_CHARS = 40
# How many of the newest public articles the keyword fallback of the suggestions looks at.
KEYWORD_SCAN = 5000


def visible_articles(user: User) -> QuerySet[Article]:
    """Articles `user` may read."""
    qs = Article.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if not user.is_desk:
        return qs.filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)
    if "admin" in user.capabilities:
        return qs
    return qs.filter(~Q(visibility=Visibility.GROUP) | Q(group__in=user.support_groups.all()))


def public_articles(user: User) -> QuerySet[Article]:
    """Published public articles (what the portal shows, whoever looks)."""
    return visible_articles(user).filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)


def with_counts(qs: QuerySet[Article]) -> QuerySet[Article]:
    """Articles with their votes, tickets solved and deflections counted in the same query."""
    return qs.select_related("category", "owner", "group").annotate(
        helpful_count=Count("votes", filter=Q(votes__helpful=True), distinct=True),
        not_helpful_count=Count("votes", filter=Q(votes__helpful=False), distinct=True),
        tickets_solved=Count("ticket_links", filter=Q(ticket_links__kind=LinkKind.SOLVED), distinct=True),
        deflection_count=Count("deflections", filter=Q(deflections__solved=True), distinct=True),
    )


def article_list(user: User) -> QuerySet[Article]:
    """Visible articles with what a list row shows, newest change first."""
    return with_counts(visible_articles(user)).order_by("-updated_at", "-id")


def newest_published(user: User) -> QuerySet[Article]:
    """Visible published articles, newest publication first."""
    return with_counts(visible_articles(user).filter(status=ArticleStatus.PUBLISHED)).order_by(
        "-published_at", "-id"
    )


def get_article(user: User, pk: int | str) -> Article:
    """One article `user` may read, with its counts; anything else is NotFound."""
    try:
        return with_counts(visible_articles(user)).get(pk=int(pk))
    except (Article.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def articles_in_order(user: User, ids: list[int]) -> list[Article]:
    """The visible articles among `ids`, in the order of `ids` (a ranked search's order)."""
    by_id = {article.pk: article for article in with_counts(visible_articles(user)).filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def versions_for(user: User, article: Article) -> QuerySet[ArticleVersion]:
    """An article's versions, newest first (the desk's: requesters read only the current text)."""
    if not user.is_desk:
        return ArticleVersion.objects.none()
    return article.versions.select_related("author").order_by("-number")


def get_version(user: User, article: Article, number: int | str) -> ArticleVersion:
    """One version of an article, or NotFound."""
    try:
        return versions_for(user, article).get(number=int(number))
    except (ArticleVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def past_review(user: User) -> QuerySet[Article]:
    """The articles `user` owns whose review date has passed (archived ones need no review)."""
    today = timezone.localdate()
    return (
        with_counts(visible_articles(user))
        .filter(owner=user, review_date__lt=today)
        .exclude(status=ArticleStatus.ARCHIVED)
        .order_by("review_date", "id")
    )


def user_vote(user: User, article: Article) -> ArticleVote | None:
    """The vote `user` gave `article`, if any."""
    if not user.is_authenticated:
        return None
    return ArticleVote.objects.filter(article=article, user=user).first()


def feedback_for(user: User, article: Article) -> QuerySet[ArticleVote]:
    """Votes that came with feedback text, newest first (for the desk only)."""
    if not user.is_desk:
        return ArticleVote.objects.none()
    return article.votes.exclude(comment="").select_related("user").order_by("-updated_at", "-id")


def tickets_solved_by(user: User, article: Article) -> QuerySet[ArticleTicketLink]:
    """The desk's view of the tickets linked to an article (solved and source), newest first."""
    if not user.is_desk:
        return ArticleTicketLink.objects.none()
    return article.ticket_links.select_related("ticket", "created_by").order_by("-created_at", "-id")


def articles_for_ticket(user: User, ticket: Ticket) -> QuerySet[ArticleTicketLink]:
    """The visible articles linked to a ticket (written from it, or that solved it)."""
    if not user.is_desk:
        return ArticleTicketLink.objects.none()
    return (
        ArticleTicketLink.objects.filter(ticket=ticket, article__in=visible_articles(user))
        .select_related("article", "created_by")
        .order_by("kind", "-created_at")
    )


def deflections(
    user: User, *, article: Article | None = None, solved: bool | None = True
) -> QuerySet[Deflection]:
    """Recorded deflections, newest first, for the desk (one article's, or all)."""
    if not user.is_desk:
        return Deflection.objects.none()
    qs = Deflection.objects.filter(article__in=visible_articles(user)).select_related("article", "user")
    if article is not None:
        qs = qs.filter(article=article)
    if solved is not None:
        qs = qs.filter(solved=solved)
    return qs.order_by("-created_at", "-id")


def deflection_count(user: User, *, since: object = None) -> int:
    """How many requests articles answered without a ticket (the desk's figure)."""
    qs = deflections(user)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    return qs.count()


def ranked_articles(
    user: User, q: str, *, limit: int = 20, offset: int = 0, public_only: bool = False
) -> tuple[list[Article], int]:
    """Articles matching `q` that `user` may read, best first, each with `rank` and `snippet`; and the total.

    The search service filters by what `user` may see; `public_only` narrows to what the portal shows
    (published public articles) even for the desk.
    """
    results = search_services.search(user, q, kinds={"article"}, limit=limit, offset=offset)
    hits = {hit.object_id: hit for hit in results.hits}
    source = public_articles(user) if public_only else visible_articles(user)
    by_id = {a.pk: a for a in with_counts(source).filter(pk__in=list(hits))}
    articles = []
    for pk, hit in hits.items():
        if pk in by_id:
            article = by_id[pk]
            article.rank = hit.rank  # type: ignore[attr-defined]
            article.snippet = hit.snippet  # type: ignore[attr-defined]
            articles.append(article)
    return articles, results.total


def suggest_articles(user: User, texts: list[str], *, limit: int = 5) -> list[Article]:
    """Published public articles for what someone is typing, best first.

    First the search, on the title and then on the start of the description (the search wants every
    word, so a whole sentence such as "三楼的打印机卡纸了" finds nothing); then articles one of whose keywords
    appears in what was typed, most keywords first.
    """
    found: dict[int, Article] = {}
    for text in texts:
        words = " ".join(text.split())[:SUGGEST_CHARS]
        if not words:
            continue
        articles, _total = ranked_articles(user, words, limit=limit, public_only=True)
        for article in articles:
            found.setdefault(article.pk, article)
        if len(found) >= limit:
            return list(found.values())[:limit]
    typed = " ".join(texts).casefold()
    if not typed.strip():
        return list(found.values())
    scored = []
    candidates = public_articles(user).order_by("-published_at", "-id").values_list("pk", "keywords")
    for pk, keywords in candidates[:KEYWORD_SCAN]:
        hits = sum(1 for word in keywords or [] if len(word) >= 2 and word.casefold() in typed)
        if hits and pk not in found:
            scored.append((-hits, pk))
    extra = [pk for _score, pk in sorted(scored)[: limit - len(found)]]
    if extra:
        by_id = {a.pk: a for a in with_counts(public_articles(user)).filter(pk__in=extra)}
        for pk in extra:
            found[pk] = by_id[pk]
    return list(found.values())[:limit]
