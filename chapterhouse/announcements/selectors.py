"""Reading announcements: what a chapter page shows, one announcement, a member's own."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from .models import Announcement

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member

# How many the chapter page shows; the announcements page lists them all.
SHOWN_ON_CHAPTER_PAGE = 3


def announcements_shown_in(chain: list[Chapter]) -> QuerySet[Announcement]:
    """The announcements the page of `chain[-1]` shows, newest first, each with its
    chapter and author (one query, whatever their number): the chapter's own, and
    those of the chapters above it sent to every chapter below them."""
    return (
        Announcement.objects.shown_in(chain)
        .select_related("chapter", "author")
        .newest_first()
    )


def latest_shown_in(chain: list[Chapter]) -> list[Announcement]:
    """The newest few (SHOWN_ON_CHAPTER_PAGE) for the chapter page, and whether there
    are more is `len(...) > SHOWN_ON_CHAPTER_PAGE`: one more is fetched. One query."""
    return list(announcements_shown_in(chain)[: SHOWN_ON_CHAPTER_PAGE + 1])


def get_announcement(chapter: Chapter, public_id: uuid.UUID) -> Announcement | None:
    """The announcement `public_id` made in `chapter`, or None."""
    return (
        Announcement.objects.select_related("chapter", "author", "withdrawn_by")
        .filter(chapter=chapter, public_id=public_id)
        .first()
    )


def get_announcement_by_id(public_id: uuid.UUID) -> Announcement | None:
    """The announcement `public_id`, whatever its chapter, or None."""
    return (
        Announcement.objects.select_related("chapter", "author", "withdrawn_by")
        .filter(public_id=public_id)
        .first()
    )


def account_export(member: Member) -> dict[str, Any]:
    """The announcements the member wrote, for their data export (one query)."""
    return {"announcements": [
        {
            "id": str(announcement.public_id),
            "chapter": announcement.chapter.url_path,
            "title": announcement.title,
            "body": announcement.body,
            "reaches_subchapters": announcement.reaches_subchapters,
            "created_at": announcement.created_at.isoformat(),
            "edited_at": _iso(announcement.edited_at),
            "withdrawn_at": _iso(announcement.withdrawn_at),
            "withdrawal_reason": announcement.withdrawal_reason,
        }
        for announcement in Announcement.objects.filter(author=member)
        .select_related("chapter").order_by("created_at", "pk")
    ]}


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None
