"""Reading a chapter's founding documents, their sections and versions."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Count, QuerySet

from chapterhouse.chapters.models import Chapter

from .models import Document, Section, SectionVersion


def documents_of(chapter: Chapter) -> QuerySet[Document]:
    """The chapter's documents with how many sections each has. One query."""
    return (Document.objects.filter(chapter=chapter)
            .annotate(section_count=Count("sections")).order_by("created_at", "pk"))


# The chapter page's panel lists the chapter's documents; they change only when one is
# made (amendments change sections, not the list), and services forget it then.
PANEL_CACHE_SECONDS = 300


def _panel_key(chapter_id: int) -> str:
    return f"documents:panel:{chapter_id}"


def documents_for_chapter_page(chapter: Chapter) -> list[Document]:
    """`documents_of`, from the cache: the chapter page's panels share its budget of
    queries (QUALITY.md). No query when cached."""
    found: list[Document] = cache.get_or_set(
        _panel_key(chapter.pk), lambda: list(documents_of(chapter)), PANEL_CACHE_SECONDS,
    ) or []
    return found


def forget_chapter_page_documents(chapter_id: int) -> None:
    cache.delete(_panel_key(chapter_id))


def document(chapter: Chapter, slug: str) -> Document | None:
    return Document.objects.filter(chapter=chapter, slug=slug).first()


def sections_of(document: Document) -> QuerySet[Section]:
    return document.sections.order_by("position", "pk")


def section(document: Document, public_id: str) -> Section | None:
    return document.sections.filter(public_id=public_id).first()


def section_by_public_id(public_id: object) -> Section | None:
    """A section with its document and the document's chapter (one query); None for
    anything that is not a section's id."""
    try:
        public_id = uuid.UUID(str(public_id))
    except (TypeError, ValueError):
        return None
    return (Section.objects.select_related("document__chapter")
            .filter(public_id=public_id).first())


def sections_of_chapter(chapter: Chapter) -> QuerySet[Section]:
    """Every section of the chapter's documents, in document order (for a choice)."""
    return (Section.objects.select_related("document")
            .filter(document__chapter=chapter)
            .order_by("document__created_at", "document_id", "position", "pk"))


def versions_of(section: Section) -> QuerySet[SectionVersion]:
    """Every version of the section, newest first."""
    return section.versions.order_by("-number")


def version(section: Section, number: int) -> SectionVersion | None:
    return section.versions.filter(number=number).first()


def document_by_public_id(public_id: uuid.UUID) -> Document | None:
    """A document with its chapter (one query)."""
    return Document.objects.select_related("chapter").filter(public_id=public_id).first()


def documents_with_chapter(chapter: Chapter) -> QuerySet[Document]:
    """`documents_of`, each with its chapter loaded (for their addresses)."""
    return documents_of(chapter).select_related("chapter")


def versions_numbered(section: Section, numbers: Iterable[int]) -> dict[int, SectionVersion]:
    """The section's versions of these numbers, by number (one query)."""
    return {found.number: found for found in section.versions.filter(number__in=list(numbers))}
