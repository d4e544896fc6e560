"""Writes to chat: rooms, their membership, messages and read marks.

Every function is keyword-only, runs in one transaction and returns the object. A
refusal (empty or oversized text, a member from another chapter, a deleted message)
raises `Refused` with nothing stored. Who may act is the callers' check (`chat.*`
rules, through access.py); what is true whoever calls is checked here.

A message is stored before anyone hears of it: the broadcast to the room's open
sockets (channel-layer group `room.group`) happens after the commit, and carries the
stored message (its id is what a reconnecting client resumes from).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.discussions import markup
from chapterhouse.discussions.services import MAX_MENTIONS
from chapterhouse.lib.errors import Refused
from chapterhouse.lib.realtime import broadcast
from chapterhouse.lib.text import without_bidi_controls
from chapterhouse.notifications import replies
from chapterhouse.notifications.messages import place
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify

from . import selectors
from .models import (
    DESCRIPTION_MAX_LENGTH,
    HIDE_REASON_MAX_LENGTH,
    NAME_MAX_LENGTH,
    ChatMention,
    Message,
    Room,
    RoomMember,
    RoomRead,
)

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member


def max_length() -> int:
    return int(settings.CHAT_MESSAGE_MAX_LENGTH)


def clean_text(raw: Any) -> str:
    """The message as stored; Refused when empty, too long or mentioning too many."""
    if not isinstance(raw, str):
        raise Refused(_("A message must be text."))
    text: str = without_bidi_controls(raw).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise Refused(_("Write a message."))
    limit = max_length()
    if len(text) > limit:
        raise Refused(
            _("A message can be at most %(limit)s characters long (this one has %(length)s).")
            % {"limit": f"{limit:,}", "length": f"{len(text):,}"}
        )
    if len(markup.mentioned_ids(text)) > MAX_MENTIONS:
        raise Refused(_("You can mention at most %(limit)s members in one message.")
                      % {"limit": MAX_MENTIONS})
    return text


def _push(room: Room, event: dict[str, Any]) -> None:
    """Tell the room's open sockets after the commit (never if it rolls back)."""
    transaction.on_commit(lambda: broadcast(room.group, event))


def _push_message(message: Message, kind: str = "chat.message") -> None:
    transaction.on_commit(
        lambda: broadcast(message.room.group, {"type": kind,
                                               "message": selectors.payload(message)})
    )


# -- Rooms ---------------------------------------------------------------------------


def chapter_room(*, chapter: Chapter) -> Room:
    """The chapter's own room, made the first time it is asked for (safe when two
    requests ask at once: the unique constraint keeps one)."""
    room = Room.objects.select_related("chapter").filter(chapter=chapter,
                                                         is_chapter_room=True).first()
    if room is not None:
        return room
    try:
        with transaction.atomic():
            room = Room.objects.create(chapter=chapter, name=chapter.display_name(),
                                       is_chapter_room=True)
    except IntegrityError:
        return Room.objects.select_related("chapter").get(chapter=chapter, is_chapter_room=True)
    return room


def open_chapter_rooms(*, member: Member, chapter_ids: list[int]) -> None:
    """Make the rooms of the member's chapters that do not exist yet (one query when
    they all do, one INSERT more otherwise)."""
    from chapterhouse.chapters.models import Chapter

    missing = list(Chapter.objects.filter(pk__in=chapter_ids)
                   .exclude(chat_rooms__is_chapter_room=True))
    if not missing:
        return
    with transaction.atomic():
        Room.objects.bulk_create(
            [Room(chapter=chapter, name=chapter.display_name(), is_chapter_room=True)
             for chapter in missing],
            ignore_conflicts=True,
        )


def create_room(*, chapter: Chapter, creator: Member, name: str, description: str = "",
                access: str = Room.Access.PUBLIC) -> Room:
    """A new room in `chapter`, its creator its first member."""
    name = " ".join(without_bidi_controls(name or "").split())
    description = " ".join(without_bidi_controls(description or "").split())
    if not name:
        raise Refused(_("Give the room a name."))
    if len(name) > NAME_MAX_LENGTH:
        raise Refused(_("A room's name can be at most %(limit)s characters long.")
                      % {"limit": NAME_MAX_LENGTH})
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise Refused(_("A room's description can be at most %(limit)s characters long.")
                      % {"limit": DESCRIPTION_MAX_LENGTH})
    if access not in Room.Access.values:
        raise Refused(_("Choose whether the room is public or invite only."))
    if not creator.belongs_to(chapter):
        raise Refused(_("You can only make rooms in your own chapters."))
    with transaction.atomic():
        room = Room.objects.create(chapter=chapter, name=name, description=description,
                                   access=access, created_by=creator)
        RoomMember.objects.create(room=room, member=creator)
    return room


def join_room(*, room: Room, member: Member) -> RoomMember:
    if room.is_chapter_room:
        raise Refused(_("Everyone in the chapter is in its room already."))
    if room.access != Room.Access.PUBLIC:
        raise Refused(_("This room is invite only."))
    if not member.belongs_to(room.chapter):
        raise Refused(_("Only members of the room's chapter can join it."))
    with transaction.atomic():
        row, _created = RoomMember.objects.get_or_create(room=room, member=member)
    return row


def invite_to_room(*, room: Room, inviter: Member, member: Member) -> RoomMember:
    if room.is_chapter_room:
        raise Refused(_("Everyone in the chapter is in its room already."))
    if not member.belongs_to(room.chapter) or not member.user.is_active:
        raise Refused(_("Only members of the room's chapter can be invited."))
    with transaction.atomic():
        row, created = RoomMember.objects.get_or_create(
            room=room, member=member, defaults={"invited_by": inviter})
        if not created:
            raise Refused(_("%(name)s is in the room already.") % {"name": member.display_name})
    return row


