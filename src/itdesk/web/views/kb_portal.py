"""The portal's knowledge base: search and read articles, say whether they helped, and deflection.

Deflection: while a requester types a new request, matching public articles appear under the
description (an htmx partial); "This solved my problem" counts a deflection and ends the request
without a ticket.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from itdesk.core.errors import NotFound, ServiceError
from itdesk.kb import selectors, services
from itdesk.kb.models import Article
from itdesk.kb.render import render_markdown
from itdesk.web.kb_forms import FeedbackForm

SUGGESTIONS = 5


def _public_article(request: HttpRequest, pk: int) -> Article:
    """A published public article (the portal shows nothing else, to anyone)."""
    try:
        return selectors.public_articles(request.user).get(pk=pk)  # type: ignore[arg-type]
    except Article.DoesNotExist:
        raise Http404 from None


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    """Search the published public articles, or list the newest."""
    user = request.user
    query = (request.GET.get("q") or "").strip()
    error = ""
    if query:
        try:
            articles, _total = selectors.ranked_articles(user, query, limit=30, public_only=True)  # type: ignore[arg-type]
        except ServiceError as exc:
            articles, error = [], str(exc.message)
    else:
        articles = list(selectors.public_articles(user).order_by("-published_at", "-id")[:30])  # type: ignore[arg-type]
    return render(request, "web/kb/portal_list.html", {"articles": articles, "query": query, "error": error})


def _article_page(
    request: HttpRequest, article: Article, form: FeedbackForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "article": article,
        "body_html": render_markdown(article.body),
        "vote": selectors.user_vote(request.user, article),  # type: ignore[arg-type]
        "form": form or FeedbackForm(),
    }
    return render(request, "web/kb/portal_article.html", context, status=status)


@login_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One article, with "helpful" / "not helpful"."""
    return _article_page(request, _public_article(request, pk))


@login_required
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Helpful, or not helpful with what was missing."""
    article = _public_article(request, pk)
    form = FeedbackForm(request.POST)
    helpful = request.POST.get("helpful") == "yes"
    if form.is_valid():
        try:
            if helpful:
                services.vote(article=article, user=request.user, helpful=True)  # type: ignore[arg-type]
            else:
                # "This did not help" asks what was missing: that text is what improves the article.
                services.feedback(article=article, user=request.user, text=form.cleaned_data["comment"])  # type: ignore[arg-type]
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            if helpful:
                messages.success(request, _("Thank you: glad it helped."))
            else:
                messages.success(request, _("Thank you for the feedback: we will improve the article."))
            return redirect("web:kb-portal-article", article.pk)
    return _article_page(request, article, form, status=400)


@login_required
@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    """The htmx partial under a new request: public articles matching what is being typed."""
    title = request.GET.get("title", "")
    description = request.GET.get("description", "")
    try:
        articles = selectors.suggest_articles(request.user, [title, description], limit=SUGGESTIONS)  # type: ignore[arg-type]
    except ServiceError:
        articles = []  # a half-typed query the search refuses: simply no suggestions yet
    typed = bool(title.strip() or description.strip())
    return render(request, "web/kb/_suggestions.html", {"articles": articles, "typed": typed})


@login_required
@require_POST
def deflect(request: HttpRequest, pk: int) -> HttpResponse:
    """ "This solved my problem": count it and end the request without a ticket."""
    article = _public_article(request, pk)
    query = " ".join(
        part.strip()
        for part in (request.POST.get("title", ""), request.POST.get("description", ""))
        if part.strip()
    )
    try:
        services.record_deflection(article=article, user=request.user, query=query, solved=True)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None
    return redirect("web:kb-portal-thanks", article.pk)


@login_required
def thanks(request: HttpRequest, pk: int) -> HttpResponse:
    """The end of a request an article answered: no ticket was created."""
    return render(request, "web/kb/thanks.html", {"article": _public_article(request, pk)})
