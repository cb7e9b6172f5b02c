"""Roles and tiers, each with its translated label in one place."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REQUESTER = "requester", _("Requester")
    AGENT = "agent", _("Agent")
    LEAD = "lead", _("Group lead")
    APPROVER = "approver", _("Approver")
    ADMIN = "admin", _("Administrator")
    AUDITOR = "auditor", _("Auditor")


class Tier(models.TextChoices):
    L1 = "L1", _("L1 — service desk")
    L2 = "L2", _("L2 — specialist")
    L3 = "L3", _("L3 — expert")


# What each role may do, as capabilities the workflow understands. A lead works tickets too;
# an administrator can do everything; an auditor reads everything and changes nothing.
ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.REQUESTER: frozenset(),
    Role.AGENT: frozenset({"agent"}),
    Role.LEAD: frozenset({"agent", "lead"}),
    Role.APPROVER: frozenset({"approver"}),
    Role.ADMIN: frozenset({"agent", "lead", "approver", "admin"}),
    Role.AUDITOR: frozenset({"auditor"}),
}
