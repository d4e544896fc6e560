"""Reads of private messages. Everything here is scoped to one member: a member only
ever reads the conversations they take part in."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from chapterhouse.lib.interface import Viewer
from chapterhouse.lib.rawsql import Prepared
from chapterhouse.members.models import Member
from chapterhouse.notifications.models import Notification

from .models import Attachment, Block, Conversation, Message, Participant


def get_conversation(public_id: uuid.UUID) -> Conversation | None:
    return Conversation.objects.filter(public_id=public_id).first()


def is_participant(viewer: Viewer, conversation: Conversation) -> bool:
    """Whether the viewer takes part in `conversation` (asked once per request)."""
    member = viewer.member
    if member is None:
        return False
    return viewer.recall(
        ("conversation participant", conversation.pk, member.pk),
        lambda: Participant.objects.filter(conversation=conversation, member=member).exists(),
    )


def unread_messages(member: Member | int) -> QuerySet[Message]:
    """Messages others wrote in the member's conversations (a member or its id) after
    their read mark."""
    member_id = member if isinstance(member, int) else member.pk
    return Message.objects.filter(
        conversation__participants__member_id=member_id,
        id__gt=F("conversation__participants__read_up_to"),
    ).exclude(author_id=member_id)


def _count(queryset: QuerySet[Any]) -> Subquery:
    """`queryset`'s row count as a subquery (COUNT without GROUP BY: one row)."""
    counted = queryset.order_by().annotate(
        n=Func(F("pk"), function="COUNT", output_field=IntegerField())).values("n")
    return Subquery(counted[:1], output_field=IntegerField())


def _unread_counts(member_id: int) -> QuerySet[Any]:
    return Member.objects.filter(pk=member_id).values_list(
        _count(Notification.objects.filter(recipient_id=member_id, read_at__isnull=True)),
        _count(unread_messages(member_id)),
    )[:1]


# Every member's page asks this: the SQL is built once (lib.rawsql.Prepared).
_UNREAD_COUNTS = Prepared(_unread_counts)


def unread_counts_for(viewer: Viewer) -> tuple[int, int]:
    """The viewer's unread notices and unread messages, in one query for both (every
    page's menu shows them), remembered for the request under the keys
    `notifications.selectors.unread_count_for` and `unread_count_for` use; (0, 0)
    without a member."""
    member = viewer.member
    if member is None:
        return 0, 0
    notices_key, messages_key = ("unread notifications", member.pk), ("unread messages", member.pk)
    notices, messages = viewer.recalled(notices_key), viewer.recalled(messages_key)
    if notices is None and messages is None:
        rows = _UNREAD_COUNTS(member.pk)
        notices, messages = rows[0] if rows else (0, 0)
    elif notices is None:
        notices = Notification.objects.filter(recipient=member, read_at__isnull=True).count()
    elif messages is None:
        messages = unread_messages(member).count()
    viewer.remember(notices_key, notices or 0)
    viewer.remember(messages_key, messages or 0)
    return notices or 0, messages or 0


def unread_count_for(viewer: Viewer) -> int:
    """How many messages the viewer has not read: one query, once per request."""
    member = viewer.member
    if member is None:
        return 0
    return viewer.recall(("unread messages", member.pk),
                         lambda: unread_messages(member).count())


def conversations_of(member: Member) -> QuerySet[Conversation]:
    """The member's conversations, newest activity first, each with `unread` (messages
    others wrote after the member's read mark) and its participants' members
    prefetched: a page of them costs the same few queries however long it is."""
    mark = Participant.objects.filter(
        conversation=OuterRef("conversation"), member=member
    ).values("read_up_to")[:1]
    unread = (
        Message.objects.filter(conversation=OuterRef("pk"), id__gt=Subquery(mark))
        .exclude(author=member)
        .order_by()
        .values("conversation")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        Conversation.objects.filter(participants__member=member)
        .annotate(unread=Coalesce(Subquery(unread), 0))
        .prefetch_related(Prefetch(
            "participants",
            queryset=Participant.objects.select_related("member").order_by("member__display_name"),
        ))
        .order_by("-last_message_at", "-id")
    )


def messages_in(conversation: Conversation) -> QuerySet[Message]:
    """The conversation's messages, oldest first, with authors and attachments."""
    return (
        Message.objects.filter(conversation=conversation)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("id")
    )


def participants_of(conversation: Conversation) -> list[Participant]:
    return list(
        Participant.objects.filter(conversation=conversation)
        .select_related("member", "member__user")
        .order_by("member__display_name", "member_id")
    )


def get_message(conversation: Conversation, public_id: uuid.UUID) -> Message | None:
    return (
        Message.objects.filter(conversation=conversation, public_id=public_id)
        .select_related("author").first()
    )


def get_attachment(conversation: Conversation, public_id: uuid.UUID) -> Attachment | None:
    return Attachment.objects.filter(message__conversation=conversation,
                                     public_id=public_id).first()


def blocked_by(member: Member) -> QuerySet[Member]:
    """The members `member` has blocked, by name."""
    return Member.objects.filter(
        pk__in=Block.objects.filter(blocker=member).values("blocked")
    ).order_by("display_name", "pk")


def blocked_ids(member: Member) -> set[int]:
    return set(Block.objects.filter(blocker=member).values_list("blocked_id", flat=True))


def may_write_to(author: Member, member: Member) -> bool:
    """Whether `member`'s account is active and neither of the two blocked the other:
    what the profile's "Send a message" asks (one query). The service still decides."""
    blocks = Block.objects.filter(
        Q(blocker=author, blocked=member) | Q(blocker=member, blocked=author)
    )
    return Member.objects.active().filter(pk=member.pk).exclude(Exists(blocks)).exists()


def who_blocked(author: Member, among: list[Member]) -> list[Member]:
    """Those of `among` who blocked `author`."""
    ids = set(Block.objects.filter(blocked=author, blocker__in=among)
              .values_list("blocker_id", flat=True))
    return [member for member in among if member.pk in ids]


def whom_blocked(author: Member, among: list[Member]) -> list[Member]:
    """Those of `among` whom `author` blocked."""
    ids = set(Block.objects.filter(blocker=author, blocked__in=among)
              .values_list("blocked_id", flat=True))
    return [member for member in among if member.pk in ids]


def conversations_started_since(member: Member, hours: int = 1) -> int:
    since = timezone.now() - timedelta(hours=hours)
    return Conversation.objects.filter(started_by=member, created_at__gte=since).count()



def account_export(member: Member) -> dict[str, Any]:
    """The member's private messages (what they wrote, with the conversation each is in)
    and the members they blocked, for their data export (members.account_data). Others'
    messages are theirs, not part of this member's export. Three queries."""
    messages = (
        Message.objects.filter(author=member).select_related("conversation")
        .prefetch_related("attachments").order_by("created_at", "pk")
    )
    return {
        "private_messages": [
            {
                "conversation": {"id": str(message.conversation.public_id),
                                 "subject": message.conversation.subject,
                                 "url": message.conversation.get_absolute_url()},
                "text": message.body,
                "images": [image.get_absolute_url() for image in message.attachments.all()],
                "created_at": message.created_at.isoformat(),
            }
            for message in messages
        ],
        "blocked_members": [
            {"id": str(block.blocked.public_id), "name": block.blocked.display_name,
             "since": block.created_at.isoformat()}
            for block in Block.objects.filter(blocker=member).select_related("blocked")
            .order_by("created_at", "pk")
        ],
    }
