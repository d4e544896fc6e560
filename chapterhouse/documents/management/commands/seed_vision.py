"""Give International a placeholder vision (once): its sections are the founding
text, version 1, to be amended by International's decisions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chapterhouse.chapters.services import get_international
from chapterhouse.documents import selectors, services
from chapterhouse.documents.models import Kind

PLACEHOLDER = (
    ("Who we are", "A membership organisation of chapters, from neighbourhoods to the "
                   "whole world. (Placeholder: amend it by a decision.)"),
    ("What we want", "(Placeholder: what the organisation works for.)"),
    ("How we decide", "Those affected by a decision take part in it, in proportion to "
                      "how much it affects them. (Placeholder: amend it by a decision.)"),
)


class Command(BaseCommand):
    help = "Create International's placeholder vision, if it has none."

    def handle(self, *args: Any, **options: Any) -> None:
        international = get_international()
        if selectors.documents_of(international).filter(kind=Kind.VISION).exists():
            self.stdout.write("International already has a vision.")
            return
        document = services.create_document(chapter=international, kind=Kind.VISION,
                                            title="Vision", sections=PLACEHOLDER, actor=None)
        self.stdout.write(f"Created {document.get_absolute_url()}")
