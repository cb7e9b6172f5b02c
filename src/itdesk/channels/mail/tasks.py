"""Mail jobs: fetch every active IMAP mailbox once a minute."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from itdesk.channels.mail import imap


@db_periodic_task(crontab(minute="*"))
@lock_task("mail-fetch")
def fetch_mailboxes() -> dict[str, dict[str, int]]:
    """Every minute: ingest the unseen messages of each active IMAP mailbox (a run never overlaps another)."""
    return {report.mailbox: report.counts() for report in imap.fetch_all()}
