"""Writes of private messages: starting a conversation, posting, read marks, blocks
and reports. Each is one transaction; a refusal raises ConversationError (with a
message for the member) and stores nothing.

Blocking: when A blocks B, B can no longer start a conversation that includes A nor
post in any conversation A takes part in (a group one too); A is not told of B's
attempts. A, who chose to block, may still post in a conversation they share with B,
but cannot start a new one with B until they unblock them. Existing messages stay.

After the commit, each recipient's open pages hear of a new message on the channel
group `member.<id>` (lib.realtime.broadcast; the notifications socket forwards it).
"""

from __future__ import annotations

from datetime import timedelta
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chapterhouse.lib.errors import Refused
from chapterhouse.lib.images import ImageRejected, reencode_image
from chapterhouse.lib.realtime import broadcast
from chapterhouse.members.models import Member
from chapterhouse.notifications import replies
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify

from . import selectors
from .models import (
    Attachment,
    Block,
    Conversation,
    Message,
    Participant,
    Report,
    private_storage,
)

REPORT_MAX_CHARS = 2000
SUBJECT_MAX_CHARS = 200


class ConversationError(Refused):
    """A refused write of private messages; `message` is for the member."""


def _names(members: list[Member]) -> str:
    return get_text_list([member.display_name for member in members], _("and"))


def _checked_body(body: str, *, has_image: bool) -> str:
    body = (body or "").strip()
    limit = settings.MESSAGE_MAX_CHARS
    if not body and not has_image:
        raise ConversationError(_("Write a message first: it is empty."))
    if len(body) > limit:
        raise ConversationError(
            _("A message can be at most %(max)s characters long; this one has %(count)s.")
            % {"max": limit, "count": len(body)}
        )
    return body


def _checked_image(image: IO[bytes] | None) -> tuple[bytes, int, int] | None:
    if image is None:
        return None
    try:
        return reencode_image(image, max_bytes=settings.MESSAGE_IMAGE_MAX_BYTES)
    except ImageRejected as error:
        raise ConversationError(str(error)) from None


def _check_may_write_to(author: Member, others: list[Member]) -> None:
    """Refuse when someone in `others` blocked the author."""
    blockers = selectors.who_blocked(author, others)
    if blockers:
        raise ConversationError(ngettext(
            "%(names)s does not accept messages from you.",
            "%(names)s do not accept messages from you.",
            len(blockers),
        ) % {"names": _names(blockers)})


def _check_rate(author: Member) -> None:
    """New accounts start only so many conversations an hour (spam)."""
    young = timezone.now() - author.joined_at < timedelta(days=settings.MESSAGE_NEW_ACCOUNT_DAYS)
    if not young:
        return
    limit = settings.MESSAGE_NEW_ACCOUNT_CONVERSATIONS_PER_HOUR
    # The member's row, locked: two requests at once cannot both pass the count.
    Member.objects.select_for_update().filter(pk=author.pk).first()
    if selectors.conversations_started_since(author, hours=1) >= limit:
        raise ConversationError(ngettext(
            "New accounts can start %(limit)s conversation an hour. Please try again "
            "later, or write in a conversation you already have.",
            "New accounts can start %(limit)s conversations an hour. Please try again "
            "later, or write in a conversation you already have.",
            limit,
        ) % {"limit": limit})


def _store_message(
    *, conversation: Conversation, author: Member, body: str,
    image: tuple[bytes, int, int] | None, recipients: list[Member],
) -> Message:
    now = timezone.now()
    message = Message.objects.create(conversation=conversation, author=author, body=body,
                                     created_at=now)
    if image is not None:
        data, width, height = image
        attachment = Attachment(message=message, width=width, height=height, size=len(data))
        attachment.file.save("image.png", ContentFile(data), save=False)
        attachment.save()
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    # Writing is reading: the author has seen the conversation up to their message.
    Participant.objects.filter(conversation=conversation, member=author).update(
        read_up_to=message.pk)
    conversation.last_message_at = now
    url = conversation.get_absolute_url()
    if conversation.subject:
        notice, params = "conversations.message_about", {
            "author": author.display_name, "subject": conversation.subject}
    else:
        notice, params = "conversations.message", {"author": author.display_name}
    # Its email can be answered: the reply goes to this conversation (email_replies.py).
    params[replies.PARAM] = replies.reply_param("message", conversation.public_id)
    notify(recipients=recipients, kind=Kind.PRIVATE_MESSAGE, message=notice, params=params,
           url=url, event=f"private_message:{message.public_id}")
    event = {
        "type": "conversation.message",
        "conversation": str(conversation.public_id),
        "message": str(message.public_id),
        "author": author.display_name,
        "url": url,
    }
    groups = [f"member.{member.pk}" for member in recipients]

    def push() -> None:
        for group in groups:
            broadcast(group, event)

    transaction.on_commit(push)
    return message


