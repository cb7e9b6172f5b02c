"""API representation of a ticket's SLA clocks."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from itdesk.sla.models import TargetKind
from itdesk.sla.selectors import DISPLAY_STATES, ClockView

# One field formats every instant (in the settings' format and the active time zone, as a declared
# DateTimeField would); building a field per value cost more than the formatting.
_INSTANT = serializers.DateTimeField()


class SlaClockSerializer(serializers.Serializer):
    """One target's clock: when it is due, how much time is left, how it stands and why."""

    kind = serializers.ChoiceField(
        choices=TargetKind.choices, help_text=_("response, escalation or resolution.")
    )
    kind_label = serializers.CharField()
    state = serializers.ChoiceField(
        choices=list(DISPLAY_STATES), help_text=_("running, paused, met, warning, breached or cancelled.")
    )
    state_label = serializers.CharField()
    due_at = serializers.DateTimeField(help_text=_("While paused: the due time if the clock resumed now."))
    warn_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField()
    stopped_at = serializers.DateTimeField(allow_null=True)
    target_seconds = serializers.IntegerField()
    elapsed_seconds = serializers.IntegerField(help_text=_("Business time used so far."))
    remaining_seconds = serializers.IntegerField(
        help_text=_("Business time left before the due time; negative once overdue.")
    )
    calendar = serializers.CharField(allow_null=True)
    policy = serializers.CharField(allow_null=True)
    explanation = serializers.CharField(help_text=_("Why it is due then, in the caller's language."))
    explanation_steps = serializers.ListField(child=serializers.CharField())

    def to_representation(self, view: ClockView) -> dict[str, Any]:
        """Flatten a clock view (figures at the time of the request)."""
        clock = view.clock
        explanation = view.explanation()
        instant = _INSTANT.to_representation
        return {
            "kind": view.kind,
            "kind_label": view.kind_label,
            "state": view.state,
            "state_label": view.state_label,
            "due_at": instant(view.due_at),
            "warn_at": instant(clock.warn_at),
            "started_at": instant(clock.started_at),
            "stopped_at": instant(clock.stopped_at) if clock.stopped_at else None,
            "target_seconds": int(clock.target.total_seconds()),
            "elapsed_seconds": int(view.elapsed.total_seconds()),
            "remaining_seconds": int(view.remaining.total_seconds()),
            "calendar": view.calendar.name if view.calendar else None,
            "policy": clock.policy.name if clock.policy else None,
            "explanation": explanation.summary,
            "explanation_steps": explanation.steps,
        }
