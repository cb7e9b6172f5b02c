"""The requester portal: my requests, a new request, one request with its public timeline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itdesk.core.errors import ServiceError
from itdesk.tickets import selectors, services
from itdesk.tickets.models import Ticket
from itdesk.web import sla as sla_page
from itdesk.web.forms import ReplyForm, RequestDetailsForm, TransitionForm
from itdesk.web.templatetags.itdesk import duration
from itdesk.web.timeline import build_timeline
from itdesk.web.views.common import load_ticket, move_options, paginate, unplaced_errors, uploads


@login_required
def my_requests(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own requests, newest first."""
    show = "open" if request.GET.get("show") == "open" else "all"
    tickets = selectors.ticket_list(request.user).filter(requester=request.user)  # type: ignore[misc]
    if show == "open":
        tickets = tickets.active()
    page = paginate(request, tickets.order_by("-created_at", "-id"))
    return render(request, "web/portal/list.html", {"page": page, "show": show})


@login_required
def new_request(request: HttpRequest) -> HttpResponse:
    """Submit a request; on success go to it and say when to expect an answer."""
    user = request.user
    if request.method == "POST":
        form = RequestDetailsForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                ticket = services.create_ticket(
                    actor=user,  # type: ignore[arg-type]
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
                    _("Your request %(number)s was submitted. Expected response time: %(time)s.")
                    % {"number": ticket.number, "time": duration(ticket.priority.response_minutes)},
                )
                return redirect("web:portal-ticket", ticket.number)
    else:
        form = RequestDetailsForm(initial={"contact_phone": getattr(user, "phone", "")})
    status = 400 if form.is_bound else 200
    return render(request, "web/portal/new.html", {"form": form}, status=status)


def _own_ticket(request: HttpRequest, number: str) -> Ticket:
    ticket = load_ticket(request.user, number)  # type: ignore[arg-type]
    if ticket.requester_id != request.user.pk:
        # Desk people see other people's requests on the desk, never through the portal.
        raise Http404
    return ticket


def _page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: ReplyForm | None = None,
    failed_move: TransitionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    moves = move_options(ticket, user, requester_view=True, failed=failed_move)  # type: ignore[arg-type]
    context: dict[str, Any] = {
        "ticket": ticket,
        "timeline": build_timeline(user, ticket, public_only=True),  # type: ignore[arg-type]
        "reply_form": reply_form or ReplyForm(),
        "moves": moves,
        "move_errors": unplaced_errors(moves, failed_move),
        "sla": sla_page.ticket_card(user, ticket, requester_view=True),  # type: ignore[arg-type]
    }
    return render(request, "web/portal/ticket.html", context, status=status)


@login_required
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One of my requests: its details, public history, reply form and my possible actions."""
    ticket = load_ticket(request.user, number)  # type: ignore[arg-type]
    if ticket.requester_id != request.user.pk:
        # Only the desk can see someone else's request at all; it works on it in the desk view.
        return redirect("web:desk-ticket", ticket.number)
    return _page(request, ticket)


@login_required
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    """Add a public reply (with files) to my request."""
    ticket = _own_ticket(request, number)
    form = ReplyForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            services.add_comment(
                ticket=ticket,
                actor=request.user,  # type: ignore[arg-type]
                body=form.cleaned_data["body"],
                attachments=uploads(form.cleaned_data["attachments"]),
            )
        except ServiceError as exc:
            form.add_service_error(exc)
            status = exc.status
        else:
            messages.success(request, _("Your reply was added."))
            return redirect("web:portal-ticket", ticket.number)
    return _page(request, _own_ticket(request, number), reply_form=form, status=status)


@login_required
@require_POST
def transition(request: HttpRequest, number: str) -> HttpResponse:
    """Confirm, reopen or cancel my request."""
    ticket = _own_ticket(request, number)
    form = TransitionForm(request.POST)
    status = 400
    if form.is_valid():
        arguments = form.service_arguments()
        # A requester's move never carries desk-only choices.
        arguments.update(group=None, assignee=None, resolution="")
        try:
            ticket = services.transition_ticket(ticket=ticket, actor=request.user, **arguments)  # type: ignore[arg-type]
        except ServiceError as exc:
            form.add_service_error(exc)
            status = exc.status
        else:
            messages.success(
                request, _("Done: the request is now “%(status)s”.") % {"status": ticket.get_status_display()}
            )
            return redirect("web:portal-ticket", ticket.number)
    return _page(request, _own_ticket(request, number), failed_move=form, status=status)
