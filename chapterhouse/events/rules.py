"""Who may do what with events. Checked through `viewer.can(name, obj)`.

- A public event is seen by anyone; a members-only one by the members who belong to
  its chapter (everyone else gets a 404).
- A chapter's facilitators create events in it; where the chapter allows it
  (EventSettings.members_may_create), every active member who belongs to it too.
- An event's author and its chapter's facilitators edit and cancel it.
- Members who belong to the event's chapter answer it (going, maybe, not going).
- A chapter's facilitators set its event settings.
- An event's author and its chapter's facilitators edit its agenda and write its minutes;
  only the facilitators enter a vote taken there (and the chapter's rule must allow it).
"""

from __future__ import annotations

import rules

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.rules import is_active_facilitator, section_open_to, section_visible
from chapterhouse.lib.interface import Viewer

from .models import Event, EventSettings


def _belongs(viewer: Viewer, chapter: Chapter) -> bool:
    member = viewer.active_member
    return member is not None and member.belongs_to(chapter)


@rules.predicate
def is_active_member(viewer: Viewer, obj: object) -> bool:
    return viewer.active_member is not None


@rules.predicate
def belongs_to_chapter(viewer: Viewer, chapter: Chapter | None) -> bool:
    return chapter is not None and _belongs(viewer, chapter)


@rules.predicate
def members_may_create(viewer: Viewer, chapter: Chapter | None) -> bool:
    if chapter is None:
        return False
    settings = viewer.recall(
        ("event_settings", chapter.pk),
        lambda: EventSettings.objects.filter(chapter=chapter).first())
    return settings is not None and settings.members_may_create


@rules.predicate
def is_public_event(viewer: Viewer, event: Event | None) -> bool:
    return event is not None and event.is_public


@rules.predicate
def belongs_to_events_chapter(viewer: Viewer, event: Event | None) -> bool:
    return event is not None and _belongs(viewer, event.chapter)


@rules.predicate
def is_author(viewer: Viewer, event: Event | None) -> bool:
    member = viewer.active_member
    return event is not None and member is not None and event.author_id == member.pk


@rules.predicate
def facilitates_events_chapter(viewer: Viewer, event: Event | None) -> bool:
    return event is not None and is_active_facilitator(viewer, event.chapter)


# A chapter may turn its events off, keep them to its members, or let only its
# facilitators make them, by decision (chapters.sections).
rules.add_perm("events.view_event",
               section_visible("events", lambda event: event.chapter)
               & (is_public_event | belongs_to_events_chapter))
rules.add_perm(
    "events.create_event",
    is_active_member & section_open_to("events")
    & (is_active_facilitator | (members_may_create & belongs_to_chapter)),
)
rules.add_perm("events.change_event",
               is_active_member & (is_author | facilitates_events_chapter))
rules.add_perm("events.answer", belongs_to_events_chapter)
rules.add_perm("events.set_settings", is_active_member & is_active_facilitator)
rules.add_perm("events.edit_meeting",
               is_active_member & (is_author | facilitates_events_chapter))
rules.add_perm("events.record_meeting_vote", is_active_member & facilitates_events_chapter)