def start_conversation(
    *, author: Member, recipients: list[Member], body: str, subject: str = "",
    image: IO[bytes] | None = None,
) -> Conversation:
    """A new conversation of `author` and `recipients`, with its first message.

    Refused (nothing stored) without recipients, with too many, with inactive ones,
    when one of them blocked the author or the author blocked one of them, when the
    message is empty or too long, the image not accepted, or a new account started
    too many conversations this hour.
    """
    others = list({member.pk: member for member in recipients
                   if member.pk != author.pk}.values())
    if not others:
        raise ConversationError(_("Choose at least one other member to write to."))
    if len(others) + 1 > settings.MESSAGE_MAX_PARTICIPANTS:
        raise ConversationError(
            _("A conversation can have at most %(max)s members.")
            % {"max": settings.MESSAGE_MAX_PARTICIPANTS}
        )
    inactive = [member for member in others if not member.user.is_active]
    if inactive:
        raise ConversationError(
            _("%(names)s can no longer receive messages.") % {"names": _names(inactive)})
    subject = " ".join((subject or "").split())
    if len(subject) > SUBJECT_MAX_CHARS:
        raise ConversationError(_("A subject can be at most %(max)s characters long.")
                                % {"max": SUBJECT_MAX_CHARS})
    body = _checked_body(body, has_image=image is not None)
    blocked = selectors.whom_blocked(author, others)
    if blocked:
        raise ConversationError(
            _("You blocked %(names)s. Unblock them first to write to them.")
            % {"names": _names(blocked)})
    _check_may_write_to(author, others)
    checked_image = _checked_image(image)
    with transaction.atomic():
        _check_rate(author)
        conversation = Conversation.objects.create(subject=subject, started_by=author)
        Participant.objects.bulk_create(
            [Participant(conversation=conversation, member=member)
             for member in [author, *others]]
        )
        _store_message(conversation=conversation, author=author, body=body,
                       image=checked_image, recipients=others)
    return conversation


def post_message(
    *, conversation: Conversation, author: Member, body: str, image: IO[bytes] | None = None,
) -> Message:
    """A message of `author` (a participant) in `conversation`; its other participants
    are told. Refused when the message is empty or too long, the image not accepted,
    or a participant blocked the author."""
    participants = selectors.participants_of(conversation)
    if author.pk not in {p.member_id for p in participants}:
        raise ConversationError(_("You do not take part in this conversation."))
    body = _checked_body(body, has_image=image is not None)
    others = [p.member for p in participants if p.member_id != author.pk]
    _check_may_write_to(author, others)
    checked_image = _checked_image(image)
    with transaction.atomic():
        return _store_message(conversation=conversation, author=author, body=body,
                              image=checked_image,
                              recipients=[m for m in others if m.user.is_active])


def mark_read(*, conversation: Conversation, member: Member, up_to: int) -> int:
    """Move the member's read mark up to message id `up_to` (never back): how many
    rows changed (0 when it was there already, so showing a read page writes nothing)."""
    with transaction.atomic():
        return Participant.objects.filter(
            conversation=conversation, member=member, read_up_to__lt=up_to
        ).update(read_up_to=up_to)


def block_member(*, blocker: Member, blocked: Member) -> Block:
    """`blocked` can no longer write to `blocker` (see the module's docstring).
    Blocking twice keeps the first block."""
    if blocker.pk == blocked.pk:
        raise ConversationError(_("You cannot block yourself."))
    with transaction.atomic():
        block, _created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    return block


def unblock_member(*, blocker: Member, blocked: Member) -> int:
    """Lift the block: how many were lifted (0 when there was none)."""
    with transaction.atomic():
        removed, _kinds = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return removed


def report_message(*, message: Message, reporter: Member, reason: str) -> Report:
    """Hand `message` to the moderators with the reporter's reason (once per reporter)."""
    reason = (reason or "").strip()
    if not reason:
        raise ConversationError(_("Say why you report this message."))
    if len(reason) > REPORT_MAX_CHARS:
        raise ConversationError(_("A reason can be at most %(max)s characters long.")
                                % {"max": REPORT_MAX_CHARS})
    if message.author_id == reporter.pk:
        raise ConversationError(_("You cannot report your own message."))
    try:
        with transaction.atomic():
            return Report.objects.create(message=message, reporter=reporter, reason=reason)
    except IntegrityError:
        raise ConversationError(_("You have reported this message already.")) from None


def remove_writing_of(member: Member) -> int:
    """Remove the text and images of `member`'s private messages, as they delete their
    account (members.account_data; members.services.delete_account calls it inside its
    transaction, whatever the member chose about their forum posts: these were written
    to a few people, not to the chapter). Each message keeps its place in its
    conversation and reads "removed by its author"; the others' messages, the
    conversation and its reports stay. The image files go after the commit. Returns
    how many messages it emptied."""
    with transaction.atomic():
        ids = list(Message.objects.filter(author=member).values_list("pk", flat=True))
        images = Attachment.objects.filter(message_id__in=ids)
        names = list(images.values_list("file", flat=True))
        images.delete()

        def delete_files() -> None:
            for name in names:
                private_storage.delete(name)

        if names:
            transaction.on_commit(delete_files)
        return Message.objects.filter(pk__in=ids).update(body="")
