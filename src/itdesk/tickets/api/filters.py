"""Query-string filters for the ticket list."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from itdesk.tickets.choices import Status
from itdesk.tickets.models import Ticket
from itdesk.tickets.selectors import QUEUES


class CommaSeparatedSelectMultiple(forms.SelectMultiple):
    """Read a multi-value parameter given repeatedly (?status=a&status=b) or as a list (?status=a,b)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str] | None:
        """Every value of `name`, split at commas."""
        raw = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if raw is None:
            return None
        if isinstance(raw, str):
            raw = [raw]
        return [part.strip() for item in raw for part in str(item).split(",") if part.strip()]


class StableOrderingFilter(django_filters.OrderingFilter):
    """Ordering with the primary key as tie-breaker, so pages never repeat or skip a row."""

    def filter(self, qs: QuerySet[Ticket], value: list[str] | None) -> QuerySet[Ticket]:
        """Order by the requested fields, then by newest first."""
        if value and any(v.lstrip("-") == "breach" for v in value):
            return self._with_breach(qs, value)
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "-pk")
        return qs

    def _with_breach(self, qs: QuerySet[Ticket], value: list[str]) -> QuerySet[Ticket]:
        """`breach`: nearest SLA breach first (overdue first), tickets without a counting clock last."""
        order: list[Any] = []
        for item in value:
            if item.lstrip("-") == "breach":
                due = F("sla_next_due")
                order.append(due.desc(nulls_last=True) if item.startswith("-") else due.asc(nulls_last=True))
            else:
                order.append(self.get_ordering_value(item))
        return qs.order_by(*order, "-pk")


class TicketFilter(django_filters.FilterSet):
    """Filters of the ticket list; the queue itself is chosen by the view through selectors.queue."""

    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices,
        widget=CommaSeparatedSelectMultiple,
        help_text=_("One or more statuses, repeated or comma-separated."),
    )
    priority = django_filters.CharFilter(field_name="priority__code", help_text=_("Priority code, e.g. P1."))
    category = django_filters.CharFilter(field_name="category__code", help_text=_("Category code."))
    group = django_filters.CharFilter(field_name="group__code", help_text=_("Support group code."))
    assignee = django_filters.CharFilter(field_name="assignee__username", help_text=_("Assignee's username."))
    requester = django_filters.CharFilter(
        field_name="requester__username", help_text=_("Requester's username.")
    )
    queue = django_filters.ChoiceFilter(
        choices=[(name, name) for name in QUEUES],
        method="filter_queue",
        help_text=_("new, mine (assigned to me), group (my groups'), open, or all (the default)."),
    )
    ordering = StableOrderingFilter(
        fields=(
            ("created_at", "created_at"),
            ("priority__rank", "priority"),
            ("updated_at", "updated_at"),
            ("sla_next_due", "breach"),
        ),
        help_text=_(
            "created_at, priority, updated_at or breach (nearest SLA breach first); prefix with - for descending."
        ),
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_queue(self, qs: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        """Nothing to do here: the view already started from selectors.queue(user, value)."""
        return qs
