"""People and organisation: users, departments, support groups and their tiered members."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from itdesk.accounts.choices import ROLE_CAPABILITIES, Role, Tier


class Department(models.Model):
    """A department in the company tree."""

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """Anyone who uses ITDesk: a requester, an agent, a lead, an approver, an administrator or an auditor."""

    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    employee_id = models.CharField(_("employee id"), max_length=40, blank=True, db_index=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    im_handle = models.CharField(_("IM handle"), max_length=120, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.REQUESTER, db_index=True
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["employee_id"], condition=~models.Q(employee_id=""), name="unique_employee_id"
            )
        ]
        # E-mail intake finds the sender by address, case-insensitively: WHERE LOWER(email) = ...
        indexes = [models.Index(Lower("email"), name="user_email_lower")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name people see."""
        return self.display_name or self.get_full_name() or self.username

    @cached_property
    def capabilities(self) -> frozenset[str]:
        """Workflow capabilities from the user's role (superusers can do everything)."""
        if self.is_superuser:
            return ROLE_CAPABILITIES[Role.ADMIN]
        return ROLE_CAPABILITIES.get(self.role, frozenset())

    @property
    def is_desk(self) -> bool:
        """Whether the user works tickets or oversees the desk (sees every ticket, internal notes included)."""
        return bool(self.capabilities & {"agent", "lead", "approver", "admin", "auditor"})

    @property
    def is_agent(self) -> bool:
        """Whether the user may work tickets."""
        return "agent" in self.capabilities


class SupportGroup(models.Model):
    """A group that works tickets: service desk, hardware, software, network, accounts, security..."""

    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    email = models.EmailField(_("e-mail"), blank=True)
    lead = models.ForeignKey(
        User, verbose_name=_("lead"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_first_line = models.BooleanField(_("first line"), default=False)
    members = models.ManyToManyField(User, through="Membership", related_name="support_groups")

    class Meta:
        verbose_name = _("support group")
        verbose_name_plural = _("support groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's place in a support group, at a tier."""

    group = models.ForeignKey(SupportGroup, verbose_name=_("group"), on_delete=models.CASCADE)
    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, default=Tier.L1)
    skills = models.CharField(
        _("skills"), max_length=200, blank=True, help_text=_("Comma-separated keywords.")
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="unique_group_member")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.group} ({self.tier})"
