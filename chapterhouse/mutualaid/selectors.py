"""Reading the mutual-aid boards: a chapter's board, one entry, a member's own."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.selectors import section_shown_to

from .models import Entry

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


def board_entries(
    *, chapter: Chapter, viewer: Member | None, kind: str = "", category: str = "",
    include_subchapters: bool = False,
) -> QuerySet[Entry]:
    """The open, unexpired entries of `chapter`'s board that `viewer` (None: anonymous
    or deactivated) may see, newest first, each with its chapter and author: one query
    whatever their number. With `include_subchapters`, the entries of every chapter
    below it too (those members-only of a chapter below only for that chapter's
    members, and none of a chapter below whose board is turned off or kept to its
    members). An entry the viewer may not see is never in it (nor in its count)."""
    entries = Entry.objects.on_board(timezone.localdate()).visible_to(viewer)
    if include_subchapters:
        entries = entries.filter(chapter__in=Chapter.objects.within(chapter)).filter(
            section_shown_to("mutualaid", viewer))
    else:
        entries = entries.filter(chapter=chapter)
    if kind:
        entries = entries.filter(kind=kind)
    if category:
        entries = entries.filter(category=category)
    return entries.select_related("chapter", "author").newest_first()


def get_entry(chapter: Chapter, public_id: uuid.UUID) -> Entry | None:
    """The entry `public_id` of `chapter`'s board (whoever may see it), or None."""
    return (
        Entry.objects.select_related("chapter", "author", "removed_by")
        .filter(chapter=chapter, public_id=public_id)
        .first()
    )


def entries_of(member: Member) -> QuerySet[Entry]:
    """Every entry `member` wrote, whatever its state, newest first (one query)."""
    return Entry.objects.filter(author=member).select_related("chapter").newest_first()


def account_export(member: Member) -> dict[str, Any]:
    """The member's offers and requests, for their data export (one query)."""
    return {"mutual_aid_entries": [
        {
            "id": str(entry.public_id),
            "chapter": entry.chapter.url_path,
            "kind": entry.kind,
            "category": entry.category,
            "title": entry.title,
            "description": entry.description,
            "visible_to_everyone": entry.visible_to_everyone,
            "expires_on": entry.expires_on.isoformat(),
            "status": entry.status,
            "removed_reason": entry.removed_reason,
            "created_at": entry.created_at.isoformat(),
            "updated_at": entry.updated_at.isoformat(),
        }
        for entry in Entry.objects.filter(author=member)
        .select_related("chapter").order_by("created_at", "pk")
    ]}


def get_entry_by_id(public_id: uuid.UUID) -> Entry | None:
    """The entry `public_id`, whatever its chapter (the API's address)."""
    return (
        Entry.objects.select_related("chapter", "author", "removed_by")
        .filter(public_id=public_id)
        .first()
    )
