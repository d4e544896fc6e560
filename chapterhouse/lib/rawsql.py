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
from django.db.models import Model, QuerySet
from django.db.models.sql.compiler import SQLCompiler

M = TypeVar("M", bound=Model)
T = TypeVar("T")

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



# Stand-ins for a prepared query's arguments while its SQL is built (Prepared): numbers
# and texts no real argument is, so that they can be found among the query's parameters.
_NUMBER_STAND_IN = -7_340_000_000_017
_TEXT_STAND_IN = "\x00chapterhouse-stand-in-"


def _stand_in(value: Any, index: int) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise TypeError(f"a prepared query takes numbers and texts, not {type(value).__name__}")
    return _NUMBER_STAND_IN - index if isinstance(value, int) else f"{_TEXT_STAND_IN}{index}"


def _shallow(thing: T) -> T:
    """A shallow copy that skips `__getstate__` (a QuerySet's runs its query)."""
    made = object.__new__(type(thing))
    made.__dict__.update(thing.__dict__)
    return made


def _swapped(param: Any, replacements: dict[Any, Any]) -> Any:
    return replacements.get(param, param) if isinstance(param, int | str) else param


class Prepared:
    """A queryset whose SQL the ORM builds once per shape of its arguments, then runs
    with other arguments: for the hot reads of every member's page, where building the
    query costs more than running it.

    `build(*args)` returns the queryset for the arguments (numbers, texts, or lists of
    them). It is called once per database and shape (the arguments' types, each list's
    length) with stand-in values, and its SQL kept; a later call puts the real values
    where the stand-ins are among the parameters and runs that SQL through the same
    compiler, so its rows become what the queryset's own would (instances with their
    `select_related` objects, or values). A shape whose SQL does not carry every
    stand-in as a parameter (the ORM wrote one into the SQL text, or `build` left one
    out) goes through the ORM on every call: slower, never wrong. Not for querysets
    with `prefetch_related` (their second query would be built anew anyway)."""

    def __init__(self, build: Callable[..., QuerySet[Any]]) -> None:
        self.build = build
        self._shapes: dict[tuple[Any, ...], tuple[QuerySet[Any], SQLCompiler, str,
                                                  tuple[Any, ...]] | None] = {}

    def __call__(self, *args: Any) -> list[Any]:
        stand_ins: list[Any] = []
        replacements: dict[Any, Any] = {}
        for arg in args:
            values = list(arg) if isinstance(arg, list | tuple) else [arg]
            made = []
            for value in values:
                stand_in = _stand_in(value, len(replacements))
                replacements[stand_in] = value
                made.append(stand_in)
            stand_ins.append(made if isinstance(arg, list | tuple) else made[0])
        key = (connections[DEFAULT_DB_ALIAS].vendor, *(
            (len(a), *(type(v).__name__ for v in a)) if isinstance(a, list | tuple)
            else type(a).__name__ for a in args))
        if key not in self._shapes:
            self._shapes[key] = self._prepare(stand_ins, set(replacements))
        found = self._shapes[key]
        if found is None:
            return list(self.build(*args))
        queryset, compiler, sql, params = found
        actual = tuple(_swapped(p, replacements) for p in params)
        # A copy of the compiler that answers with the kept SQL (execute_sql asks
        # as_sql for it), on a copy of the queryset that asks for that compiler.
        runner = _shallow(compiler)
        # This thread's connection: the compiler kept the one it was built on.
        runner.connection = connections[queryset.db]
        runner.as_sql = lambda *a, **k: (sql, actual)  # type: ignore[method-assign]
        query = _shallow(queryset.query)
        query.get_compiler = lambda *a, **k: runner  # type: ignore[method-assign]
        run = _shallow(queryset)
        # `_query`, not `.query =`: its setter would change the iterable class.
        run._query = query  # type: ignore[attr-defined]
        run._result_cache = None
        return list(run)

    def _prepare(self, stand_ins: list[Any], wanted: set[Any]) -> tuple[
            QuerySet[Any], SQLCompiler, str, tuple[Any, ...]] | None:
        queryset = self.build(*stand_ins)
        if queryset._prefetch_related_lookups:  # type: ignore[attr-defined]
            return None
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        found = [p for p in params if isinstance(p, int | str) and p in wanted]
        if sorted(map(str, set(found))) != sorted(map(str, wanted)) or any(
                str(s) in sql for s in wanted):
            return None
        return queryset, compiler, sql, tuple(params)
