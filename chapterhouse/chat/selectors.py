"""Reads of chat rooms and messages, and what a message looks like on a socket.

`rooms_of(member)` is one query (with the unread counts) whatever the number of rooms;
a page of history is one query for the messages and one for the members they mention.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter
from chapterhouse.discussions import markup

from .models import Message, Room, RoomMember, RoomRead

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

HISTORY_PAGE = 50
RESUME_LIMIT = 500


def get_room(public_id: uuid.UUID) -> Room | None:
    return Room.objects.select_related("chapter").filter(public_id=public_id).first()


def get_room_by_pk(pk: int) -> Room | None:
    return Room.objects.select_related("chapter").filter(pk=pk).first()


def get_message(room: Room, public_id: uuid.UUID) -> Message | None:
    message = (Message.objects.select_related("author", "hidden_by")
               .filter(room=room, public_id=public_id).first())
    if message is not None:
        message.room = room
    return message


def chapter_ids_of(member: Member) -> list[int]:
    """The member's home chapter and its ancestors (every chapter they belong to)."""
    return list(Chapter.objects.containing(member.home_chapter).values_list("pk", flat=True))


def is_room_member(member: Member, room: Room) -> bool:
    """Whether `member` is in `room`: for a chapter's room, belonging to the chapter;
    for any other, belonging to the chapter and having joined or been invited."""
    if not member.belongs_to(room.chapter):
        return False
    if room.is_chapter_room:
        return True
    return RoomMember.objects.filter(room=room, member=member).exists()


def _unread(member: Member) -> Any:
    read = RoomRead.objects.filter(room=OuterRef("pk"), member=member).values(
        "last_read_message_id")[:1]
    return Count(
        "messages",
        filter=Q(messages__id__gt=Coalesce(Subquery(read), Value(0),
                                           output_field=IntegerField()),
                 messages__deleted_at__isnull=True)
        & ~Q(messages__author=member),
    )


def rooms_of(member: Member, chapter_ids: Iterable[int] | None = None) -> QuerySet[Room]:
    """The rooms `member` is in, chapter rooms first (the widest chapter first), each
    with `unread`: messages by others after the last one they read (one query)."""
    chapters = list(chapter_ids) if chapter_ids is not None else chapter_ids_of(member)
    joined = RoomMember.objects.filter(member=member).values("room_id")
    return (
        Room.objects.filter(
            Q(is_chapter_room=True, chapter_id__in=chapters)
            | Q(pk__in=joined, chapter_id__in=chapters)
        )
        .select_related("chapter")
        .annotate(unread=_unread(member))
        .order_by("-is_chapter_room", "chapter__depth", "name", "pk")
    )


def joinable_rooms(member: Member, chapter_ids: Iterable[int]) -> QuerySet[Room]:
    """Public rooms in the member's chapters that they have not joined (one query)."""
    joined = RoomMember.objects.filter(member=member).values("room_id")
    return (
        Room.objects.filter(chapter_id__in=list(chapter_ids), is_chapter_room=False,
                            access=Room.Access.PUBLIC)
        .exclude(pk__in=joined)
        .select_related("chapter")
        .order_by("chapter__depth", "name", "pk")
    )


def room_members(room: Room, *, limit: int = 100) -> list[Member]:
    """The members of a room other than a chapter's (those who joined or were invited)."""
    from chapterhouse.members.models import Member

    return list(Member.objects.filter(pk__in=RoomMember.objects.filter(room=room)
                                      .values("member_id"))
                .order_by("display_name", "pk")[:limit])


ONLINE_SHOWN = 50


def online_in(room: Room, *, limit: int = ONLINE_SHOWN) -> tuple[list[Member], bool]:
    """The room's members online now who show their presence (members.online), by
    name, at most `limit`, and whether there are more. A chapter's room shows only
    those listed in its member list (a member who is not listed is not revealed as
    one here either). One query, whatever the room's size."""
    from chapterhouse.members.models import Member

    members = Member.objects.active().belonging_to(room.chapter).online()
    if room.is_chapter_room:
        members = members.filter(listed_in_directory=True)
    else:
        members = members.filter(pk__in=RoomMember.objects.filter(room=room)
                                 .values("member_id"))
    found = list(members.order_by("sort_name", "pk")[:limit + 1])
    return found[:limit], len(found) > limit


