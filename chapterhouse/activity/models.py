"""What happened in the organisation, one row per thing (the activity feed's lines),
and who follows which chapters and working groups.

An `Activity` stores its kind and the parameters of its line (a title, a link), never
translated text: the line is written in the reader's language when shown
(presenters). `audience` is who may see it, kept up to date by the services from the
source's own rules (drafts, withdrawn or hidden items: nobody; a section the chapter
keeps to its members: the chapter's members), so every list filters in the query.
"""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PROPOSAL = "proposal", _("New proposals")
    DECISION = "decision", _("Decisions made")
    EVENT = "event", _("New events")
    EVENT_HELD = "event_held", _("Events held")
    BLOG_POST = "blog_post", _("Blog posts")
    LESSON = "lesson", _("Lessons shared")
    ANNOUNCEMENT = "announcement", _("Announcements")
    AID_REQUEST = "aid_request", _("Mutual-aid requests")
    TASK_DONE = "task_done", _("Tasks done by working groups")


# What the International "what chapters are doing" page shows.
PULSE_KINDS = (Kind.DECISION, Kind.EVENT_HELD, Kind.LESSON)


class Audience(models.TextChoices):
    PUBLIC = "public", _("everyone")
    MEMBERS = "members", _("the chapter's members")
    NONE = "none", _("nobody")


class ActivityQuerySet(models.QuerySet["Activity"]):
    def happened(self) -> ActivityQuerySet:
        """What has happened by now (an event held is dated by its end)."""
        return self.filter(happened_at__lte=timezone.now())

    def newest_first(self) -> ActivityQuerySet:
        return self.order_by("-happened_at", "-pk")


class Activity(models.Model):
    kind = models.CharField(max_length=20, choices=Kind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    chapter = models.ForeignKey("chapters.Chapter", on_delete=models.CASCADE,
                                related_name="activities")
    # The working group it belongs to, if any (what following a group shows).
    group = models.ForeignKey("projects.Group", on_delete=models.CASCADE, null=True,
                              blank=True, related_name="activities")
    happened_at = models.DateTimeField()
    audience = models.CharField(max_length=10, choices=Audience.choices)
    # The line's parameters: {"title": …, "url": …, "outcome": …}; never translated text.
    params = models.JSONField(default=dict)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["kind", "content_type", "object_id"],
                                    name="activity_once_per_kind_and_object"),
            models.CheckConstraint(condition=Q(audience__in=["public", "members", "none"]),
                                   name="activity_audience_known"),
        ]
        indexes = [
            models.Index(fields=["chapter", "-happened_at"], name="activity_chapter_new"),
            models.Index(fields=["group", "-happened_at"], name="activity_group_new"),
            models.Index(fields=["kind", "-happened_at"], name="activity_kind_new"),
            models.Index(fields=["-happened_at"], name="activity_new"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.params.get('title', '')}"


class Follow(models.Model):
    """A member follows a chapter (any, anywhere) or a working group: its activity joins
    their feed. Exactly one of `chapter` and `group`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE,
                               related_name="follows")
    chapter = models.ForeignKey("chapters.Chapter", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="followers")
    group = models.ForeignKey("projects.Group", on_delete=models.CASCADE, null=True,
                              blank=True, related_name="followers")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=Q(chapter__isnull=False, group__isnull=True)
                | Q(chapter__isnull=True, group__isnull=False),
                name="follow_one_thing"),
            models.UniqueConstraint(fields=["member", "chapter"], name="follow_chapter_once",
                                    condition=Q(chapter__isnull=False)),
            models.UniqueConstraint(fields=["member", "group"], name="follow_group_once",
                                    condition=Q(group__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.chapter_id or self.group_id}"


class FeedVisit(models.Model):
    """When the member last looked at their feed ("since your last visit")."""

    member = models.OneToOneField("members.Member", on_delete=models.CASCADE,
                                  related_name="feed_visit")
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.member_id} {self.seen_at}"
