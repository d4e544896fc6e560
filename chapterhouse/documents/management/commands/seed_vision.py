"""Give International its founding texts (once): a vision, an organisational structure
and a code of conduct, each section at version 1, to be amended by International's
decisions. The texts are the demo organisation's, in our own words after the values the
reference documents name (self-management, equity, solidarity, diversity, ecological
stewardship, internationalism); an organisation that installs Chapterhouse replaces them
by its own decisions, or runs without them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chapterhouse.chapters.services import get_international
from chapterhouse.documents import selectors, services
from chapterhouse.documents.models import Kind

FOUNDING_TEXTS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (Kind.VISION, "Vision", (
        ("Who we are",
         "A membership organisation of nested chapters, from neighbourhoods to the whole "
         "world. Members join once and belong at every level of the place they live in."),
        ("Our values",
         "Self-management: each person has a say in a decision in proportion to how much "
         "it affects them. Equity: reward for effort and sacrifice, not for power or "
         "property. Solidarity: we look after each other. Diversity: many ways of living "
         "and of working, protected. Ecological stewardship: we care for the world we "
         "hand on. Internationalism: we organise across borders as one."),
        ("What we want",
         "A society whose economy, politics, kinship and culture are run by the people "
         "who take part in them, and an organisation that practises that society's "
         "values now, in how it decides and how it treats its members."),
    )),
    (Kind.STRUCTURE, "Organisational structure", (
        ("Chapters",
         "The organisation is made of chapters at each level: International, country, "
         "region, city or town, and neighbourhood. A chapter runs its own site, its "
         "sections and its meetings, and decides what affects only its members."),
        ("How we decide",
         "A proposal is decided by the members it affects, each with a weight in "
         "proportion to how much it affects them, under the voting rule the members "
         "chose for its category. Every decision is recorded for everyone to see."),
        ("Facilitators",
         "Each chapter chooses facilitators by decision. They keep the chapter's spaces "
         "civil and its records in order; they decide nothing the members have not "
         "given them to decide, and the members may replace them at any time."),
    )),
    (Kind.CODE_OF_CONDUCT, "Code of conduct", (
        ("Respect",
         "Disagree with ideas, not with people. No harassment, threats or contempt for "
         "anyone's background, identity or circumstances."),
        ("Good faith",
         "Say what you know and how you know it; correct your mistakes in the open."),
        ("When something goes wrong",
         "Report what breaks this code. The chapter's facilitators hide what breaks it, "
         "with a reason shown in its place; the author may appeal once to the "
         "facilitators of the chapter above."),
    )),
)


class Command(BaseCommand):
    help = "Create International's founding texts (vision, structure, code of conduct), " \
           "those it has not got yet."

    def handle(self, *args: Any, **options: Any) -> None:
        international = get_international()
        existing = set(selectors.documents_of(international).values_list("kind", flat=True))
        for kind, title, sections in FOUNDING_TEXTS:
            if kind in existing:
                self.stdout.write(f"International already has a {kind} document.")
                continue
            document = services.create_document(chapter=international, kind=kind, title=title,
                                                sections=sections, actor=None)
            self.stdout.write(f"Created {document.get_absolute_url()}")
