"""Inserting new rows with a statement compiled once per model: the rows every intake writes.

`Model.save()` and `bulk_create()` build and compile their INSERT afresh on each call; on the intake path
(a ticket, its SLA clocks, its "created" event, the requester's confirmation) that compiling cost as much
as running the statements. `insert()` writes the same row with the same SQL text, compiled once per model
and database, and the same values: each field's `pre_save()` and `get_db_prep_save()`, as the ORM does,
except where their answer is known in advance (a str for an unmodified text field, an int for an integer
or a foreign key to an auto key, a bool, a UTC datetime on SQLite): that value is taken as it is.

It stays correct by stepping aside: whenever the ORM would do more than the plain INSERT it falls back
to `save(force_insert=True)`. That is when the model has `pre_save`/`post_save` receivers, a parent
model, a primary key set by hand, a database default or generated column, a value that is an expression,
or overrides `save()` without declaring `PLAIN_INSERT = True` (its save() adds nothing to an insert).
Like save(), it refuses an unsaved related object, copies a related object's new primary key into the
foreign key, and marks the surrounding transaction for rollback when the statement fails.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models.fields import AutoFieldMixin
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=models.Model)


# How a field's value becomes its parameter when the ORM's answer is known without asking it: the same
# value (a str for a text field, an int for an integer or a foreign key to an auto key, a bool), or, on
# SQLite, a UTC datetime as the text Django writes. Any other value takes the field's own path.
_ORM = 0  # pre_save() and get_db_prep_save(), as save() does
_SAME_STR = 1
_SAME_INT = 2
_SAME_BOOL = 3
_UTC_TEXT = 4
_SAME_TYPE = {_SAME_STR: str, _SAME_INT: int, _SAME_BOOL: bool}


_PREPARING = ("pre_save", "to_python", "get_prep_value", "get_db_prep_value", "get_db_prep_save")


def _inherits(kind: type, base: type, names: tuple[str, ...] = _PREPARING) -> bool:
    """Whether `kind` prepares values with `base`'s own methods (a subclass that overrides none of them)."""
    return all(getattr(kind, name) is getattr(base, name) for name in names)


def _conversion(field: Any, connection: Any) -> int:
    """Which shortcut gives `field`'s parameter exactly as get_db_prep_save() would (see above)."""
    kind = type(field)
    ops = type(connection.ops)
    if isinstance(field, models.ForeignKey):
        target = type(field.target_field)
        plain_key = issubclass(target, AutoFieldMixin) and _inherits(
            target, models.BigAutoField, ("get_prep_value", "get_db_prep_value", "get_db_prep_save")
        )
        own_checks = ops.validate_autopk_value is BaseDatabaseOperations.validate_autopk_value
        if plain_key and own_checks and _inherits(kind, models.ForeignKey, ("pre_save", "get_db_prep_save")):
            return _SAME_INT
        return _ORM
    for base, how in (
        (models.CharField, _SAME_STR),
        (models.TextField, _SAME_STR),
        (models.BooleanField, _SAME_BOOL),
    ):
        if isinstance(field, base):
            return how if _inherits(kind, base) else _ORM
    if isinstance(field, models.IntegerField):
        own_adapter = ops.adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
        return _SAME_INT if own_adapter and _inherits(kind, models.IntegerField) else _ORM
    if isinstance(field, models.DateTimeField) and not (field.auto_now or field.auto_now_add):
        utc = connection.vendor == "sqlite" and settings.USE_TZ and connection.timezone_name == "UTC"
        return _UTC_TEXT if utc and _inherits(kind, models.DateTimeField) else _ORM
    return _ORM


