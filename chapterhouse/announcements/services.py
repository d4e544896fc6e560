"""Writing announcements: a chapter tells its members something."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.lib import audit, pagecache
from chapterhouse.lib.errors import Refused
from chapterhouse.notifications.messages import place
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify_members_of, restate

from .models import BODY_MAX_LENGTH, REASON_MAX_LENGTH, TITLE_MAX_LENGTH, Announcement

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member


def announce(
    *, chapter: Chapter, author: Member, title: str, body: str,
    reaches_subchapters: bool = False,
) -> Announcement:
    """Store an announcement of `chapter` by `author`, audit it, and tell every active
    member of the chapter (everyone whose home is the chapter or below it; the author
    excepted) with a notice, and an email where they want one.

    Who may announce is the interface's check (the rule `announcements.announce`);
    this refuses an empty or oversized title or text (`Refused`, nothing stored). The
    notices are enqueued in this transaction (notify_members_of: one enqueue whatever
    the chapter's size), named after the announcement, so a delivery run twice tells
    each member once. Signed-out visitors see the chapter's page anew at once; the
    pages of the chapters below (where `reaches_subchapters` shows it too) within
    their cache's lifetime.
    """
    title, body = _checked(title, body)
    with transaction.atomic():
        announcement = Announcement.objects.create(
            chapter=chapter, author=author, title=title, body=body,
            reaches_subchapters=reaches_subchapters,
        )
        audit.record(actor=author, action="announcements.announce", target=announcement,
                     chapter=chapter, data={
                         "title": title, "reaches_subchapters": reaches_subchapters,
                     })
        notify_members_of(
            chapter=chapter, kind=Kind.ANNOUNCEMENT, message="announcements.new",
            params=_notice_params(announcement, author),
            url=announcement.get_absolute_url(), exclude=[author.pk],
            event=_event(announcement),
        )
        _forget_pages(announcement)
    return announcement


def edit_announcement(
    *, announcement: Announcement, editor: Member, title: str, body: str,
) -> Announcement:
    """Change the title and text of `announcement` (by its author or one of its
    chapter's facilitators: the rule `announcements.edit_announcement`, the
    interface's check), mark it edited, audit it (with the title it had), and let
    its notices show the new title. Nobody is told again.

    Refused (nothing changed): an empty or oversized title or text, a withdrawn
    announcement (checked on the row, locked: a withdrawal at the same moment wins or
    waits), or nothing changed. Signed-out visitors see the chapter's page anew at once.
    """
    title, body = _checked(title, body)
    with transaction.atomic():
        current = _locked(announcement)
        if current.is_withdrawn:
            raise Refused(_("This announcement was withdrawn: it can no longer be edited."))
        if (current.title, current.body) == (title, body):
            raise Refused(_("Nothing was changed."))
        previous_title, previous_body = current.title, current.body
        current.title, current.body = title, body
        current.edited_at = timezone.now()
        current.save(update_fields=["title", "body", "edited_at"])
        audit.record(actor=editor, action="announcements.edit", target=current,
                     chapter=current.chapter, data={
                         "title": title, "previous_title": previous_title,
                         "text_changed": body != previous_body,
                     })
        if current.author is not None:
            restate(event=_event(current), message="announcements.new",
                    params=_notice_params(current, current.author))
        _forget_pages(current)
    _copy(current, announcement)
    return announcement


def withdraw_announcement(
    *, announcement: Announcement, member: Member, reason: str = "",
) -> Announcement:
    """Withdraw `announcement` (by its author or one of its chapter's facilitators: the
    rule `announcements.withdraw_announcement`, the interface's check), with an
    optional `reason`: it leaves the chapter's pages and lists, its page says who
    withdrew it and when (and why), its notices no longer say its title (they still
    lead to its page). Audited. Nobody is told.

    Refused (nothing changed): a reason over REASON_MAX_LENGTH characters, an
    announcement already withdrawn (on the locked row). Signed-out visitors see the
    chapter's page without it at once.
    """
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise Refused(_("Give a shorter reason: at most %(count)s characters.")
                      % {"count": REASON_MAX_LENGTH})
    with transaction.atomic():
        current = _locked(announcement)
        if current.is_withdrawn:
            raise Refused(_("This announcement was already withdrawn."))
        current.withdrawn_at = timezone.now()
        current.withdrawn_by = member
        current.withdrawal_reason = reason
        current.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        audit.record(actor=member, action="announcements.withdraw", target=current,
                     chapter=current.chapter, data={
                         "title": current.title, "reason": reason,
                     })
        restate(event=_event(current), message="announcements.withdrawn",
                params={"chapter": place(current.chapter)})
        _forget_pages(current)
    _copy(current, announcement)
    return announcement


# -- Helpers -----------------------------------------------------------------------------

def _checked(title: str, body: str) -> tuple[str, str]:
    """The title and text stripped; Refused when one is empty or too long."""
    title = title.strip()
    body = body.strip()
    if not title:
        raise Refused(_("Give the announcement a title."))
    if not body:
        raise Refused(_("Write the announcement's text."))
    if len(title) > TITLE_MAX_LENGTH or len(body) > BODY_MAX_LENGTH:
        raise Refused(_("The announcement is too long: at most %(title)s characters for "
                        "the title and %(body)s for the text.")
                      % {"title": TITLE_MAX_LENGTH, "body": BODY_MAX_LENGTH})
    return title, body


def _event(announcement: Announcement) -> str:
    """The name of the notices telling of `announcement` (notify's event)."""
    return f"announcement:{announcement.public_id}"


def _notice_params(announcement: Announcement, author: Member) -> dict[str, object]:
    return {"author": author.display_name, "chapter": place(announcement.chapter),
            "title": announcement.title}


def _locked(announcement: Announcement) -> Announcement:
    # Only the announcement's row: its author may be gone (an outer join PostgreSQL
    # will not lock).
    return (Announcement.objects.select_for_update(of=("self",))
            .select_related("chapter", "author").get(pk=announcement.pk))


def _copy(source: Announcement, target: Announcement) -> None:
    """The caller's object holds what was saved (it goes on to render it)."""
    for field in ("title", "body", "edited_at", "withdrawn_at", "withdrawal_reason"):
        setattr(target, field, getattr(source, field))
    target.withdrawn_by = source.withdrawn_by


def _forget_pages(announcement: Announcement) -> None:
    """Signed-out visitors see the chapter's page anew once this commits (the pages of
    the chapters below, where it shows too, within their cache's lifetime)."""
    path = announcement.chapter.get_absolute_url()
    transaction.on_commit(lambda: pagecache.forget(path))
