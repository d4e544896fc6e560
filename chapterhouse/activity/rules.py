"""Who may follow what (django-rules predicates taking a Viewer)."""

from __future__ import annotations

from typing import Any

import rules

from chapterhouse.lib.interface import Viewer


@rules.predicate
def is_active_member(viewer: Viewer, obj: Any) -> bool:
    return viewer.active_member is not None


@rules.predicate
def belongs_to_chapter(viewer: Viewer, chapter: Any) -> bool:
    member = viewer.active_member
    return chapter is not None and member is not None and member.belongs_to(chapter)


@rules.predicate
def sees_group(viewer: Viewer, group: Any) -> bool:
    return group is not None and viewer.can("projects.view_group", group)


@rules.predicate
def is_own_follow(viewer: Viewer, follow: Any) -> bool:
    member = viewer.active_member
    return follow is not None and member is not None and follow.member_id == member.pk


# A member's own chapters are in their feed already: they follow the others.
rules.add_perm("activity.follow_chapter", is_active_member & ~belongs_to_chapter)
rules.add_perm("activity.follow_group", is_active_member & sees_group)
rules.add_perm("activity.unfollow", is_own_follow)
