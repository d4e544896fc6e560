"""Chat rooms: a room per chapter for its members, and rooms members make in a chapter.

A room's messages are numbered in order (`Message.id`): a client that reconnects asks
for those after the last id it saw. Membership:

- the chapter's own room (`is_chapter_room`) is everyone's who belongs to the chapter
  (home chapter at or below it): no RoomMember rows;
- any other room belongs to its chapter's members who joined it (a public room: any
  member of the chapter may read it and join) or were invited (an invite-only room).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 80
DESCRIPTION_MAX_LENGTH = 500
HIDE_REASON_MAX_LENGTH = 200


class Room(models.Model):
    class Access(models.TextChoices):
        PUBLIC = "public", _("public within the chapter")
        INVITE = "invite", _("invite only")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.PROTECT, related_name="chat_rooms",
        verbose_name=_("chapter"),
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    description = models.CharField(_("description"), max_length=DESCRIPTION_MAX_LENGTH,
                                   blank=True)
    access = models.CharField(_("access"), max_length=10, choices=Access.choices,
                              default=Access.PUBLIC)
    is_chapter_room = models.BooleanField(_("the chapter's room"), default=False)
    created_by = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("chat room")
        verbose_name_plural = _("chat rooms")
        constraints = [
            models.UniqueConstraint(fields=["chapter"], condition=models.Q(is_chapter_room=True),
                                    name="room_one_per_chapter"),
            models.CheckConstraint(
                condition=~models.Q(is_chapter_room=True, access="invite"),
                name="room_chapter_room_public",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("chat:room", kwargs={"public_id": self.public_id})

    @property
    def group(self) -> str:
        """The channel-layer group of the room's open sockets."""
        return f"chat.{self.pk}"


class RoomMember(models.Model):
    """A member of a room other than a chapter's own room (joined or invited)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    invited_by = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "member"], name="roommember_once"),
        ]
        indexes = [models.Index(fields=["member", "room"], name="roommember_member")]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.room_id}"


class Message(models.Model):
    """One message. `body` is Markdown with mentions (discussions.markup). A deleted
    message keeps its place with an empty body; a hidden one keeps its body (for the
    record) but shows the facilitator's reason instead."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
    )
    hidden_reason = models.CharField(max_length=HIDE_REASON_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        indexes = [models.Index(fields=["room", "id"], name="chatmessage_room_order")]

    def __str__(self) -> str:
        return self.body[:80]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ChatMention(models.Model):
    """A member mentioned in a message: notified once per message, whatever the edits."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="mentions")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "member"], name="chatmention_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.message_id}"


class RoomRead(models.Model):
    """How far one member read one room (as discussions.ThreadRead): every message with a
    higher id is unread to them. Only moves forward (services.mark_read)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="reads")
    last_read_message_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "room"], name="roomread_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} read {self.room_id} to {self.last_read_message_id}"
