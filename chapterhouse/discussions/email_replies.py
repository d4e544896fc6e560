"""Replies by email to a forum post (notifications.replies, chapterhouse.inbound): an
interface like a view, for a member who answered a notice's email instead of the page.
Fetches with the discussions rules, calls the one service, returns where the reply is."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chapterhouse.lib.errors import Refused
from chapterhouse.lib.interface import Viewer

from . import selectors, services

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


def reply_to_post(member: Member, post_id: uuid.UUID, text: str) -> str:
    """Post `text` as `member`'s reply to the post `post_id` (answering it, quoting
    nothing); returns the new post's URL. Refused (lib.errors.Refused, nothing stored)
    as the reply page refuses: the post or thread is gone, the thread is locked, the
    member may not post there (discussions.post_in_thread); and as the service does:
    too long, too many mentions."""
    post = selectors.get_post(post_id)
    viewer = Viewer(member.user)
    if post is None or not viewer.can("discussions.view_thread", post.thread):
        raise Refused(_("The post you replied to no longer exists."))
    thread = post.thread
    if not viewer.can("discussions.post_in_thread", thread):
        if thread.is_locked:
            raise Refused(_("This thread is locked: no new posts."))
        raise Refused(_("Only members of this chapter can post here."))
    try:
        new = services.reply(thread=thread, author=member, body=text, reply_to=post)
    except ValidationError as invalid:
        raise Refused(" ".join(invalid.messages)) from None
    return new.get_absolute_url()
