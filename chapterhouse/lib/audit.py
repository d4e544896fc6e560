"""The one way to write the governance audit log (STYLE rule 24).

Ballots, role changes, rule changes and moderation call `record` inside the
transaction of the action itself, so an action and its entry commit together.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import models

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

    if not _ACTION.fullmatch(action):
        raise ValueError(f"Audit actions look like 'area.verb', not {action!r}")
    if target.pk is None:
        raise ValueError("Record an audit entry for a saved object (before deleting it).")
    meta = target._meta
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=f"{meta.app_label}.{meta.object_name}",
        target_id=str(target.pk),
        chapter=chapter,
        data=data or {},
    )
