"""Replies by email to a private message's notice (notifications.replies,
chapterhouse.inbound): an interface like the conversation page, for a member who
answered the notice's email instead. Fetches with the conversations rules, calls the
one service (blocks, size and emptiness are its checks), returns where the reply is."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import Viewer

from . import selectors, services

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


def reply_in_conversation(member: Member, conversation_id: uuid.UUID, text: str) -> str:
    """Post `text` as `member`'s message in the conversation `conversation_id`; returns
    the conversation's URL. Refused (lib.errors.Refused, nothing stored) as the page
    refuses: the conversation is gone or the member does not take part in it
    (conversations.post_message); and as the service does: a participant blocked
    them, the message is too long."""
    conversation = selectors.get_conversation(conversation_id)
    viewer = Viewer(member.user)
    if conversation is None or not viewer.can("conversations.view_conversation",
                                              conversation):
        raise Refused(_("The conversation you replied to no longer exists."))
    if not viewer.can("conversations.post_message", conversation):
        raise Refused(_("You can no longer write in this conversation."))
    services.post_message(conversation=conversation, author=member, body=text)
    return conversation.get_absolute_url()
