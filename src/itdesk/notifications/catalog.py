"""The kinds of notification a person can receive, and which of them cannot be switched off.

A key here is what a NotificationPreference names. `audience` says who gets it: the requester, the desk
(agents and groups working the ticket) or approvers; the preferences page shows a person the kinds that
can reach them. A mandatory kind keeps at least one channel: without it the process stops (a resolved
ticket waits for a confirmation the requester never heard about).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REQUESTER = "requester"
DESK = "desk"
APPROVER = "approver"
EMAIL = "email"


@dataclass(frozen=True)
class EventKind:
    """One kind of notification."""

    key: str
    label: Promise
    audience: str
    mandatory: bool = False
    help: Promise | str = ""


EVENTS: tuple[EventKind, ...] = (
    EventKind(
        "received", _("Request received"), REQUESTER, help=_("Its number and the expected response time.")
    ),
    EventKind("acknowledged", _("Request acknowledged"), REQUESTER),
    EventKind("escalated", _("Passed to a specialist group"), REQUESTER),
    EventKind("priority_changed", _("Priority changed"), REQUESTER),
    EventKind("waiting_on_requester", _("The desk needs your answer"), REQUESTER, mandatory=True),
    EventKind("reply", _("Reply from the desk"), REQUESTER, mandatory=True),
    EventKind("resolved", _("Resolved — please confirm"), REQUESTER, mandatory=True),
    EventKind("closed", _("Closed, with the satisfaction survey"), REQUESTER),
    EventKind("cancelled", _("Request cancelled"), REQUESTER),
    EventKind("requester_reply", _("The requester replied"), DESK),
    EventKind("escalated_to_group", _("Ticket escalated to your group"), DESK),
    EventKind("sla_warning", _("SLA warning"), DESK),
    EventKind("sla_breach", _("SLA breached"), DESK, mandatory=True),
    EventKind("approval_requested", _("Approval requested"), APPROVER, mandatory=True),
)
BY_KEY = {kind.key: kind for kind in EVENTS}


def audiences_of(user: object) -> set[str]:
    """Which audiences `user` belongs to: everyone is a requester; agents are desk; approvers approve."""
    capabilities = getattr(user, "capabilities", frozenset())
    found = {REQUESTER}
    if "agent" in capabilities or "lead" in capabilities:
        found.add(DESK)
    if "approver" in capabilities:
        found.add(APPROVER)
    return found


def events_for(user: object) -> list[EventKind]:
    """The kinds of notification that can reach `user`, in page order."""
    audiences = audiences_of(user)
    return [kind for kind in EVENTS if kind.audience in audiences]


CHANNEL_LABELS: dict[str, Promise | str] = {
    EMAIL: _("E-mail"),
    "dingtalk": _("DingTalk"),
    "wecom": _("WeCom"),
    "feishu": _("Feishu"),
    "slack": "Slack",
}


def channel_label(channel: str) -> str:
    """A channel's name as people read it."""
    return str(CHANNEL_LABELS.get(channel, channel))
