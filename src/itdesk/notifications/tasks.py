"""Jobs that deliver the outbox."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from itdesk.notifications import services


@db_task(retries=3, retry_delay=30)
def deliver_message(message_id: int) -> bool:
    """Deliver one message right after the transaction that queued it committed."""
    return services.deliver(message_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_messages() -> int:
    """Every minute: send what is due, including retries and messages whose worker died."""
    return services.deliver_due()
