"""Who may announce in a chapter. Checked through `viewer.can(name, chapter)`.

- Anyone may read announcements (chapters are public to read, as their forums are).
- A chapter's facilitators announce in it (a facilitator of a chapter only: not of
  its parent nor of its sub-chapters, as chapters.rules says).
- Where the chapter's facilitators allow it (`Chapter.members_may_announce`), every
  active member who belongs to the chapter announces too.
"""

from __future__ import annotations

import rules

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.rules import is_active_facilitator
from chapterhouse.lib.interface import Viewer


@rules.predicate
def members_may_announce(viewer: Viewer, chapter: Chapter | None) -> bool:
    return chapter is not None and chapter.members_may_announce


@rules.predicate
def belongs_to_chapter(viewer: Viewer, chapter: Chapter | None) -> bool:
    member = viewer.active_member
    return chapter is not None and member is not None and member.belongs_to(chapter)


@rules.predicate
def is_active_member(viewer: Viewer, chapter: Chapter | None) -> bool:
    return viewer.active_member is not None


rules.add_perm("announcements.view_announcement", rules.always_allow)
rules.add_perm(
    "announcements.announce",
    is_active_member & (is_active_facilitator | (members_may_announce & belongs_to_chapter)),
)
