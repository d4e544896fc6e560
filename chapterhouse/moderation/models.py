"""Moderation: members report content, facilitators hide or restore it, authors appeal.

- A `Report` is one member's open report of one thing (content registered with
  lib.reportables), with a reason; a second report by the same member updates the
  reason (one open report per member per thing). It belongs to the chapter of the
  content (`chapter`), and shows in the queue of that chapter's facilitators; from
  `escalates_at` (the time the chapter set, from the report) in the queues of the
  chapters above it too. A decision on the thing closes its open reports.
- `Hidden` is a thing hidden by the facilitators, with the reason shown in its place;
  restoring it sets `restored_at` (the row stays, for its appeal and the log).
- An `Appeal` is the author's one appeal of a hiding, decided by the facilitators of
  the parent chapter.
- An `Action` is one line of the chapter's public moderation log (no content).
- `ModerationSettings`: a chapter's choice of how long a report waits for its own
  facilitators before those above see it.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

REASON_MAX_LENGTH = 1000
DEFAULT_ESCALATION_HOURS = 72


class ModerationSettings(models.Model):
    chapter = models.OneToOneField("chapters.Chapter", on_delete=models.CASCADE,
                                   related_name="moderation_settings")
    escalate_after_hours = models.PositiveIntegerField(
        _("hours a report waits before the chapter above sees it"),
        default=DEFAULT_ESCALATION_HOURS,
    )

    def __str__(self) -> str:
        return f"moderation settings of {self.chapter_id}"


class Report(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE,
                                     related_name="+")
    object_id = models.PositiveBigIntegerField()
    # Null: content of no chapter (staff alone moderate it).
    chapter = models.ForeignKey("chapters.Chapter", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="moderation_reports")
    reporter = models.ForeignKey("members.Member", on_delete=models.CASCADE,
                                 related_name="moderation_reports")
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    escalates_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "reporter"],
                condition=models.Q(closed_at__isnull=True),
                name="moderation_report_open_once",
            ),
        ]
        indexes = [
            models.Index(fields=["chapter", "closed_at"], name="modreport_chapter_open"),
            models.Index(fields=["content_type", "object_id"], name="modreport_target"),
        ]

    def __str__(self) -> str:
        return f"report of {self.content_type_id}:{self.object_id} by {self.reporter_id}"


class Hidden(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE,
                                     related_name="+")
    object_id = models.PositiveBigIntegerField()
    chapter = models.ForeignKey("chapters.Chapter", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+")
    # Null once the author's account is gone: nobody to tell or to appeal.
    author = models.ForeignKey("members.Member", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    hidden_by = models.ForeignKey("members.Member", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    hidden_at = models.DateTimeField(default=timezone.now)
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                condition=models.Q(restored_at__isnull=True),
                name="moderation_hidden_once",
            ),
        ]

    def __str__(self) -> str:
        return f"hidden {self.content_type_id}:{self.object_id}"

    @property
    def is_current(self) -> bool:
        return self.restored_at is None


class Appeal(models.Model):
    class Outcome(models.TextChoices):
        UPHELD = "upheld", pgettext_lazy("appeal", "upheld")
        RESTORED = "restored", pgettext_lazy("appeal", "restored")

    hidden = models.OneToOneField(Hidden, on_delete=models.CASCADE, related_name="appeal")
    # The parent chapter's facilitators decide (null: staff alone, at the top).
    chapter = models.ForeignKey("chapters.Chapter", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+")
    text = models.TextField(_("why it should be restored"), max_length=REASON_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    decided_by = models.ForeignKey("members.Member", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(max_length=REASON_MAX_LENGTH, blank=True)

    class Meta:
        indexes = [models.Index(fields=["chapter", "decided_at"], name="modappeal_chapter")]

    def __str__(self) -> str:
        return f"appeal of {self.hidden_id}"


class Action(models.Model):
    """One line of a chapter's public moderation log: what kind of content, what was
    decided, why, and by whom (their role, not their name). Never the content."""

    class Kind(models.TextChoices):
        HIDE = "hide", pgettext_lazy("moderation", "hidden")
        RESTORE = "restore", pgettext_lazy("moderation", "restored")
        DISMISS = "dismiss", pgettext_lazy("moderation", "reports dismissed")
        APPEAL_UPHELD = "appeal_upheld", pgettext_lazy("moderation", "appeal: hiding upheld")
        APPEAL_RESTORED = "appeal_restored", pgettext_lazy("moderation", "appeal: restored")

    class Role(models.TextChoices):
        FACILITATOR = "facilitator", _("a facilitator of the chapter")
        PARENT_FACILITATOR = "parent", _("a facilitator of a chapter above")
        STAFF = "staff", _("the site's staff")

    chapter = models.ForeignKey("chapters.Chapter", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="moderation_actions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE,
                                     related_name="+")
    object_id = models.PositiveBigIntegerField()
    reason = models.TextField(max_length=REASON_MAX_LENGTH)
    actor = models.ForeignKey("members.Member", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    role = models.CharField(max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["chapter", "-created_at"], name="modaction_chapter")]

    def __str__(self) -> str:
        return f"{self.kind} {self.content_type_id}:{self.object_id}"

    @property
    def noun(self) -> str:
        """The kind of content ("post", "event"), from the cached content types."""
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        return str(model._meta.verbose_name) if model is not None else ""
