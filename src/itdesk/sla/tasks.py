"""SLA jobs: the watcher every minute, and recomputation after a calendar or policy changed."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from itdesk.sla import services, watcher


@db_periodic_task(crontab(minute="*"))
def watch_sla_clocks() -> dict[str, int]:
    """Every minute: record due warnings and breaches and run their actions (idempotent)."""
    report = watcher.run_watcher()
    return {"warnings": report.warnings, "breaches": report.breaches, "failed": len(report.failed)}


@db_task(retries=3, retry_delay=60)
def recompute_sla_clocks(calendar_id: int | None = None) -> int:
    """Recompute open tickets' clocks (those on one calendar, or all after a policy change)."""
    return services.recompute_clocks(calendar_id=calendar_id)
