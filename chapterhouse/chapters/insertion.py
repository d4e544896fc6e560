"""Adding one chapter to the tree: the next path, the row and its parent's count of
children in one SQL statement (issue #19), for chapters.services.

treebeard's `add_child` makes three round trips before its INSERT (lock the parent,
read its last child, count the child on the parent), each query built by the ORM anew.
Here one statement does it all, written once per database:

- PostgreSQL: `WITH bump AS (UPDATE parent SET numchild = numchild + 1 … RETURNING
  numchild) … INSERT … SELECT <next path> … ON CONFLICT DO NOTHING`. The next step is
  the last sibling's (MAX(path) in the statement's snapshot) plus one, plus the children
  other transactions added since that snapshot: the UPDATE waits for the parent's row
  lock and returns the count as the last of them committed it, so the difference
  between that count (less our own) and the count in our snapshot is how many they
  added. Concurrent adds under one parent therefore queue on the parent's row and each
  takes the next path, no retry needed.
- SQLite: the same INSERT … SELECT, then the UPDATE. Its writers hold the database's
  lock from BEGIN IMMEDIATE (settings), so nothing can come between them.

When a unique column is taken by a transaction that committed first (the same
neighbourhood or place added at the same moment: url_path, place; or a path, were the
counts off), the INSERT does nothing: the parent's count is put back and `add_child`
returns None, for the caller to look again (it will find the other's chapter) or to
try once more.

The row is built as `Model.save()` would (sort keys from the names, field defaults,
each value prepared by its field) and `pre_save`/`post_save` are sent around the
statement, so what follows a saved chapter (the search index) still follows it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.db import connections, router
from django.db.models.signals import post_save, pre_save
from treebeard.exceptions import PathOverflow

from .models import Chapter, name_fields

# The columns the statement computes; every other concrete column but the id is a
# parameter.
_TREE = ("path", "depth", "numchild")
_STEPS = len(Chapter.alphabet) ** Chapter.steplen  # 1,679,616 children per chapter


def _value_columns() -> list[Any]:
    return [field for field in Chapter._meta.concrete_fields
            if not field.primary_key and field.attname not in _TREE]


def _step_sql(vendor: str, last: str, start: int) -> str:
    """The integer of the step at `start` (1-based) in the path `last` (NULL: 0)."""
    position = "STRPOS" if vendor == "postgresql" else "INSTR"
    digits = [
        f"({position}('{Chapter.alphabet}', SUBSTR({last}, {start + i}, 1)) - 1)"
        f" * {len(Chapter.alphabet) ** (Chapter.steplen - 1 - i)}"
        for i in range(Chapter.steplen)
    ]
    return f"COALESCE({' + '.join(digits)}, 0)"


def _path_sql(step: str) -> str:
    """The step number `step` as STEPLEN characters of the alphabet (`%%`: the
    statement has parameters)."""
    size = len(Chapter.alphabet)
    return " || ".join(
        f"SUBSTR('{Chapter.alphabet}', {step} / {size ** (Chapter.steplen - 1 - i)} %% {size}"
        " + 1, 1)"
        for i in range(Chapter.steplen)
    )


@lru_cache(maxsize=16)
def _statement(vendor: str, parent_depth: int) -> str:
    """The INSERT of a child of a chapter at `parent_depth`. Parameters: (PostgreSQL
    only: the parent's id, twice), the children's depth, low and high path, the parent's
    path, the child's depth, then the value columns; it returns the new id and path
    (PostgreSQL: and the parent's count of children)."""
    quote = connections[router.db_for_write(Chapter)].ops.quote_name
    table = quote(Chapter._meta.db_table)
    value_columns = _value_columns()
    names = ", ".join(quote(column) for column in
                      [*_TREE, *(field.column for field in value_columns)])
    last = _step_sql(vendor, "siblings.last", parent_depth * Chapter.steplen + 1)
    siblings = (f"(SELECT MAX(s.path) AS last FROM {table} s "  # noqa: S608
                "WHERE s.depth = %s AND s.path BETWEEN %s AND %s) AS siblings")
    values = ", ".join(["%s"] * len(value_columns))
    insert = (f"INSERT INTO {table} ({names}) "  # noqa: S608
              f"SELECT %s || {_path_sql('next.step')}, %s, 0, {values} FROM next "
              f"WHERE next.step < {_STEPS} ON CONFLICT DO NOTHING")
    if vendor == "postgresql":
        return (
            f"WITH bump AS (UPDATE {table} SET numchild = numchild + 1 "  # noqa: S608
            "WHERE id = %s RETURNING numchild), "
            f"next AS (SELECT {last} + bump.numchild - parent.numchild AS step "
            f"FROM bump, {table} parent, {siblings} WHERE parent.id = %s), "
            f"added AS ({insert} RETURNING id, path) "
            "SELECT added.id, added.path, bump.numchild FROM added, bump"
        )
    return (f"WITH next AS (SELECT {last} + 1 AS step FROM {siblings}) "  # noqa: S608
            f"{insert} RETURNING id, path")


def add_child(parent: Chapter, fields: dict[str, Any]) -> Chapter | None:
    """A new chapter made of `fields`, added as the last child of `parent` (whose
    path and depth are stored: the tree's nodes never move), or None when a unique
    column was taken meanwhile (nothing written then). `parent.numchild` is updated.
    Runs inside the caller's transaction; raises PathOverflow when `parent` has no
    free step left."""
    using = router.db_for_write(Chapter)
    connection = connections[using]
    chapter = Chapter(**fields)
    chapter.depth, chapter.numchild = parent.depth + 1, 0
    for name, value in name_fields(chapter.name, chapter.names).items():
        setattr(chapter, name, value)
    pre_save.send(sender=Chapter, instance=chapter, raw=False, using=using, update_fields=None)
    values = [field.get_db_prep_save(field.pre_save(chapter, True), connection)
              for field in _value_columns()]
    low, high = Chapter._get_children_path_interval(parent.path)
    tree = [chapter.depth, low, high, parent.path, chapter.depth]
    postgresql = connection.vendor == "postgresql"
    params: list[Any] = [parent.pk, *tree[:3], parent.pk, *tree[3:]] if postgresql else tree
    table = connection.ops.quote_name(Chapter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_statement(connection.vendor, parent.depth), [*params, *values])
        row = cursor.fetchone()
        if row is None:
            if postgresql:  # the count went up in the same statement: put it back
                cursor.execute(f"UPDATE {table} SET numchild = numchild - 1 "  # noqa: S608
                               "WHERE id = %s", [parent.pk])
            if _full(cursor, table, low, high, chapter.depth):
                raise PathOverflow(f"Path Overflow from: '{parent.path}'")
            return None
        if not postgresql:
            cursor.execute(f"UPDATE {table} SET numchild = numchild + 1 "  # noqa: S608
                           "WHERE id = %s RETURNING numchild", [parent.pk])
            row = (*row, cursor.fetchone()[0])
    chapter.pk, chapter.path, parent.numchild = row
    chapter._state.adding, chapter._state.db = False, using
    post_save.send(sender=Chapter, instance=chapter, created=True, update_fields=None,
                   raw=False, using=using)
    return chapter


def _full(cursor: Any, table: str, low: str, high: str, depth: int) -> bool:
    """Whether the last step under a parent is taken (no child can be added)."""
    cursor.execute(f"SELECT MAX(path) FROM {table} WHERE depth = %s "  # noqa: S608
                   "AND path BETWEEN %s AND %s", [depth, low, high])
    return bool(cursor.fetchone()[0] == high)
