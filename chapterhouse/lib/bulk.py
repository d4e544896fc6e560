"""Writing many rows at once: COPY on PostgreSQL, one bulk INSERT elsewhere; and
`insert_new_rows`, the same for rows some of which may already be stored.

For the few writers that store thousands to millions of rows in one go: a notice to
every member of a chapter (notifications.tasks), the demo organisation
(chapterhouse.demo) and the benchmark's generator (bench/). Rows are plain dicts of
attname → value, as the services would store them; nothing here decides what a row
holds. On PostgreSQL no model instance is built and nothing goes through the fields'
converters, so values must be plain Python values that the driver adapts (str, int,
float, bool, Decimal, UUID, date, datetime, None; lists and dicts for JSON fields).
Elsewhere the rows become model instances for bulk_create.

Like bulk_create, this calls no save() and sends no signal.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain, islice
from operator import itemgetter
from typing import Any

from django.db import IntegrityError, connection, models, transaction

Row = Mapping[str, Any]


class JsonText(str):
    """A JSON field's value already serialised: written as it is (COPY), or parsed back
    (elsewhere). For generators that build millions of small JSON values as text."""


def uses_copy() -> bool:
    """Whether insert_rows writes by COPY on this connection (PostgreSQL)."""
    return connection.vendor == "postgresql"


def insert_rows(
    model: type[models.Model], rows: Iterable[Row], *, returning_ids: bool = False,
    batch_size: int | None = None,
) -> list[Any]:
    """Store `rows` (attname → value) in `model`'s table: COPY on PostgreSQL, bulk_create
    elsewhere (in batches of `batch_size`; None: one call, as bulk_create splits it).

    Columns a row leaves out get the field's default, as bulk_create gives them (a
    callable default is called per row); the primary key is left to the database unless
    given. With `returning_ids`, returns the primary keys in the order of the rows (on
    PostgreSQL drawn from the table's sequence before the COPY; elsewhere read back from
    bulk_create); else returns [].
    """
    if uses_copy():
        if returning_ids:
            listed = [dict(row) for row in rows]
            pk = model._meta.pk.attname
            missing = [row for row in listed if pk not in row]
            for row, new_id in zip(missing, next_ids(model, len(missing)), strict=True):
                row[pk] = new_id
            copy_into(model, listed)
            return [row[pk] for row in listed]
        copy_into(model, rows)
        return []
    ids: list[Any] = []
    batches = [rows] if batch_size is None else _batched(rows, batch_size)
    for batch in batches:
        created = model._default_manager.bulk_create(
            [model(**_parsed(row)) for row in batch], batch_size=batch_size)
        if returning_ids:
            ids += [obj.pk for obj in created]
    if None in ids:
        raise NotImplementedError(f"{connection.vendor} returns no ids from a bulk insert")
    return ids


def insert_new_rows(
    model: type[models.Model], rows: Sequence[Row], *, unique: Sequence[str]
) -> list[Row]:
    """Store those of `rows` whose values in the columns `unique` (attnames of a unique
    constraint of `model`) match no stored row, and return them, in order. For work that
    may run twice at once (a task taken back from a worker thought dead): whatever the
    interleaving, each row is stored once, and each run returns only what it stored.

    Inside a transaction (the caller's). On PostgreSQL: a COPY, in a savepoint; if a
    row exists (another run stored it, or is storing it: its COPY waits for that run to
    end), the rows go through a temporary table and INSERT … ON CONFLICT DO NOTHING
    RETURNING, which says which were stored. Elsewhere: the keys already stored are
    read, the others inserted in one statement (SQLite; bulk_create(ignore_conflicts=True)
    on any other database). SQLite runs one writer at a time, so nothing comes between
    the read and the write. Values in `unique` compare as the field gives them back (a
    UUID for a UUIDField).
    """
    if not rows:
        return []
    key = itemgetter(*unique) if len(unique) > 1 else lambda row: (row[unique[0]],)
    if uses_copy():
        try:
            with transaction.atomic():
                copy_into(model, rows)
            return list(rows)
        except IntegrityError:
            stored = _copy_skipping_conflicts(model, rows, unique)
    else:
        lookups = {f"{name}__in": {row[name] for row in rows} for name in unique}
        stored = set(model._default_manager.filter(**lookups).values_list(*unique))
        rows = [row for row in rows if tuple(key(row)) not in stored]
        if connection.vendor == "sqlite" and not any(
                isinstance(field, models.BinaryField) for field in model._meta.fields):
            _insert_from_json(model, rows)
        else:
            model._default_manager.bulk_create([model(**_parsed(row)) for row in rows],
                                               ignore_conflicts=True)
        return list(rows)
    return [row for row in rows if tuple(key(row)) in stored]


def _copy_skipping_conflicts(
    model: type[models.Model], rows: Sequence[Row], unique: Sequence[str]
) -> set[tuple[Any, ...]]:
    """COPY `rows` into a temporary table, move them into `model`'s table but those
    that conflict on `unique`; returns the keys stored (PostgreSQL)."""
    meta = model._meta
    quote = connection.ops.quote_name
    given, missing = _columns(model, rows[0])
    columns = ", ".join(quote(field.column) for field in given + missing)
    column = {field.attname: field.column for field in meta.concrete_fields}
    conflict = ", ".join(quote(column[name]) for name in unique)
    staging = quote(f"new_{meta.db_table}_{uuid.uuid4().hex[:8]}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {columns} FROM {quote(meta.db_table)} WITH NO DATA"
        )
        copy_into(model, rows, table=staging)
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
            f"SELECT {columns} FROM {staging} ON CONFLICT ({conflict}) DO NOTHING "
            f"RETURNING {conflict}"
        )
        stored = {tuple(row) for row in cursor.fetchall()}
        cursor.execute(f"DROP TABLE {staging}")
    return stored


def _insert_from_json(model: type[models.Model], rows: Sequence[Row]) -> None:
    """Store `rows` in one INSERT … SELECT over a JSON array of them, skipping those
    that conflict on a unique constraint (SQLite). bulk_create would send one INSERT per
    999 parameters (Django's limit for SQLite), a hundred statements for 20,000 rows of
    five columns; here the statement count is one whatever the rows' number.

    The rows become instances first, as for bulk_create: each field gives its default
    and its value for the database (a datetime or UUID as SQLite stores it, JSON as
    text), so what is stored is what bulk_create would store."""
    if not rows:
        return
    meta = model._meta
    given = _columns(model, rows[0])[0]
    fields = [field for field in meta.concrete_fields
              if not field.primary_key or field in given]
    values = []
    for row in rows:
        obj = model(**_parsed(row))
        values.append([field.get_db_prep_save(field.pre_save(obj, add=True), connection)
                       for field in fields])
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    extract = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(fields)))
    with connection.cursor() as cursor:
        # "WHERE true": SQLite's parser needs it between a SELECT and ON CONFLICT.
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
            f"SELECT {extract} FROM json_each(%s) WHERE true ON CONFLICT DO NOTHING",
            [json.dumps(values, default=str, ensure_ascii=False)],
        )


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys drawn from `model`'s sequence (PostgreSQL), for rows that
    are COPYed with their ids (so other rows can refer to them)."""
    if not count:
        return []
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_into(model: type[models.Model], rows: Iterable[Row], *, table: str = "") -> None:
    """COPY `rows` (attname → value) into `model`'s table (PostgreSQL), or into `table`
    (quoted) with the same columns.

    Every concrete column is written: the value given, else the field's default
    (called per row when it is callable), so a column added later is filled like
    bulk_create would fill it. The first row says which columns are given; the primary
    key is left to the database unless given. Values go to the driver as they are,
    without a round through the fields' converters: they must be plain Python values
    (JSON fields take lists, dicts or JsonText).
    """
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return
    given, missing = _columns(model, first)
    # The given columns first, read with one itemgetter; then the defaults.
    read = itemgetter(*[field.attname for field in given]) if given else None
    as_json = [(i, getattr(field, "encoder", None)) for i, field in enumerate(given)
               if isinstance(field, models.JSONField)]
    defaults = [_default(field) for field in missing]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in given + missing)
    sql = f"COPY {table or quote(model._meta.db_table)} ({columns}) FROM STDIN"
    # Django's errors (IntegrityError…), as for any query, not the driver's own.
    with connection.wrap_database_errors, connection.cursor() as cursor, \
            cursor.cursor.copy(sql) as copy:
        for row in chain([first], iterator):
            values = [] if read is None else list(read(row)) if len(given) > 1 else [read(row)]
            for i, encoder in as_json:
                values[i] = _json(values[i], encoder)
            copy.write_row(values + [default() for default in defaults])


def _columns(model: type[models.Model], first: Row) -> tuple[list[Any], list[Any]]:
    """The fields a row gives, and those left to their defaults (not the primary key)."""
    fields = model._meta.concrete_fields
    given = [field for field in fields if field.attname in first]
    missing = [field for field in fields if field.attname not in first and not field.primary_key]
    return given, missing


def _json(value: Any, encoder: Any) -> Any:
    if value is None or isinstance(value, JsonText):
        return value
    return json.dumps(value, cls=encoder, ensure_ascii=False)


def _default(field: Any) -> Callable[[], Any]:
    """The field's default as a value for the driver (JSON as text), made per row when
    the default is callable (as bulk_create makes it per instance)."""
    encoder = getattr(field, "encoder", None)
    if isinstance(field, models.JSONField):
        if callable(field.default):
            return lambda: _json(field.get_default(), encoder)
        constant = _json(field.get_default(), encoder)
    elif callable(field.default):
        return lambda: field.get_default()
    else:
        constant = field.get_default()
    return lambda: constant


def _parsed(row: Row) -> dict[str, Any]:
    return {key: json.loads(value) if isinstance(value, JsonText) else value
            for key, value in row.items()}


def _batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
