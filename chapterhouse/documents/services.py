"""Writing founding documents: creating one with its founding text, and applying a
decision's amendment to a section (called by decisions when the proposal passes,
inside its closing transaction)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chapterhouse.chapters.models import Chapter
from chapterhouse.lib import audit
from chapterhouse.lib.errors import Refused
from chapterhouse.members.models import Member

from . import selectors
from . import text as texts
from .models import (
    HEADING_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Document,
    Kind,
    Section,
    SectionVersion,
)

MAX_SECTIONS = 100
_HEADING = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)


class DocumentError(Refused):
    """A document or an amendment refused, with the reason for the member."""


def split_sections(source: str) -> list[tuple[str, str]]:
    """A document's text, each section starting with a line "## Heading", as
    (heading, text) pairs. Text before the first heading is refused."""
    source = source.replace("\r\n", "\n").strip()
    matches = list(_HEADING.finditer(source))
    if not matches or source[: matches[0].start()].strip():
        raise DocumentError(_("Start each section with a line “## Heading”."))
    parts = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(source)
        parts.append((match.group(1), source[match.end():end].strip()))
    return parts


def _check_section(heading: str, text: str) -> tuple[str, str]:
    heading, text = " ".join(heading.split()), text.replace("\r\n", "\n").strip()
    if not heading or len(heading) > HEADING_MAX_LENGTH:
        raise DocumentError(_("A section's heading has 1 to %(max)s characters.")
                            % {"max": HEADING_MAX_LENGTH})
    if not text:
        raise DocumentError(_("The section “%(heading)s” has no text.") % {"heading": heading})
    if len(text) > TEXT_MAX_LENGTH:
        raise DocumentError(_("A section's text has at most %(max)s characters.")
                            % {"max": TEXT_MAX_LENGTH})
    return heading, text


@transaction.atomic
def create_document(*, chapter: Chapter, kind: str, title: str,
                    sections: Sequence[tuple[str, str]], actor: Member | None) -> Document:
    """A new document of the chapter with its founding text: every section's version
    1, made by no decision."""
    if kind not in Kind.values:
        raise DocumentError(_("Choose the kind of document."))
    title = " ".join(title.split())
    if not title or len(title) > TITLE_MAX_LENGTH:
        raise DocumentError(_("A document's title has 1 to %(max)s characters.")
                            % {"max": TITLE_MAX_LENGTH})
    if not sections or len(sections) > MAX_SECTIONS:
        raise DocumentError(_("A document has 1 to %(max)s sections.") % {"max": MAX_SECTIONS})
    checked = [_check_section(heading, body) for heading, body in sections]
    slug = slugify(title)[:60] or kind
    if Document.objects.filter(chapter=chapter, slug=slug).exists():
        raise DocumentError(_("%(chapter)s already has a document called “%(title)s”.")
                            % {"chapter": chapter.display_name(), "title": title})
    now = timezone.now()
    try:
        with transaction.atomic():
            document = Document.objects.create(chapter=chapter, kind=kind, title=title,
                                               slug=slug, created_at=now)
    except IntegrityError:
        raise DocumentError(_("%(chapter)s already has a document called “%(title)s”.")
                            % {"chapter": chapter.display_name(), "title": title}) from None
    for position, (heading, body) in enumerate(checked, start=1):
        section = Section.objects.create(document=document, position=position,
                                         heading=heading, text=body, version=1)
        SectionVersion.objects.create(section=section, number=1, heading=heading, text=body,
                                      created_at=now)
    audit.record(actor=actor, action="documents.create", target=document, chapter=chapter,
                 data={"title": title, "kind": kind, "sections": len(checked)})
    chapter_id = chapter.pk
    transaction.on_commit(lambda: selectors.forget_chapter_page_documents(chapter_id))
    return document


def check_amendment(*, chapter: Chapter, section_public_id: Any, text: Any,
                    heading: Any = None) -> dict[str, Any]:
    """An amendment a proposal of `chapter` may carry, checked: the section belongs to
    one of the chapter's documents, the text is not empty and not too long, something
    changes. Returns the amendment cleaned, with the version it is drafted against."""
    section = selectors.section_by_public_id(section_public_id)
    if section is None:
        raise DocumentError(_("Choose a section of one of the chapter's founding documents."))
    if section.document.chapter_id != chapter.pk:
        raise DocumentError(_("A chapter amends its own documents: “%(heading)s” belongs to "
                              "%(other)s.") % {"heading": section.heading,
                                               "other": section.document.chapter.display_name()})
    if not isinstance(text, str) or not text.strip():
        raise DocumentError(_("Write the section's new text."))
    if heading is not None and not isinstance(heading, str):
        raise DocumentError(_("A section's heading is text."))
    new_heading, new_text = _check_section(heading or section.heading, text)
    if new_heading == section.heading and not texts.changed(section.text, new_text):
        raise DocumentError(_("The new text is the text in force: nothing would change."))
    cleaned: dict[str, Any] = {"document_section": str(section.public_id), "text": new_text}
    if new_heading != section.heading:
        cleaned["heading"] = new_heading
    return {"section": section, "payload": cleaned}


def section_for_amendment(*, chapter: Chapter, section_public_id: Any) -> Section | None:
    """The section of one of the chapter's documents a passed proposal amends."""
    section = selectors.section_by_public_id(section_public_id)
    return section if section is not None and section.document.chapter_id == chapter.pk \
        else None


def amend_section(*, section: Section, heading: str | None, text: str,
                  decision_public_id: Any, decision_url: str, summary: str = "",
                  based_on: int | None = None) -> SectionVersion:
    """A new version of the section, made by the named decision. Applied even when the
    section changed since the amendment was drafted (the last decision wins); the
    version records the one it was drafted against (`based_on`)."""
    chapter = section.document.chapter
    with transaction.atomic():
        section = Section.objects.select_for_update().get(pk=section.pk)
        new_heading, new_text = _check_section(heading or section.heading, text)
        number = section.version + 1
        made = SectionVersion.objects.create(
            section=section, number=number, heading=new_heading, text=new_text,
            decision_public_id=decision_public_id, decision_url=decision_url[:300],
            summary=summary[:300], based_on=based_on if based_on is not None else number - 1,
        )
        section.heading, section.text, section.version = new_heading, new_text, number
        section.save(update_fields=["heading", "text", "version"])
        audit.record(actor=None, action="documents.amend", target=section,
                     chapter=chapter, data={"version": number,
                                         "decision": str(decision_public_id)})
    return made
