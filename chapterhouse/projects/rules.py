"""Who may do what with projects, working groups and caucuses. Checked through
`viewer.can(name, obj)`.

- Anyone may read a chapter's groups, their members, tasks and updates (chapters
  are public to read, as their forums are).
- Active members of a chapter (home at or below it) create groups in it, and join
  its groups: at once where the group is open, by a request where it is approved.
- A group's members add tasks, assign them to members, move them between open,
  doing and done, and post updates; they leave when they like.
- Its coordinators (and the facilitators of its chapter, so that a group whose
  coordinators left is not stranded) edit it, accept or decline requests, and name
  other coordinators.
Deactivated accounts can do none of this.
"""

from __future__ import annotations

import rules

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.rules import is_active_facilitator, section_open_to, section_visible
from chapterhouse.lib.interface import Viewer

from . import selectors
from .models import Group, Membership


def _membership(viewer: Viewer, group: Group) -> Membership | None:
    member = viewer.active_member
    if member is None:
        return None
    return viewer.recall(("projects.membership", group.pk),
                         lambda: selectors.membership_of(member, group))


@rules.predicate
def belongs_to_chapter(viewer: Viewer, chapter: Chapter | None) -> bool:
    member = viewer.active_member
    return chapter is not None and member is not None and member.belongs_to(chapter)


@rules.predicate
def belongs_to_group_chapter(viewer: Viewer, group: Group | None) -> bool:
    return group is not None and belongs_to_chapter(viewer, group.chapter)


@rules.predicate
def in_group(viewer: Viewer, group: Group | None) -> bool:
    if group is None:
        return False
    membership = _membership(viewer, group)
    return membership is not None and not membership.is_pending


@rules.predicate
def asked_to_join(viewer: Viewer, group: Group | None) -> bool:
    if group is None:
        return False
    membership = _membership(viewer, group)
    return membership is not None and membership.is_pending


@rules.predicate
def coordinates(viewer: Viewer, group: Group | None) -> bool:
    if group is None:
        return False
    membership = _membership(viewer, group)
    return membership is not None and membership.is_coordinator


@rules.predicate
def facilitates_group_chapter(viewer: Viewer, group: Group | None) -> bool:
    return (group is not None and viewer.active_member is not None
            and is_active_facilitator(viewer, group.chapter))


# A chapter may keep its projects to its members, or let only facilitators start
# them, by decision (chapters.sections).
rules.add_perm("projects.view_group", section_visible("projects", lambda group: group.chapter))
rules.add_perm("projects.create_group", section_open_to("projects"))
rules.add_perm("projects.join_group",
               belongs_to_group_chapter & ~in_group & ~asked_to_join)
rules.add_perm("projects.leave_group", in_group | asked_to_join)
rules.add_perm("projects.coordinate", coordinates | facilitates_group_chapter)
rules.add_perm("projects.work_on_tasks", in_group)
rules.add_perm("projects.post_update", in_group)
