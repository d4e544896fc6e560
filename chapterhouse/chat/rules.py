"""Who may do what in chat. Checked through `viewer.can(name, obj)`.

- A room is seen by its members (chapter room: everyone who belongs to the chapter;
  other rooms: the chapter's members who joined or were invited) and, when public,
  by any member of its chapter, who may join it.
- Only a room's members write in it, and invite others (invite-only rooms; a public
  room is joined freely). Nobody joins, leaves or is invited to a chapter's room.
- A message's author edits and deletes it while they are in the room; facilitators
  of the room's chapter (and staff) hide it with a reason.
- Members of a chapter create rooms in it.
Deactivated accounts can do none of this.
"""

from __future__ import annotations

import rules

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.rules import is_active_facilitator
from chapterhouse.lib.interface import Viewer

from . import selectors
from .models import Message, Room


@rules.predicate
def belongs_to_chapter(viewer: Viewer, chapter: Chapter | None) -> bool:
    member = viewer.active_member
    return chapter is not None and member is not None and member.belongs_to(chapter)


@rules.predicate
def in_room_chapter(viewer: Viewer, room: Room | None) -> bool:
    member = viewer.active_member
    return room is not None and member is not None and member.belongs_to(room.chapter)


@rules.predicate
def in_room(viewer: Viewer, room: Room | None) -> bool:
    member = viewer.active_member
    if room is None or member is None:
        return False
    return viewer.recall(("chat.in_room", room.pk),
                         lambda: selectors.is_room_member(member, room))


@rules.predicate
def room_is_public(viewer: Viewer, room: Room | None) -> bool:
    return room is not None and room.access == Room.Access.PUBLIC


@rules.predicate
def is_chapter_room(viewer: Viewer, room: Room | None) -> bool:
    return room is not None and room.is_chapter_room


@rules.predicate
def is_message_author(viewer: Viewer, message: Message | None) -> bool:
    member = viewer.active_member
    return (member is not None and message is not None and message.author_id is not None
            and message.author_id == member.pk)


@rules.predicate
def message_is_shown(viewer: Viewer, message: Message | None) -> bool:
    return message is not None and not message.is_deleted and not message.is_hidden


@rules.predicate
def author_still_in_room(viewer: Viewer, message: Message | None) -> bool:
    return message is not None and in_room(viewer, message.room)


@rules.predicate
def facilitates_room_chapter(viewer: Viewer, room: Room | None) -> bool:
    return room is not None and is_active_facilitator(viewer, room.chapter)


@rules.predicate
def facilitates_message_chapter(viewer: Viewer, message: Message | None) -> bool:
    return message is not None and is_active_facilitator(viewer, message.room.chapter)


rules.add_perm("chat.view_room", in_room | (in_room_chapter & room_is_public))
rules.add_perm("chat.post_in_room", in_room)
rules.add_perm("chat.join_room", in_room_chapter & room_is_public & ~is_chapter_room & ~in_room)
rules.add_perm("chat.leave_room", ~is_chapter_room & in_room)
rules.add_perm("chat.invite_to_room", ~is_chapter_room & in_room)
rules.add_perm("chat.create_room", belongs_to_chapter)
rules.add_perm("chat.edit_message", is_message_author & message_is_shown & author_still_in_room)
rules.add_perm("chat.moderate_room", facilitates_room_chapter | rules.is_staff)
rules.add_perm("chat.hide_message",
               message_is_shown & (facilitates_message_chapter | rules.is_staff))
