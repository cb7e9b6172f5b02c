"""Inserting new rows with a statement compiled once per model: the rows every intake writes.

`Model.save()` and `bulk_create()` build and compile their INSERT afresh on each call; on the intake path
(a ticket, its SLA clocks, its "created" event, the requester's confirmation) that compiling cost as much
as running the statements. `insert()` writes the same row with the same SQL text, compiled once per model
and database, and the same values: each field's `pre_save()` and `get_db_prep_save()`, as the ORM does.

It stays correct by stepping aside: whenever the ORM would do more than the plain INSERT it falls back
to `save(force_insert=True)`. That is when the model has `pre_save`/`post_save` receivers, a parent
model, a primary key set by hand, a database default or generated column, a value that is an expression,
or overrides `save()` without declaring `PLAIN_INSERT = True` (its save() adds nothing to an insert).
Like save(), it refuses an unsaved related object, copies a related object's new primary key into the
foreign key, and marks the surrounding transaction for rollback when the statement fails.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db import connections, models, router, transaction
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class _Plan:
    sql: str
    fields: tuple[models.Field, ...]
    returns_pk: bool  # the statement ends in RETURNING <pk>


_plans: dict[tuple[type[models.Model], str], _Plan | None] = {}


def _compile(model: type[models.Model], alias: str) -> _Plan | None:
    """The INSERT of `model` on database `alias`, or None when only the ORM can insert it correctly."""
    meta = model._meta
    if meta.parents or meta.auto_field is None or meta.pk is not meta.auto_field:
        return None
    if list(meta.db_returning_fields) != [meta.pk]:
        return None
    if model.save is not models.Model.save and not getattr(model, "PLAIN_INSERT", False):
        return None
    fields = tuple(f for f in meta.local_concrete_fields if f is not meta.auto_field)
    if any(f.generated or f.has_db_default() for f in fields):
        return None
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join("%s" for _ in fields)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608 - from the model
    returns_pk = connection.features.can_return_columns_from_insert
    if returns_pk:
        returning, _params = connection.ops.return_insert_columns([meta.pk])
        sql = f"{sql} {returning}"
    return _Plan(sql=sql, fields=fields, returns_pk=returns_pk)


def _plan_for(model: type[models.Model], alias: str) -> _Plan | None:
    key = (model, alias)
    if key not in _plans:
        _plans[key] = _compile(model, alias)
    return _plans[key]


def insert(obj: M, *, using: str | None = None) -> M:
    """INSERT the new `obj` (as `obj.save(force_insert=True)` would) and give it its primary key."""
    model = type(obj)
    alias = using or router.db_for_write(model, instance=obj)
    plan = _plan_for(model, alias)
    if plan is None or obj.pk is not None or pre_save.has_listeners(model) or post_save.has_listeners(model):
        obj.save(force_insert=True, using=alias)
        return obj
    obj._prepare_related_fields_for_save(operation_name="save")
    connection = connections[alias]
    values = []
    for field in plan.fields:
        value = field.pre_save(obj, add=True)
        if hasattr(value, "resolve_expression"):
            # An expression (Now(), a subquery...) needs the query compiler.
            obj.save(force_insert=True, using=alias)
            return obj
        values.append(field.get_db_prep_save(value, connection=connection))
    with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
        cursor.execute(plan.sql, values)
        if plan.returns_pk:
            pk = cursor.fetchone()[0]
        else:
            meta = model._meta
            pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = alias
    return obj


def insert_all(objs: Iterable[M], *, using: str | None = None) -> list[M]:
    """insert() each object in turn (one statement each, so each gets its primary key back)."""
    return [insert(obj, using=using) for obj in objs]


__all__ = ["insert", "insert_all"]
