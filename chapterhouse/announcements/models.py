"""A chapter's announcements to its members."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 20_000
REASON_MAX_LENGTH = 500


class AnnouncementQuerySet(models.QuerySet["Announcement"]):
    def shown_in(self, chain: list[Chapter]) -> AnnouncementQuerySet:
        """What the page of the last chapter of `chain` (a chapter and its ancestors,
        root first) shows: its own announcements, and those of the chapters above it
        that were sent to every chapter below them. No join: the chain is known."""
        *ancestors, chapter = chain
        return self.shown().filter(
            models.Q(chapter_id=chapter.pk)
            | models.Q(chapter_id__in=[c.pk for c in ancestors], reaches_subchapters=True)
        )

    def shown(self) -> AnnouncementQuerySet:
        """Those not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def newest_first(self) -> AnnouncementQuerySet:
        return self.order_by("-created_at", "-pk")


class Announcement(models.Model):
    """What a chapter (a facilitator, or a member where the chapter allows it) tells
    its members: every member of the chapter is told (everyone whose home is the
    chapter or below it). `reaches_subchapters`: shown on the page of every chapter
    below too, not only on this chapter's. Written only by services (announce, edit,
    withdraw). A withdrawn announcement (`withdrawn_at` set) leaves every page and
    list; its own page says who withdrew it and when, and shows nothing of what it
    said."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.CASCADE, related_name="announcements"
    )
    # The announcement stays when its author's account goes (the chapter said it).
    author = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="announcements",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("text"), max_length=BODY_MAX_LENGTH)
    reaches_subchapters = models.BooleanField(
        _("also shown on every chapter below"), default=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The last change of its title or text (None: never edited).
    edited_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Who withdrew it: its author or one of the chapter's facilitators (kept when
    # their account goes: the page then says "a former member").
    withdrawn_by = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="withdrawn_announcements",
    )
    withdrawal_reason = models.CharField(
        _("reason"), max_length=REASON_MAX_LENGTH, blank=True, default=""
    )

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["chapter", "-created_at"], name="announcement_chapter_new"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(title="") & ~models.Q(body=""),
                name="announcement_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("announcements:detail", kwargs={
            "url_path": self.chapter.url_path, "public_id": self.public_id,
        })

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
