"""One ticket on the desk: registration details, desk fields, timeline, replies and moves."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itdesk.core.errors import ServiceError
from itdesk.tickets import services
from itdesk.tickets.models import Ticket
from itdesk.tickets.workflow import FINAL_STATUSES
from itdesk.web import sla as sla_page
from itdesk.web.forms import AssignToMeForm, ReplyForm, TicketEditForm, TransitionForm
from itdesk.web.timeline import build_timeline
from itdesk.web.views.common import (
    desk_banner,
    desk_required,
    load_ticket,
    move_options,
    unplaced_errors,
    uploads,
)


def _page(
    request: HttpRequest,
    ticket: Ticket,
    *,
    edit_form: TicketEditForm | None = None,
    reply_form: ReplyForm | None = None,
    failed_move: TransitionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    moves = move_options(ticket, user, failed=failed_move)  # type: ignore[arg-type]
    context: dict[str, Any] = {
        "ticket": ticket,
        "requester": ticket.requester,
        "timeline": build_timeline(user, ticket),  # type: ignore[arg-type]
        "can_work": user.is_agent and ticket.status not in FINAL_STATUSES,  # type: ignore[union-attr]
        "edit_form": edit_form or TicketEditForm(initial=TicketEditForm.initial_for(ticket)),
        "reply_form": reply_form or ReplyForm(),
        "moves": moves,
        "move_errors": unplaced_errors(moves, failed_move),
        "sla": sla_page.ticket_card(user, ticket),  # type: ignore[arg-type]
        **desk_banner(user),  # type: ignore[arg-type]
    }
    return render(request, "web/desk/ticket.html", context, status=status)


@desk_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    """The desk's view of a ticket."""
    return _page(request, load_ticket(request.user, number))  # type: ignore[arg-type]


@desk_required
@require_POST
def edit(request: HttpRequest, number: str) -> HttpResponse:
    """Save the desk fields against the version the agent read; a stale save changes nothing."""
    ticket = load_ticket(request.user, number)  # type: ignore[arg-type]
    form = TicketEditForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.update_ticket(
                ticket=ticket,
                actor=request.user,  # type: ignore[arg-type]
                changes=form.changes(),
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["priority_reason"],
            )
        except ServiceError as exc:
            status = exc.status
            if exc.code == "stale_version":
                # Show the ticket as it is now; the agent's values are not saved and must be redone.
                messages.error(request, str(exc.message))
                return _page(request, load_ticket(request.user, number), status=status)  # type: ignore[arg-type]
            form.add_service_error(exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("web:desk-ticket", ticket.number)
    return _page(request, ticket, edit_form=form, status=status)


@desk_required
@require_POST
def assign_to_me(request: HttpRequest, number: str) -> HttpResponse:
    """Take the ticket: make the signed-in agent its assignee."""
    ticket = load_ticket(request.user, number)  # type: ignore[arg-type]
    form = AssignToMeForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.update_ticket(
            ticket=ticket,
            actor=request.user,  # type: ignore[arg-type]
            changes={"assignee": request.user},
            expected_version=version,
        )
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return _page(request, load_ticket(request.user, number), status=exc.status)  # type: ignore[arg-type]
    messages.success(request, _("The ticket is assigned to you."))
    return redirect("web:desk-ticket", ticket.number)


@desk_required
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    """Add a public reply or an internal note, with files."""
    ticket = load_ticket(request.user, number)  # type: ignore[arg-type]
    form = ReplyForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        internal = form.cleaned_data["internal"]
        try:
            services.add_comment(
                ticket=ticket,
                actor=request.user,  # type: ignore[arg-type]
                body=form.cleaned_data["body"],
                internal=internal,
                attachments=uploads(form.cleaned_data["attachments"]),
            )
        except ServiceError as exc:
            form.add_service_error(exc)
            status = exc.status
        else:
            messages.success(
                request, _("Internal note added.") if internal else _("Reply sent to the requester.")
            )
            return redirect("web:desk-ticket", ticket.number)
    return _page(request, ticket, reply_form=form, status=status)


@desk_required
@require_POST
def transition(request: HttpRequest, number: str) -> HttpResponse:
    """Make one move along the process; what the move needs comes from its small form."""
    ticket = load_ticket(request.user, number)  # type: ignore[arg-type]
    form = TransitionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            ticket = services.transition_ticket(
                ticket=ticket,
                actor=request.user,  # type: ignore[arg-type]
                **form.service_arguments(),
            )
        except ServiceError as exc:
            form.add_service_error(exc)
            status = exc.status
        else:
            messages.success(
                request, _("Status changed to “%(status)s”.") % {"status": ticket.get_status_display()}
            )
            return redirect("web:desk-ticket", ticket.number)
    return _page(request, load_ticket(request.user, number), failed_move=form, status=status)  # type: ignore[arg-type]
