"""Who may announce in a chapter. Checked through `viewer.can(name, chapter)`.

- Anyone may read announcements (chapters are public to read, as their forums are).
- A chapter's facilitators announce in it (a facilitator of a chapter only: not of
  its parent nor of its sub-chapters, as chapters.rules says).
- Where the chapter's facilitators allow it (`Chapter.members_may_announce`), every
  active member who belongs to the chapter announces too.
- An announcement is edited and withdrawn by its author (while their account is
  active) and by the facilitators of its chapter; once withdrawn, by nobody.
"""

from __future__ import annotations

import rules

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.rules import is_active_facilitator
from chapterhouse.lib.interface import Viewer

from .models import Announcement


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


@rules.predicate
def is_author(viewer: Viewer, announcement: Announcement | None) -> bool:
    member = viewer.active_member
    return (announcement is not None and member is not None
            and announcement.author_id == member.pk)


@rules.predicate
def facilitates_its_chapter(viewer: Viewer, announcement: Announcement | None) -> bool:
    return announcement is not None and viewer.active_member is not None \
        and is_active_facilitator(viewer, announcement.chapter)


@rules.predicate
def is_shown(viewer: Viewer, announcement: Announcement | None) -> bool:
    return announcement is not None and not announcement.is_withdrawn


rules.add_perm("announcements.edit_announcement",
               is_shown & (is_author | facilitates_its_chapter))
rules.add_perm("announcements.withdraw_announcement",
               is_shown & (is_author | facilitates_its_chapter))