@dataclass(frozen=True)
class _Plan:
    head: str  # INSERT INTO table (columns) VALUES
    row: str  # (%s, %s, ...)
    tail: str  # RETURNING <pk>, or nothing
    fields: tuple[models.Field, ...]
    conversions: tuple[int, ...]  # per field, see _conversion()

    @property
    def returns_pk(self) -> bool:
        return bool(self.tail)

    def sql(self, rows: int = 1) -> str:
        return f"{self.head} {', '.join([self.row] * rows)}{self.tail}"


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
    tail = ""
    if connection.features.can_return_columns_from_insert:
        returning, _params = connection.ops.return_insert_columns([meta.pk])
        tail = f" {returning}"
    return _Plan(
        head=f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES",  # noqa: S608 - names from the model
        row=f"({', '.join('%s' for _ in fields)})",
        tail=tail,
        fields=fields,
        conversions=tuple(_conversion(f, connection) for f in fields),
    )


def _plan_for(model: type[models.Model], alias: str) -> _Plan | None:
    """The compiled INSERT, or None when the ORM must do it (see the module's docstring)."""
    key = (model, alias)
    if key not in _plans:
        _plans[key] = _compile(model, alias)
    plan = _plans[key]
    if plan is None or pre_save.has_listeners(model) or post_save.has_listeners(model):
        return None
    return plan


def _values(obj: models.Model, plan: _Plan, connection: Any) -> list[Any] | None:
    """The row's parameters as save() prepares them; None when a value is an expression (ORM only)."""
    obj._prepare_related_fields_for_save(operation_name="save")
    values = []
    for field, how in zip(plan.fields, plan.conversions, strict=True):
        if how:
            value = getattr(obj, field.attname)
            if value is None:
                values.append(None)
                continue
            if how == _UTC_TEXT:
                if type(value) is dt.datetime and value.tzinfo is dt.UTC:
                    values.append(str(value.replace(tzinfo=None)))
                    continue
            elif type(value) is _SAME_TYPE[how]:
                values.append(value)
                continue
        value = field.pre_save(obj, add=True)
        if hasattr(value, "resolve_expression"):  # Now(), a subquery...: needs the query compiler
            return None
        values.append(field.get_db_prep_save(value, connection=connection))
    return values


def _stored(obj: models.Model, pk: Any, alias: str) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = alias


def insert(obj: M, *, using: str | None = None) -> M:
    """INSERT the new `obj` (as `obj.save(force_insert=True)` would) and give it its primary key."""
    model = type(obj)
    alias = using or router.db_for_write(model, instance=obj)
    plan = _plan_for(model, alias)
    connection = connections[alias]
    values = _values(obj, plan, connection) if plan is not None and obj.pk is None else None
    if plan is None or values is None:
        obj.save(force_insert=True, using=alias)
        return obj
    with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
        cursor.execute(plan.sql(), values)
        if plan.returns_pk:
            pk = cursor.fetchone()[0]
        else:
            meta = model._meta
            pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    _stored(obj, pk, alias)
    return obj


def insert_all(objs: Iterable[M], *, using: str | None = None) -> list[M]:
    """INSERT new objects of one model in one statement (as bulk_create, with their primary keys back).

    Like Django's bulk_create, it relies on the database returning the new keys in the order of the rows
    (SQLite >= 3.35 and PostgreSQL do). Mixed models, or a database that cannot return several rows'
    keys, get one insert() each.
    """
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    alias = using or router.db_for_write(model, instance=objs[0])
    connection = connections[alias]
    plan = _plan_for(model, alias)
    if (
        len(objs) == 1
        or plan is None
        or not plan.returns_pk
        or not connection.features.can_return_rows_from_bulk_insert
        or any(type(obj) is not model or obj.pk is not None for obj in objs)
    ):
        return [insert(obj, using=alias) for obj in objs]
    rows = [_values(obj, plan, connection) for obj in objs]
    if any(row is None for row in rows):
        return [insert(obj, using=alias) for obj in objs]
    batch = max(1, connection.ops.bulk_batch_size(plan.fields, objs))
    with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = rows[start : start + batch]
            cursor.execute(plan.sql(len(chunk)), [value for row in chunk for value in row])  # type: ignore[union-attr]
            for obj, (pk,) in zip(objs[start : start + batch], cursor.fetchall(), strict=True):
                _stored(obj, pk, alias)
    return objs


__all__ = ["insert", "insert_all"]
