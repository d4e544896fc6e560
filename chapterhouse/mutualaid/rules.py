"""Who may do what on a mutual-aid board. Checked through `viewer.can(name, obj)`.

- An entry is seen by the members of its chapter (everyone whose home is the chapter
  or below it) and its author; by anyone at all when its author made it visible to
  everyone. A removed entry only by its author and the chapter's facilitators.
- The chapter's active members post on its board (its facilitators only, where the
  chapter decided so); a chapter that keeps the section to its members shows no entry
  to others, whatever its author chose (chapters.sections).
- The author edits, marks fulfilled and deletes their entry (not once removed).
- The chapter's facilitators (of this very chapter, as chapters.rules says) remove
  an entry, with a reason.
- Any active member who sees an open, unexpired entry replies privately, except its
  author.
"""

from __future__ import annotations

import rules

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.rules import is_active_facilitator, section_open_to, section_visible
from chapterhouse.lib.interface import Viewer

from .models import Entry, Status


@rules.predicate
def is_author(viewer: Viewer, entry: Entry | None) -> bool:
    member = viewer.active_member
    return entry is not None and member is not None and entry.author_id == member.pk


@rules.predicate
def facilitates_its_chapter(viewer: Viewer, entry: Entry | None) -> bool:
    return entry is not None and viewer.active_member is not None and bool(
        is_active_facilitator(viewer, entry.chapter))


@rules.predicate
def is_removed(viewer: Viewer, entry: Entry | None) -> bool:
    return entry is not None and entry.status == Status.REMOVED


@rules.predicate
def is_visible_to_everyone(viewer: Viewer, entry: Entry | None) -> bool:
    return entry is not None and entry.visible_to_everyone


@rules.predicate
def belongs_to_its_chapter(viewer: Viewer, entry: Entry | None) -> bool:
    member = viewer.active_member
    return entry is not None and member is not None and member.belongs_to(entry.chapter)


@rules.predicate
def is_on_board(viewer: Viewer, entry: Entry | None) -> bool:
    return entry is not None and entry.is_on_board()


@rules.predicate
def belongs_to_chapter(viewer: Viewer, chapter: Chapter | None) -> bool:
    member = viewer.active_member
    return chapter is not None and member is not None and member.belongs_to(chapter)


@rules.predicate
def is_active_member(viewer: Viewer, obj: object) -> bool:
    return viewer.active_member is not None


rules.add_perm(
    "mutualaid.view_entry",
    is_author | facilitates_its_chapter
    | (~is_removed & section_visible("mutualaid", lambda entry: entry.chapter)
       & (is_visible_to_everyone | belongs_to_its_chapter)),
)
# Where the chapter decided so (chapters.sections), only its facilitators post.
rules.add_perm("mutualaid.post", section_open_to("mutualaid"))
rules.add_perm("mutualaid.edit_entry", is_author & ~is_removed)
rules.add_perm("mutualaid.remove_entry", facilitates_its_chapter & ~is_removed)
rules.add_perm(
    "mutualaid.reply",
    is_active_member & ~is_author & is_on_board
    & (is_visible_to_everyone | belongs_to_its_chapter | facilitates_its_chapter),
)
