"""A chapter's library (links, documents and files, with tags) and the lessons learned
that a chapter shares with every chapter.

- A `Resource` is either a link (`url`, http or https) or a file (`file`), never both
  (a database constraint). Files are checked by their content (services.check_upload),
  stored under PRIVATE_MEDIA_ROOT with a name made here (never under MEDIA_ROOT, which
  is served to anyone), and served by the app after the same check as the resource.
- `visibility`: public, or the chapter's members only (everyone whose home is the
  chapter or below it).
- `Tag`: one row per normalised name (lower case, single spaces), shared by the
  resources of every chapter.
- A `Lesson` is a write-up by a member of its chapter, read by the whole organisation
  (the /lessons/ index). `LessonHelp` is "this helped us" from another chapter: one
  per chapter per lesson (a constraint); `helped_count` counts them (kept by services).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chapterhouse.conversations.models import private_storage

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000
URL_MAX_LENGTH = 2000
TAG_MAX_LENGTH = 40
TAGS_MAX = 10
LESSON_BODY_MAX_LENGTH = 20_000
REASON_MAX_LENGTH = 500


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Members of the chapter only")


class Topic(models.TextChoices):
    ORGANISING = "organising", _("Organising and recruitment")
    CAMPAIGNS = "campaigns", _("Campaigns and actions")
    EVENTS = "events", _("Events and meetings")
    COMMUNICATION = "communication", _("Communication and media")
    FUNDRAISING = "fundraising", _("Money and fundraising")
    GOVERNANCE = "governance", _("Decisions and governance")
    MUTUAL_AID = "mutual_aid", _("Mutual aid")
    WELLBEING = "wellbeing", _("Care and wellbeing")
    OTHER = "other", _("Other")


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=TAG_MAX_LENGTH, unique=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~models.Q(name=""), name="tag_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


def resource_file_path(instance: Resource, filename: str) -> str:
    # Names are made here, never taken from the upload (no path tricks reach the disk).
    return f"resources/{uuid.uuid4().hex}.{instance.extension or 'bin'}"


class ResourceQuerySet(models.QuerySet["Resource"]):
    def newest_first(self) -> ResourceQuerySet:
        return self.order_by("-created_at", "-pk")


class Resource(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.CASCADE, related_name="resources"
    )
    # The resource stays when its author's account goes (the chapter keeps its library),
    # unless they ask for their writing to go too (services.remove_writing_of).
    author = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="resources",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH,
                                   blank=True)
    url = models.URLField(_("link"), max_length=URL_MAX_LENGTH, blank=True)
    file = models.FileField(storage=private_storage, upload_to=resource_file_path,
                            max_length=200, blank=True)
    # What the file was found to be by its content, and the name it is downloaded as
    # (the upload's name, cleaned, with the extension of what it really is).
    content_type = models.CharField(max_length=100, blank=True)
    extension = models.CharField(max_length=10, blank=True)
    filename = models.CharField(max_length=150, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    visibility = models.CharField(_("who can see it"), max_length=10,
                                  choices=Visibility.choices, default=Visibility.PUBLIC)
    tags = models.ManyToManyField(Tag, blank=True, related_name="resources")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["chapter", "-created_at"], name="resource_chapter_new"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="resource_has_title"),
            models.CheckConstraint(
                condition=(models.Q(url="") & ~models.Q(file=""))
                | (~models.Q(url="") & models.Q(file="")),
                name="resource_link_or_file",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:detail", kwargs={
            "url_path": self.chapter.url_path, "public_id": self.public_id,
        })

    @property
    def is_file(self) -> bool:
        return bool(self.file)

    def get_download_url(self) -> str:
        return reverse("resources:download", kwargs={
            "url_path": self.chapter.url_path, "public_id": self.public_id,
        })


class LessonQuerySet(models.QuerySet["Lesson"]):
    def newest_first(self) -> LessonQuerySet:
        return self.order_by("-created_at", "-pk")


class Lesson(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.CASCADE, related_name="lessons"
    )
    author = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="lessons",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    body = models.TextField(_("text"), max_length=LESSON_BODY_MAX_LENGTH)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    helped_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = LessonQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["-created_at"], name="lesson_new"),
            models.Index(fields=["topic", "-created_at"], name="lesson_topic_new"),
        ]
        constraints = [
            # The body is empty only once its author removed it as they left
            # (services.remove_writing_of): the lesson keeps its place.
            models.CheckConstraint(condition=~models.Q(title=""), name="lesson_has_title"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resources:lesson", kwargs={"public_id": self.public_id})

    @property
    def is_removed(self) -> bool:
        return not self.body


class LessonHelp(models.Model):
    """"This helped us": `chapter` (the home chapter of the member who said it) found
    the lesson useful. Once per chapter per lesson."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="helps")
    chapter = models.ForeignKey("chapters.Chapter", on_delete=models.CASCADE,
                                related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lesson", "chapter"],
                                    name="lesson_help_once_per_chapter"),
        ]

    def __str__(self) -> str:
        return f"{self.lesson_id} ← {self.chapter_id}"
