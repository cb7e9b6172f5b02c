"""Shared primitives: named counters used for race-free numbering."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """A named monotonically increasing counter (e.g. the ticket sequence of one day)."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
