"""Ticket choice sets, each with its translated label in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from itdesk.tickets.workflow import Status as WorkflowStatus


class Status(models.TextChoices):
    NEW = WorkflowStatus.NEW.value, _("New")
    ACKNOWLEDGED = WorkflowStatus.ACKNOWLEDGED.value, _("Acknowledged")
    DIAGNOSING = WorkflowStatus.DIAGNOSING.value, _("Diagnosing")
    ESCALATED = WorkflowStatus.ESCALATED.value, _("Escalated")
    PLANNING = WorkflowStatus.PLANNING.value, _("Planning")
    AWAITING_APPROVAL = WorkflowStatus.AWAITING_APPROVAL.value, _("Awaiting approval")
    IN_PROGRESS = WorkflowStatus.IN_PROGRESS.value, _("In progress")
    WAITING_ON_REQUESTER = WorkflowStatus.WAITING_ON_REQUESTER.value, _("Waiting on requester")
    RESOLVED = WorkflowStatus.RESOLVED.value, _("Resolved")
    CLOSED = WorkflowStatus.CLOSED.value, _("Closed")
    CANCELLED = WorkflowStatus.CANCELLED.value, _("Cancelled")


ACTION_LABELS = {
    "acknowledge": _("Acknowledge"),
    "diagnose": _("Start diagnosis"),
    "take_over": _("Take over"),
    "escalate": _("Escalate"),
    "plan": _("Write solution plan"),
    "request_approval": _("Request approval"),
    "approve": _("Approve plan"),
    "reject": _("Reject plan"),
    "execute": _("Execute plan"),
    "reassess": _("Stop and reassess"),
    "wait_on_requester": _("Wait on requester"),
    "resume": _("Resume"),
    "resolve": _("Resolve"),
    "confirm": _("Confirm resolved"),
    "close": _("Close"),
    "reopen": _("Reopen"),
    "cancel": _("Cancel request"),
}

STATUS_COLOURS = {
    "new": "blue",
    "acknowledged": "blue",
    "diagnosing": "indigo",
    "escalated": "orange",
    "planning": "indigo",
    "awaiting_approval": "amber",
    "in_progress": "indigo",
    "waiting_on_requester": "grey",
    "resolved": "green",
    "closed": "grey",
    "cancelled": "grey",
}


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WALK_IN = "walk_in", _("Walk-in")
    IM = "im", _("Instant messaging")
    API = "api", _("API")


class Impact(models.IntegerChoices):
    HIGH = 1, _("High — many people or a core service")
    MEDIUM = 2, _("Medium — a team or an important function")
    LOW = 3, _("Low — one person, work can continue")


class Urgency(models.IntegerChoices):
    HIGH = 1, _("High — work is stopped now")
    MEDIUM = 2, _("Medium — work is hampered")
    LOW = 3, _("Low — can wait")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS = "status", _("Status changed")
    FIELD = "field", _("Field changed")
    COMMENT = "comment", _("Reply")
    NOTE = "note", _("Internal note")
    ATTACHMENT = "attachment", _("Attachment added")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breached")
