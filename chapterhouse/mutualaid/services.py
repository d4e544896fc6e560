"""Writing on the mutual-aid boards: post, edit, mark fulfilled, delete, remove (a
facilitator, with a reason), and reply privately (a conversation with the author).

Each write is one transaction. Bad input (an empty title, an unknown kind or
category, an expiry in the past or too far ahead, oversized text) raises a
ValidationError naming its fields, and nothing is stored; any other refusal raises
`MutualAidError` (a `Refused`). Who may do what is the interface's check (rules.py);
the services check what only they can know (the entry's state).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.chapters import limits
from chapterhouse.conversations.services import start_conversation
from chapterhouse.lib import audit
from chapterhouse.lib.errors import Refused

from .models import (
    DESCRIPTION_MAX_LENGTH,
    MAX_DAYS,
    REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Category,
    Entry,
    EntryKind,
    Status,
    default_expiry,
)

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.conversations.models import Conversation
    from chapterhouse.members.models import Member


class MutualAidError(Refused):
    """A refused write on a mutual-aid board; `message` is for the member."""


def _checked_fields(
    *, kind: str, category: str, title: str, description: str,
    expires_on: datetime.date | None,
) -> dict[str, object]:
    """The entry's fields, cleaned; a ValidationError naming every bad one."""
    title = " ".join((title or "").split())
    description = (description or "").strip()
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if kind not in EntryKind.values:
        errors["kind"] = _("Choose whether you offer or request something.")
    if category not in Category.values:
        errors["category"] = _("Choose one of the categories.")
    if not title:
        errors["title"] = _("Give your entry a title.")
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = _("A title can be at most %(max)s characters long.") % {
            "max": TITLE_MAX_LENGTH}
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors["description"] = _(
            "A description can be at most %(max)s characters long; this one has %(count)s."
        ) % {"max": DESCRIPTION_MAX_LENGTH, "count": len(description)}
    if expires_on is None:
        expires_on = default_expiry()
    elif expires_on < today:
        errors["expires_on"] = _("The date it is shown until has passed: choose today or "
                                 "a later day.")
    elif expires_on > today + datetime.timedelta(days=MAX_DAYS):
        errors["expires_on"] = _("An entry can be shown for at most %(days)s days: choose "
                                 "an earlier day.") % {"days": MAX_DAYS}
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "category": category, "title": title,
            "description": description, "expires_on": expires_on}


def post_entry(
    *, chapter: Chapter, author: Member, kind: str, category: str, title: str,
    description: str = "", expires_on: datetime.date | None = None,
    visible_to_everyone: bool = False,
) -> Entry:
    """A new open entry of `author` on `chapter`'s board, shown until `expires_on`
    (by default DEFAULT_DAYS from today). Only the chapter's members see it unless
    `visible_to_everyone`."""
    fields = _checked_fields(kind=kind, category=category, title=title,
                             description=description, expires_on=expires_on)
    with transaction.atomic():
        limits.check(member=author, chapter=chapter,
                     text=f"{fields['title']}\n{fields['description']}")
        return Entry.objects.create(chapter=chapter, author=author,
                                    visible_to_everyone=visible_to_everyone, **fields)


def edit_entry(
    *, entry: Entry, kind: str, category: str, title: str, description: str = "",
    expires_on: datetime.date | None = None, visible_to_everyone: bool = False,
) -> Entry:
    """Change an entry (its author's: the interface checks). Refused once removed."""
    fields = _checked_fields(kind=kind, category=category, title=title,
                             description=description, expires_on=expires_on)
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        if locked.status == Status.REMOVED:
            raise MutualAidError(_("The facilitators removed this entry: it cannot be "
                                   "changed."))
        if locked.author is not None:
            limits.check(member=locked.author, chapter=locked.chapter, hourly=False,
                         text=f"{fields['title']}\n{fields['description']}")
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.visible_to_everyone = visible_to_everyone
        locked.updated_at = timezone.now()
        locked.save()
    return locked


def mark_fulfilled(*, entry: Entry) -> Entry:
    """The author says the offer was taken or the request met: it leaves the board.
    Idempotent."""
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        if locked.status == Status.REMOVED:
            raise MutualAidError(_("The facilitators removed this entry: it cannot be "
                                   "changed."))
        if locked.status != Status.FULFILLED:
            locked.status = Status.FULFILLED
            locked.updated_at = timezone.now()
            locked.save(update_fields=["status", "updated_at"])
    return locked


def delete_entry(*, entry: Entry) -> None:
    """The author withdraws their entry: it is deleted for good (a removed one too)."""
    with transaction.atomic():
        Entry.objects.filter(pk=entry.pk).delete()


def remove_entry(*, entry: Entry, facilitator: Member, reason: str) -> Entry:
    """A facilitator of the entry's chapter removes it from the board, saying why (its
    author sees the reason). Audited, as every moderation is. Refused without a reason
    or when already removed."""
    reason = (reason or "").strip()
    if not reason:
        raise MutualAidError(_("Say why you remove this entry: its author will read it."))
    if len(reason) > REASON_MAX_LENGTH:
        raise MutualAidError(_("A reason can be at most %(max)s characters long.")
                             % {"max": REASON_MAX_LENGTH})
    with transaction.atomic():
        locked = Entry.objects.select_for_update().get(pk=entry.pk)
        if locked.status == Status.REMOVED:
            raise MutualAidError(_("This entry was removed already."))
        locked.status = Status.REMOVED
        locked.removed_reason = reason
        locked.removed_by = facilitator
        locked.updated_at = timezone.now()
        locked.save(update_fields=["status", "removed_reason", "removed_by", "updated_at"])
        audit.record(actor=facilitator, action="mutualaid.remove_entry", target=locked,
                     chapter=locked.chapter, data={"title": locked.title, "reason": reason})
    return locked


def reply_privately(*, entry: Entry, member: Member, body: str) -> Conversation:
    """Start a private conversation of `member` with the entry's author, about the entry
    (its title as the subject), with `body` as the first message. The conversations'
    own checks apply (blocks either way, new accounts' hourly limit, an empty or
    overlong message): their refusal (a `Refused`) is raised as it is, nothing stored.
    Refused for the author themselves and for an entry no longer on the board."""
    if entry.author_id == member.pk:
        raise MutualAidError(_("This is your own entry: others reply to it."))
    if not entry.is_on_board():
        raise MutualAidError(_("This entry is no longer on the board: it cannot be "
                               "answered."))
    return start_conversation(author=member, recipients=[entry.author], body=body,
                              subject=entry.title)
