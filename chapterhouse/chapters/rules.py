"""Who may do what to a chapter. Checked through `user.has_perm(name, obj)`.

A facilitator of a chapter is NOT a facilitator of its parent, nor of its
sub-chapters: every rule here looks at roles in the chapter itself.
"""

from __future__ import annotations

import rules

from chapterhouse.lib.interface import Viewer

from . import selectors
from .models import Chapter, ChapterRole


@rules.predicate
def is_active_facilitator(viewer: Viewer, chapter: Chapter | None) -> bool:
    """The viewer holds an accepted facilitator role in this very chapter (a page that
    listed the facilitators told the viewer already: selectors.facilitators_of)."""
    return chapter is not None and selectors.facilitates(viewer, chapter)


@rules.predicate
def is_own_role(viewer: Viewer, chapter_role: ChapterRole | None) -> bool:
    member = viewer.member
    return member is not None and chapter_role is not None and chapter_role.belongs_to(member)


@rules.predicate
def is_pending(viewer: Viewer, chapter_role: ChapterRole | None) -> bool:
    return chapter_role is not None and not chapter_role.is_active


rules.add_perm("chapters.edit_chapter", is_active_facilitator | rules.is_staff)
# Accepting is idempotent; declining applies to invitations only (stepping down
# from an active role will be a decision of the chapter).
rules.add_perm("chapters.accept_role", is_own_role)
rules.add_perm("chapters.decline_role", is_own_role & is_pending)
