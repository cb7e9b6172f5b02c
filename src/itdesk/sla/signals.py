"""Keep cached calendars honest: any change to a calendar or its rows bumps the calendar's version."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from itdesk.sla import calendars, services
from itdesk.sla.models import Calendar, CalendarDay, Policy, PolicyRule, PolicyTarget, WorkingPeriod


@receiver(post_save, sender=Calendar)
def _bump_calendar_version(sender: type[Calendar], instance: Calendar, **kwargs: Any) -> None:
    # An update in the database (not `instance.version += 1`), so the version only ever grows even
    # when the instance was read before another change bumped it.
    if not kwargs.get("created") and not kwargs.get("raw"):
        calendars.touch(instance.pk)


@receiver(post_save, sender=WorkingPeriod)
@receiver(post_delete, sender=WorkingPeriod)
@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
def _touch_calendar(sender: Any, instance: WorkingPeriod | CalendarDay, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        calendars.touch(instance.calendar_id)


@receiver(post_save, sender=Policy)
@receiver(post_delete, sender=Policy)
@receiver(post_save, sender=PolicyRule)
@receiver(post_delete, sender=PolicyRule)
@receiver(post_save, sender=PolicyTarget)
@receiver(post_delete, sender=PolicyTarget)
def _policies_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if not kwargs.get("raw"):
        services.policies_changed()
