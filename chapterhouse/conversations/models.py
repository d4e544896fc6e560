"""Private messages: conversations between two or more members.

- A `Conversation` has `Participant`s (one row per member, with the member's read
  mark) and `Message`s; only its participants ever read it.
- The read mark is the id of the newest message the participant has seen
  (`read_up_to`): a message is unread for them when its id is above the mark and
  they did not write it. Ids only grow, so the mark needs no clock.
- A message may carry image `Attachment`s, re-encoded by lib.images and stored in
  PRIVATE_MEDIA_ROOT (never under MEDIA_ROOT, which is served to anyone): they are
  served by the app after the same check as the conversation.
- A `Block` stops a member writing to the one who blocked them; a `Report` hands a
  message to the moderators (the Django admin for now).
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PrivateStorage(FileSystemStorage):
    """Files under PRIVATE_MEDIA_ROOT, read when used (tests point it elsewhere), and
    without a public URL: the app serves them after a permission check."""

    @property
    def base_location(self) -> str:
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL.")


private_storage = PrivateStorage()


class Conversation(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    started_by = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The newest message's time: the list shows the newest activity first.
    last_message_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["started_by", "created_at"], name="conversation_started"),
        ]

    def __str__(self) -> str:
        return self.subject or str(self.public_id)

    def get_absolute_url(self) -> str:
        return reverse("conversations:detail", kwargs={"public_id": self.public_id})


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="conversation_participations"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    # The id of the newest message this participant has seen (0: none).
    read_up_to = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "member"], name="participant_once"),
        ]
        indexes = [models.Index(fields=["member", "conversation"], name="participant_member")]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.conversation_id}"


class Message(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    # Null once the author's account is gone; the message stays for the others.
    author = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["conversation", "id"], name="message_in_conversation")]

    def __str__(self) -> str:
        return self.body[:60]


def attachment_path(instance: Attachment, filename: str) -> str:
    # Names are made here, never taken from the upload.
    return f"conversations/{uuid.uuid4().hex}.png"


class Attachment(models.Model):
    """An image attached to a message: re-encoded as PNG from its pixels alone."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=attachment_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return str(self.file.name)

    def get_absolute_url(self) -> str:
        return reverse("conversations:attachment", kwargs={
            "public_id": self.message.conversation.public_id, "attachment_id": self.public_id,
        })


class Block(models.Model):
    """`blocker` receives no more messages from `blocked` (see services.check_may_write)."""

    blocker = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]
        indexes = [models.Index(fields=["blocked", "blocker"], name="block_blocked")]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Report(models.Model):
    """A message reported to the moderators, with the reporter's reason."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(default=timezone.now)
    resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="report_once"),
        ]

    def __str__(self) -> str:
        return f"Report on {self.message_id}"
