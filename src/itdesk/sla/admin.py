"""Where administrators edit calendars, holidays, SLA policies and their rules.

Any change recomputes the clocks of the open tickets it affects, in a job after the change commits.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from itdesk.sla import services
from itdesk.sla.engine import BusinessCalendar, CalendarError
from itdesk.sla.models import (
    Calendar,
    CalendarDay,
    Policy,
    PolicyRule,
    PolicyTarget,
    TicketClock,
    WorkingPeriod,
)


def _recompute_after_commit(calendar_id: int | None = None) -> None:
    from itdesk.sla.tasks import recompute_sla_clocks

    transaction.on_commit(lambda: recompute_sla_clocks(calendar_id))


class WorkingPeriodFormSet(BaseInlineFormSet):
    """Refuse a week the engine would refuse: overlapping periods, or no working time at all."""

    def clean(self) -> None:
        """Build the week as the engine would; its one-line reason becomes the form's error."""
        super().clean()
        calendar = self.instance
        if calendar.is_24x7 or any(form.errors for form in self.forms):
            return
        week: list[list[Any]] = [[] for _ in range(7)]
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            period = WorkingPeriod(weekday=data["weekday"], start=data["start"], end=data["end"])
            week[period.weekday].append((period.start, period.end_of_day))
        for day in week:
            day.sort()
        try:
            BusinessCalendar(calendar.timezone, week)
        except CalendarError as exc:
            raise ValidationError(str(exc)) from None


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    formset = WorkingPeriodFormSet
    extra = 0
    fields = ("weekday", "start", "end")


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 0
    fields = ("date", "kind", "name_en", "name_zh", "source")
    ordering = ("-date",)
    classes = ("collapse",)


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "timezone", "is_24x7", "warn_missing_holidays", "updated_at")
    search_fields = ("name",)
    inlines = [WorkingPeriodInline, CalendarDayInline]
    actions = ["import_official_holidays"]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        """After the periods and days are saved, recompute the open clocks counting on this calendar."""
        super().save_related(request, form, formsets, change)
        if change:
            _recompute_after_commit(form.instance.pk)

    @admin.action(description=_("Import China's official holidays (this year and next)"))
    def import_official_holidays(self, request: Any, queryset: Any) -> None:
        """Load the State Council schedule the installed package knows; say which years it lacks."""
        year = timezone.localdate().year
        for calendar in queryset:
            for wanted in (year, year + 1):
                try:
                    result = services.import_holidays(calendar=calendar, year=wanted)
                except services.HolidaysUnknown as exc:
                    self.message_user(request, str(exc.message), messages.WARNING)
                    continue
                self.message_user(
                    request,
                    _("%(calendar)s: %(year)s loaded (%(holidays)s holidays, %(workdays)s make-up workdays).")
                    % {
                        "calendar": calendar.name,
                        "year": result.year,
                        "holidays": result.holidays,
                        "workdays": result.workdays,
                    },
                )
            _recompute_after_commit(calendar.pk)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "calendar", "kind", "name_en", "name_zh", "source")
    list_filter = ("calendar", "kind", "source")
    date_hierarchy = "date"
    search_fields = ("name_en", "name_zh")


class PolicyTargetInline(admin.TabularInline):
    model = PolicyTarget
    extra = 0
    fields = ("priority", "kind", "amount", "unit", "calendar")


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "calendar", "is_default", "is_active", "warn_at_percent", "pause_on_approval")
    list_filter = ("is_active",)
    inlines = [PolicyTargetInline]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "calendar",
                    "is_default",
                    "is_active",
                    "pause_on_approval",
                    "warn_at_percent",
                )
            },
        ),
        (
            _("On warning"),
            {"fields": ("warn_notify_assignee", "warn_notify_lead", "warn_escalate", "warn_raise_priority")},
        ),
        (
            _("On breach"),
            {
                "fields": (
                    "breach_notify_assignee",
                    "breach_notify_lead",
                    "breach_escalate",
                    "breach_raise_priority",
                )
            },
        ),
    )

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        """Re-target every open ticket after the policy's targets changed."""
        super().save_related(request, form, formsets, change)
        _recompute_after_commit()


@admin.register(PolicyRule)
class PolicyRuleAdmin(admin.ModelAdmin):
    list_display = ("position", "policy", "priority", "category", "department", "is_active")
    list_display_links = ("policy",)
    list_editable = ("position", "is_active")
    list_select_related = ("policy", "priority", "category", "department")

    def save_model(self, request: Any, obj: PolicyRule, form: Any, change: bool) -> None:
        """A rule change may choose another policy for open tickets: recompute them."""
        super().save_model(request, obj, form, change)
        _recompute_after_commit()

    def delete_model(self, request: Any, obj: PolicyRule) -> None:
        """Removing a rule too."""
        super().delete_model(request, obj)
        _recompute_after_commit()


@admin.register(TicketClock)
class TicketClockAdmin(admin.ModelAdmin):
    """Read-only: clocks are computed from the tickets' history, never edited."""

    list_display = ("ticket", "kind", "state", "due_at", "warned_at", "breached_at", "policy", "calendar")
    list_filter = ("state", "kind", "policy")
    search_fields = ("ticket__number",)
    list_select_related = ("ticket", "policy", "calendar")
    show_full_result_count = False

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [f.name for f in TicketClock._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False
