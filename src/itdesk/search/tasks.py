"""Jobs that keep the search index current."""

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from itdesk.search import services


@db_task(retries=3, retry_delay=10)
def index_objects(kind: str, ids: list[int]) -> None:
    """Re-index objects after the transaction that changed them committed."""
    services.reindex(kind, ids)


@db_periodic_task(crontab(minute="*/10"))
def catch_up_index() -> int:
    """Every ten minutes: re-index the last quarter of an hour's changes, in case a job was lost."""
    return services.catch_up(timedelta(minutes=15))
