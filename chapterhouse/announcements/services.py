"""Writing announcements: a chapter tells its members something."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from chapterhouse.lib import audit, pagecache
from chapterhouse.lib.errors import Refused
from chapterhouse.notifications.messages import place
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify_members_of

from .models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Announcement

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
            params={"author": author.display_name, "chapter": place(chapter),
                    "title": title},
            url=announcement.get_absolute_url(), exclude=[author.pk],
            event=f"announcement:{announcement.public_id}",
        )
        path = chapter.get_absolute_url()
        transaction.on_commit(lambda: pagecache.forget(path))
    return announcement