def history(room: Room, *, before: int | None = None,
            limit: int = HISTORY_PAGE) -> tuple[list[Message], bool]:
    """The `limit` messages before the id `before` (the newest without it), oldest
    first, and whether older ones exist."""
    rows = Message.objects.filter(room=room).select_related("author", "hidden_by")
    if before is not None:
        rows = rows.filter(pk__lt=before)
    page = list(rows.order_by("-pk")[:limit + 1])
    has_older = len(page) > limit
    page = page[:limit]
    page.reverse()
    for message in page:
        message.room = room
    return page, has_older


def messages_after(room: Room, after: int, *, limit: int = RESUME_LIMIT) -> list[Message]:
    """The messages after the id `after`, in order (what a reconnecting client missed)."""
    rows = list(Message.objects.filter(room=room, pk__gt=after)
                .select_related("author", "hidden_by").order_by("pk")[:limit])
    for message in rows:
        message.room = room
    return rows


def last_message_id(room: Room) -> int:
    last = Message.objects.filter(room=room).order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def mentioned_members(messages: Iterable[Message]) -> dict[uuid.UUID, Member]:
    """The members mentioned in `messages`, by public id (one query, none without any)."""
    from chapterhouse.members.models import Member

    ids: set[uuid.UUID] = set()
    for message in messages:
        if message.body and "member:" in message.body:
            ids.update(markup.mentioned_ids(message.body))
    if not ids:
        return {}
    return {member.public_id: member for member in Member.objects.filter(public_id__in=ids)}


def rendered(message: Message, members: dict[uuid.UUID, Member]) -> str:
    """The message's HTML (sanitised Markdown, mentions as links); empty when deleted or
    hidden (the page says why instead)."""
    if message.is_deleted or message.is_hidden:
        return ""
    return str(markup.render(message.body, members).html)


def state_of(message: Message) -> str:
    if message.is_deleted:
        return "deleted"
    if message.is_hidden:
        return "hidden"
    return "shown"


def payload(message: Message, members: dict[uuid.UUID, Member] | None = None) -> dict[str, Any]:
    """A message as the socket and the API send it (JSON)."""
    if members is None:
        members = mentioned_members([message])
    author = message.author
    return {
        "id": message.pk,
        "public_id": str(message.public_id),
        "author": author.display_name if author is not None else _("former member"),
        "author_id": str(author.public_id) if author is not None else None,
        "author_url": author.get_absolute_url() if author is not None else None,
        "html": rendered(message, members),
        "created_at": message.created_at.isoformat(),
        "edited": message.edited_at is not None,
        "state": state_of(message),
        "hidden_reason": message.hidden_reason if message.is_hidden else "",
    }


def members_named_in(room: Room, name: str) -> list[Member]:
    """Active members of the room's chapter called exactly `name` (any case), at most 2."""
    from chapterhouse.members.models import Member

    return list(Member.objects.belonging_to(room.chapter).active()
                .filter(display_name__iexact=name.strip()).order_by("pk")[:2])


def account_export(member: Member) -> dict[str, Any]:
    """The member's chat messages (with their room) and the rooms they joined or were
    invited to, for their data export (members.account_data). Two queries."""
    messages = (Message.objects.filter(author=member).select_related("room")
                .order_by("created_at", "pk"))
    memberships = (RoomMember.objects.filter(member=member).select_related("room")
                   .order_by("joined_at", "pk"))
    return {
        "chat_messages": [{
            "room": {"name": message.room.name, "url": message.room.get_absolute_url()},
            "text": message.body,
            "created_at": message.created_at.isoformat(),
            "edited_at": message.edited_at.isoformat() if message.edited_at else None,
            "deleted": message.is_deleted,
            "hidden_reason": message.hidden_reason if message.is_hidden else None,
        } for message in messages],
        "chat_rooms": [{
            "name": row.room.name, "url": row.room.get_absolute_url(),
            "joined_at": row.joined_at.isoformat(),
        } for row in memberships],
    }
