"""Schema changes Django's migrations make expensively, done directly.

Turning `db_index` off on a field is an AlterField; on SQLite Django rebuilds the whole table for it
(copying every row, once per field), which on a desk with millions of tickets and events takes minutes.
Dropping the index is all the database needs: `field_index_dropped()` is that, for both engines, as the
database half of a SeparateDatabaseAndState whose state half is the AlterField.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _single_column_indexes(model: Any, field: Any, schema_editor: Any) -> list[str]:
    """Names of the plain (not unique, not declared in Meta.indexes) indexes on exactly this column."""
    connection = schema_editor.connection
    declared = {index.name for index in model._meta.indexes}
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return sorted(
        name
        for name, info in constraints.items()
        if info.get("index")
        and not info.get("unique")
        and not info.get("primary_key")
        and info.get("columns") == [field.column]
        and name not in declared
    )


def field_index_dropped(model_label: str, field_name: str) -> migrations.RunPython:
    """Drop the single-column index Django made for `field_name` (reversed: create it again)."""

    def forward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(model_label)
        field = model._meta.get_field(field_name)
        for name in _single_column_indexes(model, field, schema_editor):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def backward(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(model_label)
        field = model._meta.get_field(field_name)
        if not _single_column_indexes(model, field, schema_editor):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    return migrations.RunPython(forward, backward, elidable=False)


__all__ = ["field_index_dropped"]
