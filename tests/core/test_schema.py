"""core.schema: a foreign key's redundant index is dropped (and recreated when reversed), nothing else."""

import pytest
from django.apps import apps
from django.db import connection

from itdesk.core.schema import field_index_dropped

pytestmark = pytest.mark.django_db(transaction=True)


def _indexes(table):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {tuple(info["columns"]) for info in constraints.values() if info.get("index")}


def test_the_migrated_tables_keep_only_the_composite_indexes():
    tickets = _indexes("tickets_ticket")
    for column in ("requester_id", "assignee_id", "group_id", "priority_id"):
        assert (column,) not in tickets
        assert any(columns[0] == column and len(columns) > 1 for columns in tickets)
    assert ("category_id",) in tickets  # leads no composite index: kept
    assert ("ticket_id",) not in _indexes("tickets_ticketevent")
    assert ("ticket_id", "created_at") in _indexes("tickets_ticketevent")
    assert ("actor_id",) in _indexes("tickets_ticketevent")


def test_reversing_creates_the_index_again_and_going_forward_drops_it():
    operation = field_index_dropped("tickets.Ticket", "requester")
    with connection.schema_editor() as editor:
        operation.reverse_code(apps, editor)
    assert ("requester_id",) in _indexes("tickets_ticket")
    with connection.schema_editor() as editor:
        operation.code(apps, editor)
    assert ("requester_id",) not in _indexes("tickets_ticket")
    assert ("requester_id", "created_at") in _indexes("tickets_ticket")
