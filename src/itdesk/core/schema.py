"""Schema changes Django's migrations make expensively, done directly.

Turning `db_index` off on a field is an AlterField; on SQLite Django rebuilds the whole table for it
(copying every row, once per field), which on a desk with millions of tickets and events takes minutes.
Dropping the index is all the database needs: `field_index_dropped()` is that, for both engines, as the
database half of a SeparateDatabaseAndState whose state half is the AlterField.

Adding a NOT NULL column is the same story: Django's SQLite backend rebuilds the table for it, although
SQLite adds a column with a constant default in place. `AddFieldInPlace` is an AddField that does that.
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


class AddFieldInPlace(migrations.AddField):
    """AddField that on SQLite adds a column with a constant default by ALTER TABLE, keeping the table.

    The column keeps its DEFAULT in the SQLite schema (SQLite cannot drop one); Django always writes the
    value itself, so the default only fills the rows that existed before. Other engines, and fields that
    need more (unique, a foreign key, no constant default), take Django's own path.
    """

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        to_model = to_state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor != "sqlite" or not self.allow_migrate_model(
            schema_editor.connection.alias, to_model
        ):
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        field = to_model._meta.get_field(self.name)
        default = schema_editor.effective_default(field)
        if field.unique or field.primary_key or field.is_relation or default is None:
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        definition, params = schema_editor.column_sql(to_model, field)
        check = field.db_parameters(connection=schema_editor.connection)["check"]
        if check:  # a JSON column's JSON_VALID, as Django's add_field writes it
            definition += " " + schema_editor.sql_check_constraint % {"check": check}
        schema_editor.execute(
            f"ALTER TABLE {schema_editor.quote_name(to_model._meta.db_table)} ADD COLUMN "
            f"{schema_editor.quote_name(field.column)} {definition} "
            f"DEFAULT {schema_editor.prepare_default(default)}",
            params or None,
        )


__all__ = ["AddFieldInPlace", "field_index_dropped"]
