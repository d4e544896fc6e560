"""Who may do what to a chapter. Checked through `user.has_perm(name, obj)`.

A facilitator of a chapter is NOT a facilitator of its parent, nor of its
sub-chapters: every rule here looks at roles in the chapter itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules

from chapterhouse.lib.interface import Viewer

from . import sections, selectors
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


def _belongs(viewer: Viewer, chapter: Chapter) -> bool:
    member = viewer.active_member
    return member is not None and member.belongs_to(chapter)


def section_visible(key: str, chapter_of: Callable[[Any], Chapter] = lambda obj: obj,
                    ) -> rules.Predicate:
    """A predicate: the chapter (of the object) shows its section `key` to the viewer
    (chapters.sections: not turned off; public, or the viewer belongs)."""
    def visible(viewer: Viewer, obj: Any) -> bool:
        if obj is None:
            return False
        chapter = chapter_of(obj)
        return sections.may_view(chapter, key, belongs=_belongs(viewer, chapter))

    return rules.predicate(visible, name=f"section_visible:{key}")


def section_open_to(key: str, chapter_of: Callable[[Any], Chapter] = lambda obj: obj,
                    ) -> rules.Predicate:
    """A predicate: the viewer may add content to the chapter's section `key`
    (shown, they belong, and members post or they facilitate)."""
    def open_to(viewer: Viewer, obj: Any) -> bool:
        if obj is None:
            return False
        return may_add_to_section(viewer, chapter_of(obj), key)

    return rules.predicate(open_to, name=f"section_open_to:{key}")


def may_add_to_section(viewer: Viewer, chapter: Chapter, key: str) -> bool:
    """The section is shown, the viewer belongs to the chapter, and the chapter lets
    them post there: every member, or only its facilitators, or the members of one
    working group and the facilitators (chapters.sections)."""
    found = sections.setting(chapter, key)
    if not found.shown or not _belongs(viewer, chapter):
        return False
    if found.posting == sections.Posting.MEMBERS:
        return True
    # The facilitators (and the group) are looked up only where posting is restricted.
    if selectors.facilitates(viewer, chapter):
        return True
    directory = sections.groups()
    return (found.posting == sections.Posting.GROUP and directory is not None
            and viewer.active_member is not None
            and directory.has_member(found.group, viewer.active_member))


rules.add_perm("chapters.edit_chapter", is_active_facilitator | rules.is_staff)
# Accepting is idempotent; declining applies to invitations only (stepping down
# from an active role will be a decision of the chapter).
rules.add_perm("chapters.accept_role", is_own_role)
rules.add_perm("chapters.decline_role", is_own_role & is_pending)