def leave_room(*, room: Room, member: Member) -> Room:
    """The member leaves; their open sockets on the room are closed."""
    if room.is_chapter_room:
        raise Refused(_("You cannot leave your chapter's room."))
    with transaction.atomic():
        deleted, _rows = RoomMember.objects.filter(room=room, member=member).delete()
        if not deleted:
            raise Refused(_("You are not in this room."))
        _push(room, {"type": "chat.left", "member": member.pk})
    return room


# -- Messages ------------------------------------------------------------------------


def post_message(*, room: Room, author: Member, text: Any) -> Message:
    """Store a message, record and notify the members it mentions who are in the room,
    then (after the commit) send it to the room's open sockets."""
    body = clean_text(text)
    with transaction.atomic():
        message = Message.objects.create(room=room, author=author, body=body)
        _mention(message, author, new_only=False)
        _advance(member=author, room=room, message_id=message.pk)
        _push_message(message)
    return message


def _mention(message: Message, author: Member, *, new_only: bool) -> None:
    from chapterhouse.members.models import Member

    public_ids = markup.mentioned_ids(message.body)
    if not public_ids:
        return
    candidates = [member for member in Member.objects.filter(
        public_id__in=public_ids, user__is_active=True).select_related("home_chapter")
        if member.pk != author.pk]
    room = message.room
    if not room.is_chapter_room:
        inside = set(RoomMember.objects.filter(room=room, member__in=candidates)
                     .values_list("member_id", flat=True))
        candidates = [member for member in candidates if member.pk in inside]
    else:
        candidates = [member for member in candidates if member.belongs_to(room.chapter)]
    already: set[int] = set()
    if new_only:
        already = set(ChatMention.objects.filter(message=message)
                      .values_list("member_id", flat=True))
    fresh = [member for member in candidates if member.pk not in already]
    if not fresh:
        return
    ChatMention.objects.bulk_create(
        [ChatMention(message=message, member=member) for member in fresh], ignore_conflicts=True)
    notify(
        recipients=fresh, kind=Kind.CHAT_MENTION, message="chat.mention",
        # Its email can be answered: the reply goes to this room (email_replies.py).
        params={"author": author.display_name, "room": room.name,
                "chapter": place(room.chapter),
                replies.PARAM: replies.reply_param("chat", room.public_id)},
        url=room.get_absolute_url(), event=f"chat.message:{message.public_id}",
    )


def edit_message(*, message: Message, editor: Member, text: Any) -> Message:
    """The author changes their message; members it newly mentions are told."""
    if message.author_id != editor.pk:
        raise Refused(_("Only its author can edit a message."))
    if message.is_deleted or message.is_hidden:
        raise Refused(_("This message can no longer be edited."))
    body = clean_text(text)
    with transaction.atomic():
        message.body = body
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "edited_at"])
        _mention(message, editor, new_only=True)
        _push_message(message, "chat.update")
    return message


def delete_message(*, message: Message, member: Member) -> Message:
    """The author deletes their message: its text goes, its place stays."""
    if message.author_id != member.pk:
        raise Refused(_("Only its author can delete a message."))
    if message.is_deleted:
        raise Refused(_("This message is deleted already."))
    with transaction.atomic():
        message.body = ""
        message.deleted_at = timezone.now()
        message.save(update_fields=["body", "deleted_at"])
        ChatMention.objects.filter(message=message).delete()
        _push_message(message, "chat.update")
    return message


def hide_message(*, message: Message, facilitator: Member, reason: str) -> Message:
    """A facilitator hides a message; the reason is shown in its place."""
    reason = " ".join(without_bidi_controls(reason or "").split())
    if not reason:
        raise Refused(_("Say why the message is hidden."))
    if len(reason) > HIDE_REASON_MAX_LENGTH:
        raise Refused(_("A reason can be at most %(limit)s characters long.")
                      % {"limit": HIDE_REASON_MAX_LENGTH})
    if message.is_deleted or message.is_hidden:
        raise Refused(_("This message is not shown already."))
    with transaction.atomic():
        message.hidden_at = timezone.now()
        message.hidden_by = facilitator
        message.hidden_reason = reason
        message.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        _push_message(message, "chat.update")
    return message


def remove_writing_of(member: Member) -> int:
    """Remove the text of `member`'s chat messages, as they delete their account
    (members.account_data; members.services.delete_account calls it inside its
    transaction, whatever the member chose about their forum posts). Each message keeps
    its place in its room, shown as deleted by its author (as `delete_message` leaves
    it: the room's numbering and the others' read marks stay); the mentions it made go.
    Not pushed to open sockets: their pages show it at the next load. Returns how many
    messages it emptied."""
    with transaction.atomic():
        mine = Message.objects.filter(author=member)
        ChatMention.objects.filter(message__in=mine).delete()
        Message.objects.filter(author=member, deleted_at__isnull=True).update(
            deleted_at=timezone.now())
        return mine.exclude(body="").update(body="")


def _advance(*, member: Member, room: Room, message_id: int) -> None:
    updated = RoomRead.objects.filter(member=member, room=room,
                                      last_read_message_id__lt=message_id).update(
        last_read_message_id=message_id, updated_at=timezone.now())
    if not updated:
        RoomRead.objects.bulk_create(
            [RoomRead(member=member, room=room, last_read_message_id=message_id)],
            ignore_conflicts=True,
        )


def mark_read(*, member: Member, room: Room, message_id: int) -> None:
    """Record that `member` read `room` up to the message `message_id`. Only moves
    forward; each statement is atomic alone and any order of them leaves the highest."""
    _advance(member=member, room=room, message_id=message_id)
