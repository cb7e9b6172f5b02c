"""Default calendars ("China working hours" with the official holidays, "24x7") and the seeds' SLA policy."""

from datetime import date, time

from django.db import migrations

from itdesk.sla import holidays

WORKING_PERIODS = [(time(9), time(12)), (time(13, 30), time(18))]

# By priority position (P1..P4): response, escalation to a specialist group, resolution, and whether the
# priority's targets count around the clock. The seeds: P1 5 min / 2 h, P2 15 min / 4 h, P3 30 min /
# 8 working hours, P4 1 h / 3 working days; a first-line ticket reaches a specialist group within 1 hour.
TARGETS = [
    ((5, "minutes"), (1, "hours"), (2, "hours"), True),
    ((15, "minutes"), (1, "hours"), (4, "hours"), True),
    ((30, "minutes"), (1, "hours"), (8, "hours"), False),
    ((1, "hours"), (1, "hours"), (3, "days"), False),
]


def create_defaults(apps, schema_editor):
    Calendar = apps.get_model("sla", "Calendar")
    WorkingPeriod = apps.get_model("sla", "WorkingPeriod")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    Policy = apps.get_model("sla", "Policy")
    PolicyTarget = apps.get_model("sla", "PolicyTarget")
    Priority = apps.get_model("tickets", "Priority")

    working, created = Calendar.objects.get_or_create(
        name="China working hours", defaults={"timezone": "Asia/Shanghai"}
    )
    if created:
        WorkingPeriod.objects.bulk_create(
            WorkingPeriod(calendar=working, weekday=weekday, start=start, end=end)
            for weekday in range(5)
            for start, end in WORKING_PERIODS
        )
        first = min(date.today().year, 2025)
        rows = []
        for year in holidays.known_years():
            if year < first:
                continue
            for day in holidays.official_days(year):
                rows.append(
                    CalendarDay(
                        calendar=working,
                        date=day.date,
                        kind=day.kind,
                        source="imported",
                        name_en=day.name_en,
                        name_zh=day.name_zh,
                    )
                )
        CalendarDay.objects.bulk_create(rows)
    always, _ = Calendar.objects.get_or_create(
        name="24x7", defaults={"timezone": "Asia/Shanghai", "is_24x7": True, "warn_missing_holidays": False}
    )
    if Policy.objects.filter(is_default=True).exists():
        return
    policy = Policy.objects.create(name="Standard", calendar=working, is_default=True)
    for priority, (response, escalation, resolution, around_the_clock) in zip(
        Priority.objects.order_by("rank"), TARGETS
    ):
        for kind, (amount, unit) in (("response", response), ("escalation", escalation), ("resolution", resolution)):
            PolicyTarget.objects.create(
                policy=policy,
                priority=priority,
                kind=kind,
                amount=amount,
                unit=unit,
                calendar=always if around_the_clock else None,
            )


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial"), ("tickets", "0002_default_levels")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
