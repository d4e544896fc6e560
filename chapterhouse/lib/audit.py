"""The one way to write the governance audit log (STYLE rule 24).

Ballots, role changes, rule changes and moderation call `record` inside the
transaction of the action itself, so an action and its entry commit together.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import connection, models
from django.utils import timezone

if TYPE_CHECKING:
    from chapterhouse.audit.models import AuditEntry
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member

# "<area>.<verb>", e.g. "roles.grant", "chapters.update_description".
_ACTION = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


def record(
    *,
    actor: Member | None,
    action: str,
    target: models.Model,
    chapter: Chapter | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry: `actor` (None: the system or an administrator) did `action`
    to `target`, in `chapter`, with details `data` (JSON-serialisable).

    The target is stored as "app_label.ModelName" and its primary key, so the
    entry survives the target's deletion; call this before deleting it.
    """
    from chapterhouse.audit.models import AuditEntry

    _check(action, target)
    meta = target._meta
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=f"{meta.app_label}.{meta.object_name}",
        target_id=str(target.pk),
        chapter=chapter,
        data=data or {},
    )


def record_sql(
    *, actor: Member | None, action: str, target: models.Model, data: str, source: str
) -> tuple[str, list[Any]]:
    """`record` as SQL, for a service that writes its action and the entry in one
    statement (a data-modifying CTE on PostgreSQL): (sql, params) of an INSERT of the
    entry `record` would write, once per row of `source` (a CTE's name), with `data`
    an SQL expression of a JSON object over that row's columns. No chapter."""
    from chapterhouse.audit.models import AuditEntry

    _check(action, target)
    meta = target._meta
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    sql = (
        f"INSERT INTO {table} "  # noqa: S608 - the model's table, the caller's SQL
        f"(actor_id, action, target_type, target_id, chapter_id, data, created_at) "
        f"SELECT %s, %s, %s, %s, NULL, {data}, %s FROM {source}"
    )
    return sql, [None if actor is None else actor.pk, action,
                 f"{meta.app_label}.{meta.object_name}", str(target.pk), timezone.now()]


def _check(action: str, target: models.Model) -> None:
    if not _ACTION.fullmatch(action):
        raise ValueError(f"Audit actions look like 'area.verb', not {action!r}")
    if target.pk is None:
        raise ValueError("Record an audit entry for a saved object (before deleting it).")
