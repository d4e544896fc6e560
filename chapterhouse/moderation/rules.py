"""Who moderates what. Checked through `viewer.can(name, obj)`.

- Any active member reports content registered with lib.reportables (not their own).
- A chapter's moderation queue is its facilitators' (and staff's).
- Content is hidden, restored, or its reports dismissed, by the facilitators of its
  chapter or of a chapter above it (those above see a report in their queue once it
  waited the chapter's time), and by staff. Content of no chapter: staff alone.
- The author of hidden content appeals once, while it is hidden.
- An appeal is decided by the facilitators of the parent chapter of the content's
  chapter (staff at the top), never by the one who hid it.
- The public moderation log is anyone's to read.
"""

from __future__ import annotations

from typing import Any

import rules

from chapterhouse.chapters.models import Chapter, ChapterRole
from chapterhouse.chapters.rules import is_active_facilitator
from chapterhouse.lib import reportables
from chapterhouse.lib.interface import Viewer

from .models import Appeal, Hidden


def facilitates_at_or_above(viewer: Viewer, chapter: Chapter | None) -> bool:
    """The viewer facilitates `chapter` or one of its ancestors (one query, remembered
    for the request)."""
    member = viewer.active_member
    if member is None or chapter is None:
        return False
    return viewer.recall(("facilitates_at_or_above", chapter.pk), lambda: (
        ChapterRole.objects.active().filter(
            member=member, role=ChapterRole.Role.FACILITATOR,
            chapter__path__in=chapter.ancestor_paths(),
        ).exists()
    ))


@rules.predicate
def is_staff(viewer: Viewer, obj: Any = None) -> bool:
    return viewer.active_member is not None and viewer.is_staff


@rules.predicate
def may_report(viewer: Viewer, obj: Any) -> bool:
    member = viewer.active_member
    if member is None or obj is None:
        return False
    reportable = reportables.get(obj._meta.label_lower)
    if reportable is None:
        return False
    author = reportable.author_of(obj)
    return author is None or author.pk != member.pk


@rules.predicate
def moderates_content(viewer: Viewer, obj: Any) -> bool:
    if obj is None:
        return False
    reportable = reportables.get(obj._meta.label_lower)
    if reportable is None:
        return False
    return facilitates_at_or_above(viewer, reportable.chapter_of(obj))


@rules.predicate
def may_appeal(viewer: Viewer, hidden: Hidden | None) -> bool:
    member = viewer.active_member
    if member is None or hidden is None or not hidden.is_current:
        return False
    return hidden.author_id == member.pk and not Appeal.objects.filter(hidden=hidden).exists()


@rules.predicate
def decides_appeal(viewer: Viewer, appeal: Appeal | None) -> bool:
    member = viewer.active_member
    if member is None or appeal is None or appeal.decided_at is not None:
        return False
    if appeal.hidden.hidden_by_id == member.pk:
        return False
    return viewer.is_staff or (appeal.chapter is not None
                               and is_active_facilitator(viewer, appeal.chapter))


rules.add_perm("moderation.report", may_report)
rules.add_perm("moderation.view_queue", is_active_facilitator | is_staff)
rules.add_perm("moderation.moderate", moderates_content | is_staff)
rules.add_perm("moderation.appeal", may_appeal)
rules.add_perm("moderation.decide_appeal", decides_appeal)
rules.add_perm("moderation.view_log", rules.always_allow)
