"""Replies by email to a chat mention's notice (notifications.replies,
chapterhouse.inbound): an interface like the room page, for a member who answered the
notice's email instead. Fetches with the chat rules, calls the one service (emptiness,
size and mentions are its checks), returns the room's URL."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import Viewer

from . import selectors, services

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


def reply_in_room(member: Member, room_id: uuid.UUID, text: str) -> str:
    """Post `text` as `member`'s message in the room `room_id`; returns the room's URL.
    Refused (lib.errors.Refused, nothing stored) as the room page refuses: the room is
    gone or hidden from them (chat.view_room), they are no longer in it (left it, or
    moved out of its chapter: chat.post_in_room); and as the service does: too long,
    too many mentions."""
    room = selectors.get_room(room_id)
    viewer = Viewer(member.user)
    if room is None or not viewer.can("chat.view_room", room):
        raise Refused(_("The chat room you replied to no longer exists, or you are no "
                        "longer in it."))
    if not viewer.can("chat.post_in_room", room):
        raise Refused(_("You are no longer in this chat room: join it again to write "
                        "in it."))
    services.post_message(room=room, author=member, text=text)
    return room.get_absolute_url() + "#latest"
