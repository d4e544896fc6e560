"""Who may do what with a chapter's polls and surveys. Checked through `viewer.can`.

- Polls and surveys are seen by whoever sees the chapter's "polls" section
  (chapters.sections: public by default, or kept to the members).
- The chapter's active members answer while a poll is open (the service refuses a
  second answer); anyone answers a survey by its public link (views.public_survey).
- The section's posters (its members, or its facilitators where the chapter decided
  so) create polls and surveys.
- Results: its author and the chapter's facilitators any time; everyone who sees it
  once it closed; a member who answered right after answering (the view asks).
- Its author or a facilitator of the chapter downloads the answers (CSV) and turns a
  poll into a draft proposal (decisions then checks they belong to the chapter).
- Its author or a facilitator of the chapter closes it before its time (the API).
"""

from __future__ import annotations

import rules

from chapterhouse.chapters.rules import is_active_facilitator, section_open_to, section_visible
from chapterhouse.lib.interface import Viewer

from .models import Poll, PollKind


@rules.predicate
def is_author(viewer: Viewer, poll: Poll | None) -> bool:
    member = viewer.active_member
    return poll is not None and member is not None and poll.author_id == member.pk


@rules.predicate
def facilitates_its_chapter(viewer: Viewer, poll: Poll | None) -> bool:
    return poll is not None and viewer.active_member is not None and bool(
        is_active_facilitator(viewer, poll.chapter))


@rules.predicate
def belongs_to_its_chapter(viewer: Viewer, poll: Poll | None) -> bool:
    member = viewer.active_member
    return poll is not None and member is not None and member.belongs_to(poll.chapter)


@rules.predicate
def is_closed(viewer: Viewer, poll: Poll | None) -> bool:
    return poll is not None and poll.is_closed()


@rules.predicate
def is_poll(viewer: Viewer, poll: Poll | None) -> bool:
    return poll is not None and poll.kind == PollKind.POLL


visible = section_visible("polls", lambda poll: poll.chapter)

rules.add_perm("polls.view_poll", visible)
rules.add_perm("polls.create", section_open_to("polls"))
rules.add_perm("polls.answer", visible & belongs_to_its_chapter & ~is_closed)
rules.add_perm("polls.see_results", visible & (is_author | facilitates_its_chapter | is_closed))
rules.add_perm("polls.export", is_author | facilitates_its_chapter)
rules.add_perm("polls.make_proposal", is_poll & (is_author | facilitates_its_chapter))
rules.add_perm("polls.close", visible & (is_author | facilitates_its_chapter) & ~is_closed)
