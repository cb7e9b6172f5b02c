"""The desk's knowledge base: list and search, article page with history, editor, review list.

Also the two knowledge base actions on a ticket's desk page: turn a resolved ticket into an article,
and mark an article as the one that solved the ticket.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itdesk.core.errors import NotFound, ServiceError
from itdesk.kb import selectors, services
from itdesk.kb.choices import ARTICLE_ACTION_LABELS
from itdesk.kb.models import Article
from itdesk.kb.render import diff_lines, render_markdown
from itdesk.kb.workflow import available_transitions
from itdesk.web.kb_forms import ArticleForm, ArticleMoveForm, KbFilterForm
from itdesk.web.views.common import agent_required, desk_required, load_ticket, paginate

SEARCH_LIMIT = 50


def _article(request: HttpRequest, pk: int) -> Article:
    try:
        return selectors.get_article(request.user, pk)  # type: ignore[arg-type]
    except NotFound:
        raise Http404 from None


@desk_required
def article_list(request: HttpRequest) -> HttpResponse:
    """Every article the desk member may read: search words (best first) or newest change first, filtered."""
    user = request.user
    form = KbFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    query = ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        for name in ("status", "article_type", "visibility", "category"):
            if form.cleaned_data[name]:
                filters[name] = form.cleaned_data[name]
    error = ""
    if query:
        try:
            ranked, _total = selectors.ranked_articles(user, query, limit=SEARCH_LIMIT)  # type: ignore[arg-type]
        except ServiceError as exc:
            ranked, error = [], str(exc.message)
        rows = [a for a in ranked if all(getattr(a, name) == value for name, value in filters.items())]
        page = paginate(request, rows, per_page=SEARCH_LIMIT)  # type: ignore[arg-type]
    else:
        page = paginate(request, selectors.article_list(user).filter(**filters))  # type: ignore[arg-type]
    context = {
        "form": form,
        "page": page,
        "query": query,
        "error": error,
        "past_review": selectors.past_review(user).count(),  # type: ignore[arg-type]
        "deflected": selectors.deflection_count(user),  # type: ignore[arg-type]
        "filtered": bool(query or filters),
    }
    template = "web/kb/_desk_results.html" if request.htmx else "web/kb/desk_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _article_page(request: HttpRequest, article: Article, *, status: int = 200) -> HttpResponse:
    user = request.user
    versions = list(selectors.versions_for(user, article))  # type: ignore[arg-type]
    shown = versions[0] if versions else None
    wanted = request.GET.get("diff")
    if wanted and wanted.isdigit():
        shown = next((v for v in versions if v.number == int(wanted)), shown)
    previous = next((v for v in versions if shown and v.number < shown.number), None)
    moves = [
        {
            "to": move.target.value,
            "label": ARTICLE_ACTION_LABELS.get(move.action, move.action),
            "action": move.action,
        }
        for move in available_transitions(article.status, user.capabilities)  # type: ignore[union-attr]
    ]
    context = {
        "article": article,
        "body_html": render_markdown(article.body),
        "versions": versions,
        "shown": shown,
        "previous": previous,
        "diff": diff_lines(previous.body if previous else "", shown.body if shown else ""),
        "title_changed": bool(previous and shown and previous.title != shown.title),
        "moves": moves,
        "links": selectors.tickets_solved_by(user, article),  # type: ignore[arg-type]
        "feedback": selectors.feedback_for(user, article)[:20],  # type: ignore[arg-type]
        "deflections": selectors.deflections(user, article=article)[:10],  # type: ignore[arg-type]
        "can_write": user.is_agent,  # type: ignore[union-attr]
    }
    return render(request, "web/kb/desk_article.html", context, status=status)


@desk_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One article for the desk: the text, its history and diff, votes, tickets solved and deflections."""
    return _article_page(request, _article(request, pk))


@agent_required
def article_new(request: HttpRequest) -> HttpResponse:
    """Write a new article: save it as a draft, submit it for review or publish it at once."""
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            then = request.POST.get("then") or "draft"
            try:
                article = services.create_article(
                    actor=request.user,  # type: ignore[arg-type]
                    status=then,
                    note=form.cleaned_data["note"],
                    **form.changes(),
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("The article was saved."))
                return redirect("web:kb-desk-article", article.pk)
        return render(request, "web/kb/editor.html", {"form": form, "article": None}, status=400)
    form = ArticleForm(initial={"owner": request.user.pk, "visibility": "public", "language": "both"})
    return render(request, "web/kb/editor.html", {"form": form, "article": None})


@agent_required
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an article against the version read: a new text becomes a new version."""
    article = _article(request, pk)
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            then = request.POST.get("then") or ""
            try:
                services.update_article(
                    article=article,
                    actor=request.user,  # type: ignore[arg-type]
                    changes=form.changes(),
                    status=then or None,
                    expected_version=form.cleaned_data["version"],
                    note=form.cleaned_data["note"],
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("The article was saved."))
                return redirect("web:kb-desk-article", article.pk)
        return render(request, "web/kb/editor.html", {"form": form, "article": article}, status=400)
    form = ArticleForm(initial=ArticleForm.initial_for(article))
    return render(request, "web/kb/editor.html", {"form": form, "article": article})


@agent_required
@require_POST
def article_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit for review, publish, return to draft, archive or restore."""
    article = _article(request, pk)
    form = ArticleMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown status."))
        return redirect("web:kb-desk-article", article.pk)
    try:
        moved = services.transition_article(article=article, actor=request.user, to=form.cleaned_data["to"])  # type: ignore[arg-type]
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Done: the article is now “%(status)s”.") % {"status": moved.get_status_display()}
        )
    return redirect("web:kb-desk-article", article.pk)


@desk_required
def review_list(request: HttpRequest) -> HttpResponse:
    """The signed-in owner's articles whose review date has passed."""
    articles = selectors.past_review(request.user)  # type: ignore[arg-type]
    return render(request, "web/kb/review.html", {"articles": articles})


@agent_required
@require_POST
def ticket_to_article(request: HttpRequest, number: str) -> HttpResponse:
    """Turn a resolved ticket into a draft article and open it in the editor."""
    ticket = load_ticket(request.user, number)  # type: ignore[arg-type]
    try:
        article = services.article_from_ticket(ticket=ticket, actor=request.user)  # type: ignore[arg-type]
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect("web:desk-ticket", ticket.number)
    messages.success(
        request,
        _("A draft article was written from %(number)s: check it, then publish it.")
        % {"number": ticket.number},
    )
    return redirect("web:kb-desk-edit", article.pk)


@agent_required
@require_POST
def ticket_solved_by(request: HttpRequest, number: str) -> HttpResponse:
    """Mark (or, with undo, unmark) an article as the one that solved this ticket."""
    ticket = load_ticket(request.user, number)  # type: ignore[arg-type]
    raw = request.POST.get("article", "")
    try:
        article = selectors.get_article(request.user, raw)  # type: ignore[arg-type]
        if request.POST.get("undo"):
            services.unmark_article_solved(article=article, ticket=ticket, actor=request.user)  # type: ignore[arg-type]
            messages.success(request, _("The article is no longer marked as the solution."))
        else:
            services.mark_article_solved(article=article, ticket=ticket, actor=request.user)  # type: ignore[arg-type]
            messages.success(request, _("Marked: “%(title)s” solved this ticket.") % {"title": article.title})
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    return redirect("web:desk-ticket", ticket.number)
