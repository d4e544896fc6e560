"""Model instances from SQL written by hand, for the few hot reads whose query the ORM
would build anew on every call when building it costs more than running it (the
chapter tree's chain and children: chapters.selectors).

The SQL names its columns (`columns()`); `fetch()` runs it and turns each row into an
instance the way the ORM does: the columns' database converters (a JSON column's text
into a dict, SQLite's datetime text into an aware datetime), then `Model.from_db`, so
a field left out is deferred (loaded on first access, as `.only()` leaves it) and the
instance is saved and compared like any other. The queries go through the
connection's cursor, so query-count tests and the debug toolbar see them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

M = TypeVar("M", bound=Model)

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]
# Per connection (their converters are bound to it): {(model, attnames): [(position,
# converters, column expression)]}.
_CONVERTERS: WeakKeyDictionary[
    BaseDatabaseWrapper, dict[tuple[type[Model], tuple[str, ...]],
                              list[tuple[int, list[Converter], Any]]]
] = WeakKeyDictionary()


def ordered(model: type[Model], fields: Sequence[str]) -> tuple[str, ...]:
    """`fields` (attnames, the primary key among them) in the model's column order,
    the order `columns()` selects them and `fetch()` reads them."""
    wanted = set(fields)
    unknown = wanted - {field.attname for field in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    if model._meta.pk.attname not in wanted:
        raise ValueError("the primary key must be among the fields")
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in wanted)


def columns(model: type[Model], fields: Sequence[str], *, alias: str = "",
            using: str = DEFAULT_DB_ALIAS) -> str:
    """The quoted column list of `fields` (attnames), in the order `fetch()` reads."""
    quote = connections[using].ops.quote_name
    prefix = f"{quote(alias)}." if alias else ""
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return ", ".join(f"{prefix}{quote(by_attname[name].column)}"
                     for name in ordered(model, fields))


def _converters(connection: BaseDatabaseWrapper, model: type[Model],
                fields: tuple[str, ...]) -> list[tuple[int, list[Converter], Any]]:
    per_connection = _CONVERTERS.setdefault(connection, {})
    found = per_connection.get((model, fields))
    if found is None:
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        found = []
        for position, name in enumerate(fields):
            column = by_attname[name].get_col(model._meta.db_table)
            converters = [*connection.ops.get_db_converters(column),
                          *column.get_db_converters(connection)]
            if converters:
                found.append((position, converters, column))
        per_connection[(model, fields)] = found
    return found


def fetch(model: type[M], fields: Sequence[str], sql: str, params: Sequence[Any], *,
          using: str = DEFAULT_DB_ALIAS) -> list[M]:
    """The instances of `model` that `sql` selects, whose columns are `fields` in the
    order of `columns(model, fields)` (and nothing else)."""
    names = ordered(model, fields)
    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    converters = _converters(connection, model, names)
    instances = []
    for row in rows:
        values = list(row)
        for position, functions, column in converters:
            value = values[position]
            for function in functions:
                value = function(value, column, connection)
            values[position] = value
        instances.append(model.from_db(using, names, values))
    return instances
