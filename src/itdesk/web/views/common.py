"""Helpers the page views share: access checks, ticket look-up, pagination, uploads and move buttons."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from itdesk.accounts.models import User
from itdesk.core.counting import CountingPaginator
from itdesk.core.errors import NotFound
from itdesk.sla.selectors import safe_calendar_warnings
from itdesk.tickets import selectors, services
from itdesk.tickets.choices import ACTION_LABELS
from itdesk.tickets.models import Ticket
from itdesk.tickets.workflow import Need, Transition
from itdesk.web.forms import TransitionForm

PAGE_SIZE = 25

View = Callable[..., HttpResponse]


def desk_required(view: View) -> View:
    """Let only desk users (agents, leads, approvers, administrators, auditors) in; sign in first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_desk:  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def agent_required(view: View) -> View:
    """Let only people who work tickets in; sign in first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_agent:  # type: ignore[union-attr]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return login_required(wrapper)


def load_ticket(user: User, number: str) -> Ticket:
    """A ticket the user may see, or 404 (never a hint that it exists)."""
    try:
        return selectors.get_ticket(user, number)
    except NotFound:
        raise Http404 from None


def desk_banner(user: User) -> dict[str, Any]:
    """The desk's warnings about its calendars, for the people who can act on them.

    Leads and administrators see them on every desk page (a missing holiday schedule moves due times);
    agents would see the same notice on every page for weeks each autumn without being able to act.
    Administrators get a link to the calendars in the admin.
    """
    if not (user.capabilities & {"lead", "admin"} or user.is_staff):
        return {}
    warnings = safe_calendar_warnings()
    if not warnings:
        return {}
    admin_url = ""
    if user.is_staff and user.has_perm("sla.view_calendar"):
        admin_url = reverse("admin:sla_calendar_changelist")
    return {"sla_warnings": warnings, "calendar_admin_url": admin_url}


def paginate(request: HttpRequest, tickets: QuerySet[Any], per_page: int = PAGE_SIZE) -> Page:
    """The requested page of `tickets` (out-of-range pages show the last one)."""
    return CountingPaginator(tickets, per_page).get_page(request.GET.get("page"))


def uploads(files: Iterable[Any]) -> list[services.NewAttachment]:
    """Read uploaded files for a service (raises ValidationFailed when one is too large)."""
    return [services.attachment_from_upload(upload) for upload in files]


# What the note asks for, per move; the generic "Note"/"Reason" serve the rest.
NOTE_LABELS = {
    "escalate": _("Handover note"),
    "wait_on_requester": _("What do you need from the requester?"),
    "request_approval": _("Plan summary for the approver"),
    "execute": _("Execution note"),
    "close": _("Closing note"),
    "reopen": _("Why is it not resolved?"),
    "cancel": _("Reason for cancelling"),
    "reject": _("Why is the plan rejected?"),
    "reassess": _("Why stop and reassess?"),
}
PRIMARY_ACTIONS = frozenset(
    {"acknowledge", "diagnose", "take_over", "resolve", "confirm", "approve", "resume"}
)
DANGER_ACTIONS = frozenset({"cancel", "reject"})


@dataclass
class MoveOption:
    """A move offered as a button, with the small form it needs (if any)."""

    move: Transition
    form: TransitionForm
    open: bool = False

    @property
    def target(self) -> str:
        return self.move.target.value

    @property
    def action(self) -> str:
        return self.move.action

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.move.action, self.move.action))

    @property
    def needs_note(self) -> bool:
        return bool(self.move.needs & {Need.NOTE, Need.REASON})

    @property
    def needs_resolution(self) -> bool:
        return Need.RESOLUTION in self.move.needs

    @property
    def needs_group(self) -> bool:
        return Need.GROUP in self.move.needs

    @property
    def needs_input(self) -> bool:
        return bool(self.move.needs)

    @property
    def note_label(self) -> str:
        default = _("Reason") if Need.REASON in self.move.needs else _("Note")
        return str(NOTE_LABELS.get(self.move.action, default))

    @property
    def note_public(self) -> bool:
        return self.move.note_public

    @property
    def tone(self) -> str:
        if self.move.action in DANGER_ACTIONS:
            return "danger"
        return "primary" if self.move.action in PRIMARY_ACTIONS else "secondary"


def move_options(
    ticket: Ticket,
    user: User,
    *,
    requester_view: bool = False,
    failed: TransitionForm | None = None,
) -> list[MoveOption]:
    """The moves `user` may make on `ticket`, each with its form; a failed form comes back open."""
    moves = services.available_moves(ticket, user)
    if requester_view:
        moves = [m for m in moves if "requester" in m.by]
    failed_target = failed.data.get("to") if failed is not None else None
    options = []
    for move in moves:
        if failed is not None and failed_target == move.target.value:
            option = MoveOption(move, failed, open=True)
        else:
            option = MoveOption(
                move, TransitionForm(initial={"to": move.target.value, "version": ticket.version})
            )
        # Several move forms share a page: give each its own element ids.
        option.form.auto_id = f"move-{move.target.value}-%s"
        fields = option.form.fields  # a per-form copy, so marking them touches no other form
        for name, needed in (
            ("note", option.needs_note),
            ("resolution", option.needs_resolution),
            ("group", option.needs_group),
        ):
            if needed:
                # Only for the page (the required mark and the browser's check); the service decides.
                fields[name].required = True
        fields["note"].widget.attrs["rows"] = 3
        fields["resolution"].widget.attrs["rows"] = 4
        options.append(option)
    return options


def unplaced_errors(options: list[MoveOption], failed: TransitionForm | None) -> list[str]:
    """A failed move's errors when its button is gone (the ticket moved on meanwhile), to show on top."""
    if failed is None or any(option.open for option in options):
        return []
    return [str(message) for messages in failed.errors.values() for message in messages]
