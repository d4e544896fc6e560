"""Who may do what to a chapter. Checked through `user.has_perm(name, obj)`.

A facilitator of a chapter is NOT a facilitator of its parent, nor of its
sub-chapters: every rule here looks at roles in the chapter itself.
"""

from __future__ import annotations

import rules

from .models import Chapter, ChapterRole


def _member_of(user):
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "member", None)


@rules.predicate
def is_active_facilitator(user, chapter: Chapter | None) -> bool:
    """The user holds an accepted facilitator role in this very chapter.

    A view that has already loaded the chapter's facilitators may set
    `chapter.active_facilitator_ids` (a set of member pks) to spare the query.
    """
    member = _member_of(user)
    if member is None or chapter is None:
        return False
    known = getattr(chapter, "active_facilitator_ids", None)
    if known is not None:
        return member.pk in known
    return ChapterRole.objects.filter(
        chapter=chapter,
        member=member,
        role=ChapterRole.Role.FACILITATOR,
        accepted_at__isnull=False,
    ).exists()


@rules.predicate
def is_own_role(user, chapter_role: ChapterRole | None) -> bool:
    member = _member_of(user)
    return member is not None and chapter_role is not None and chapter_role.belongs_to(member)


@rules.predicate
def is_pending(user, chapter_role: ChapterRole | None) -> bool:
    return chapter_role is not None and not chapter_role.is_active


rules.add_perm("chapters.edit_chapter", is_active_facilitator | rules.is_staff)
# Accepting is idempotent; declining applies to invitations only (stepping down
# from an active role will be a decision of the chapter).
rules.add_perm("chapters.accept_role", is_own_role)
rules.add_perm("chapters.decline_role", is_own_role & is_pending)
