from __future__ import annotations

from collections.abc import Sequence

from chapterhouse.chapters.models import Chapter
from chapterhouse.documents import services
from chapterhouse.documents.models import Document, Kind

VISION = (
    ("Who we are", "We are neighbours who organise together."),
    ("What we want", "Clean air and fair rents for everyone."),
)


def document(chapter: Chapter, *, title: str = "Our vision", kind: str = Kind.VISION,
             sections: Sequence[tuple[str, str]] = VISION) -> Document:
    return services.create_document(chapter=chapter, kind=kind, title=title,
                                    sections=sections, actor=None)
