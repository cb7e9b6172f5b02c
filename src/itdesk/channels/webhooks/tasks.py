"""Jobs that send webhook deliveries."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from itdesk.channels.webhooks import services


@db_task()
def deliver_webhook(delivery_id: int) -> bool:
    """Send one delivery right after the transaction that wrote it committed (retries are rows, not jobs)."""
    return services.deliver(delivery_id)


@db_periodic_task(crontab(minute="*"))
def deliver_due_webhooks() -> int:
    """Every minute: send what is due, including retries and deliveries whose worker died."""
    return services.deliver_due()
