"""Who may do what with a chapter's library and its lessons. Checked through
`viewer.can(name, obj)`.

- A public resource is seen by anyone; a members-only one by the chapter's members
  (home at or below the chapter), its facilitators and staff. Anyone else gets a 404.
- The chapter's active members add resources and write lessons; its facilitators
  (and staff) remove resources, giving a reason.
- Lessons are shared with every chapter: anyone reads them. "This helped us" comes
  from active members of other chapters only (not from the lesson's own chapter nor
  from a chapter below it); comments from any active member of the organisation.
"""

from __future__ import annotations

import rules

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.rules import is_active_facilitator, section_open_to, section_visible
from chapterhouse.lib.interface import Viewer

from .models import Lesson, Resource, Visibility


def _belongs(viewer: Viewer, chapter: Chapter | None) -> bool:
    member = viewer.active_member
    return chapter is not None and member is not None and member.belongs_to(chapter)


@rules.predicate
def belongs_to_chapter(viewer: Viewer, chapter: Chapter | None) -> bool:
    return _belongs(viewer, chapter)


@rules.predicate
def is_public(viewer: Viewer, resource: Resource | None) -> bool:
    return resource is not None and resource.visibility == Visibility.PUBLIC


@rules.predicate
def facilitates_resource_chapter(viewer: Viewer, resource: Resource | None) -> bool:
    return resource is not None and is_active_facilitator(viewer, resource.chapter)


@rules.predicate
def is_active_member(viewer: Viewer, obj: object) -> bool:
    return viewer.active_member is not None


@rules.predicate
def is_outside_lesson_chapter(viewer: Viewer, lesson: Lesson | None) -> bool:
    return lesson is not None and not _belongs(viewer, lesson.chapter)


# A chapter's members-only resources: asked of the chapter, once for a whole list.
sees_members_only = belongs_to_chapter | is_active_facilitator | rules.is_staff


@rules.predicate
def sees_members_only_of(viewer: Viewer, resource: Resource | None) -> bool:
    return resource is not None and sees_members_only.test(viewer, resource.chapter)


rules.add_perm("resources.view_members_only", sees_members_only)
# A chapter may keep its library to its members, or let only its facilitators add to
# it, by decision (chapters.sections). Lessons are shared with every chapter.
rules.add_perm("resources.view_resource",
               section_visible("resources", lambda resource: resource.chapter)
               & (is_public | sees_members_only_of))
rules.add_perm("resources.add_resource", section_open_to("resources"))
rules.add_perm("resources.remove_resource",
               is_active_member & (facilitates_resource_chapter | rules.is_staff))
rules.add_perm("resources.view_lesson", rules.always_allow)
rules.add_perm("resources.write_lesson", belongs_to_chapter)
rules.add_perm("resources.mark_helpful", is_active_member & is_outside_lesson_chapter)
rules.add_perm("resources.comment_lesson", is_active_member)
