"""A chapter's founding documents (vision, programme, structure, code of conduct),
whose sections change only by decisions.

A Document has Sections; each Section keeps every version of itself
(SectionVersion, numbered from 1). Version 1 is the founding text (no decision);
every later version names the decision that made it, as data the decisions app
gives (this app sits below decisions and never imports it).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TITLE_MAX_LENGTH = 200
HEADING_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 50_000


class Kind(models.TextChoices):
    VISION = "vision", _("Vision")
    PROGRAMME = "programme", _("Programme")
    STRUCTURE = "structure", _("Organisational structure")
    CODE_OF_CONDUCT = "code-of-conduct", _("Code of conduct")
    OTHER = "other", _("Other founding text")


class Document(models.Model):
    """One founding text of a chapter; `slug` is its address in the chapter."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("chapter", "created_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=("chapter", "slug"), name="document_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:detail",
                       kwargs={"url_path": self.chapter.url_path, "slug": self.slug})


class Section(models.Model):
    """A section of a document: its current heading and text (the latest version's),
    kept here so that the document page reads one row per section."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveIntegerField()
    heading = models.CharField(_("heading"), max_length=HEADING_MAX_LENGTH)
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ("document", "position", "pk")

    def __str__(self) -> str:
        return self.heading


class SectionVersion(models.Model):
    """One version of a section, never changed once written. `decision_public_id`
    and `decision_url` name the decision that made it (empty for the founding
    text); `replaced` is the version it replaced (the previous one, unless a
    decision drafted against an older version passed: last decision wins)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    heading = models.CharField(_("heading"), max_length=HEADING_MAX_LENGTH)
    text = models.TextField(_("text"), max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    decision_public_id = models.UUIDField(null=True, blank=True)
    decision_url = models.CharField(max_length=300, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    based_on = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ("section", "number")
        constraints = [
            models.UniqueConstraint(fields=("section", "number"),
                                    name="section_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.section_id} v{self.number}"
