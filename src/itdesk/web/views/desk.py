"""The agent desk: queues with filters, and registering a request on someone's behalf."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from itdesk.accounts.models import User
from itdesk.core import counting
from itdesk.core.errors import ServiceError
from itdesk.tickets import selectors, services
from itdesk.web import sla as sla_page
from itdesk.web.forms import QueueFilterForm, RegisterForm
from itdesk.web.views.common import agent_required, desk_banner, desk_required, paginate, uploads

# The desk's queues as tabs, in order; "all" (closed included) is shown without a count.
QUEUE_TABS = (
    ("new", gettext_lazy("New")),
    ("mine", gettext_lazy("Assigned to me")),
    ("group", gettext_lazy("My groups")),
    ("open", gettext_lazy("All open")),
    ("all", gettext_lazy("All")),
)
COUNTED_QUEUES = ("new", "mine", "group", "open")
DEFAULT_QUEUE = "open"
# Working queues read most urgent first: the nearest SLA due time, overdue on top. "new" too: a new
# ticket's nearest target is its first response, so this is triage order (a P1 due in 4 minutes before
# a P3 due in 25; the longest-waiting not pushed to page 2 as newest-first would). "all" is mostly
# history, closed tickets have no counting clock, so it stays newest first.
DEFAULT_SORTS = {"new": "breach", "mine": "breach", "group": "breach", "open": "breach", "all": "-created"}


def _tabs(request: HttpRequest, current: str) -> list[dict[str, Any]]:
    user = request.user
    return [
        {
            "name": name,
            "label": label,
            "active": name == current,
            "count": counting.count(selectors.queue(user, name)) if name in COUNTED_QUEUES else None,  # type: ignore[arg-type]
        }
        for name, label in QUEUE_TABS
    ]


@desk_required
def queue_view(request: HttpRequest) -> HttpResponse:
    """A queue as tabs with counts and a filterable, sortable, paginated table (htmx refreshes the table)."""
    name = request.GET.get("queue", DEFAULT_QUEUE)
    if name not in dict(QUEUE_TABS):
        name = DEFAULT_QUEUE
    form = QueueFilterForm(request.GET, default_sort=DEFAULT_SORTS[name])
    tickets = form.apply(selectors.queue(request.user, name))  # type: ignore[arg-type]
    page = paginate(request, tickets)
    context = {
        "queue": name,
        "tabs": _tabs(request, name),
        "form": form,
        "page": page,
        "rows": sla_page.queue_rows(request.user, page.object_list),  # type: ignore[arg-type]
        "sort": form.sort_key,
    }
    htmx = request.htmx  # type: ignore[attr-defined]
    if htmx and not htmx.history_restore_request:
        response = render(request, "web/desk/_queue_table.html", {**context, "oob_tabs": True})
    else:
        context.update(desk_banner(request.user))  # type: ignore[arg-type]
        response = render(request, "web/desk/queue.html", context)
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@agent_required
def register_ticket(request: HttpRequest) -> HttpResponse:
    """Register a request for someone who phoned, walked in or wrote an e-mail."""
    if request.method == "POST":
        form = RegisterForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                ticket = services.create_ticket(
                    actor=request.user,  # type: ignore[arg-type]
                    requester=form.cleaned_data["requester"],
                    channel=form.cleaned_data["channel"],
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    attachments=uploads(form.cleaned_data["attachments"]),
                    **form.ticket_fields(),
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    _("Request %(number)s registered for %(name)s.")
                    % {"number": ticket.number, "name": ticket.requester.name},
                )
                return redirect("web:desk-ticket", ticket.number)
    else:
        form = RegisterForm()
    context = {"form": form, **desk_banner(request.user)}  # type: ignore[arg-type]
    return render(request, "web/desk/new.html", context, status=400 if form.is_bound else 200)


@agent_required
def people(request: HttpRequest) -> HttpResponse:
    """Suggestions for the requester field: active people by username, employee ID or name (htmx)."""
    text = (request.GET.get("requester") or request.GET.get("q") or "").strip()
    matches = (
        User.objects.filter(is_active=True)
        .filter(
            Q(username__istartswith=text) | Q(employee_id__istartswith=text) | Q(display_name__icontains=text)
        )
        .select_related("department")
        .order_by("username")[:10]
        if len(text) >= 1
        else []
    )
    return render(request, "web/desk/_people_options.html", {"people": matches})
