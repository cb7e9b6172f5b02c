"""Fill tickets.Ticket.sla_next_due from the clocks that exist (one statement, both engines)."""

from django.db import migrations

FILL = """
UPDATE tickets_ticket SET sla_next_due = (
    SELECT MIN(clock.due_at) FROM sla_ticketclock clock
    WHERE clock.ticket_id = tickets_ticket.id
      AND clock.state IN ('running', 'breached') AND clock.stopped_at IS NULL
)
WHERE id IN (
    SELECT ticket_id FROM sla_ticketclock WHERE state IN ('running', 'breached') AND stopped_at IS NULL
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0003_clock_ordering_by_column"),
        ("tickets", "0006_ticket_sla_next_due"),
    ]

    operations = [migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop)]
