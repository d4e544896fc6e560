"""Threads and posts: one discussion model for forums, proposal deliberation and
comments on anything (blog posts, events, projects)."""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 20_000


class Thread(models.Model):
    """A conversation in a chapter.

    `chapter` is the chapter whose members may post (unless `posting_rule` names
    another rule, see below); reading follows the chapter's visibility (every
    chapter is public to read for now).

    `subject` is what the thread is about, if anything: a proposal owns its
    deliberation thread, a blog post its comments. It is a generic relation
    (`subject_type`, `subject_id` = str(pk)); there is at most one thread of each
    kind per subject. Find it with `selectors.thread_about(subject, kind=…)`.

    `posting_rule`: "" means "members of `chapter` may post"; otherwise it names a
    `rules` permission checked against the subject, e.g. "decisions.deliberate",
    so the subject's app decides who may post (the affected members of a proposal).

    `post_count` and `last_post_at` are denormalised and kept by the services.
    """

    class Kind(models.TextChoices):
        FORUM = "forum", _("forum")
        DELIBERATION = "deliberation", _("deliberation")
        COMMENTS = "comments", _("comments")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chapter = models.ForeignKey(
        "chapters.Chapter", on_delete=models.PROTECT, related_name="threads",
        verbose_name=_("chapter"),
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FORUM)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
    )
    subject_id = models.CharField(max_length=64, null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    posting_rule = models.CharField(max_length=100, blank=True)
    # Null once the member deleted their account: the thread stays.
    created_by = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    last_post_at = models.DateTimeField(_("last post"), default=timezone.now)
    post_count = models.PositiveIntegerField(_("posts"), default=0)
    is_locked = models.BooleanField(_("locked"), default=False)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(
                fields=["chapter", "kind", "-last_post_at"], name="thread_chapter_recent"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "kind"],
                condition=models.Q(subject_type__isnull=False),
                name="thread_one_per_subject_and_kind",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(subject_type__isnull=True, subject_id__isnull=True)
                    | models.Q(subject_type__isnull=False, subject_id__isnull=False)
                ),
                name="thread_subject_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("discussions:thread", kwargs={"public_id": self.public_id})


class Post(models.Model):
    """One message in a thread. `body` is Markdown; rendered sanitised, with
    mentions (`@[Name](member:<public_id>)`) turned into profile links.

    Quoting is a reply whose body starts with the quoted text as a Markdown
    blockquote attributed with a link to the quoted post (`markup.quote`);
    `reply_to` is the post answered or quoted.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    # Null once the member deleted their account: shown as "former member".
    author = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="discussion_posts", verbose_name=_("author"),
    )
    body = models.TextField(_("message"), max_length=BODY_MAX_LENGTH)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("in reply to"),
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    edited_at = models.DateTimeField(pgettext_lazy("post", "edited"), null=True, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [models.Index(fields=["thread", "id"], name="post_thread_order")]

    def __str__(self) -> str:
        return self.body[:80]

    def get_absolute_url(self) -> str:
        """The permalink: redirects to the thread page where the post is."""
        return reverse("discussions:post", kwargs={"public_id": self.public_id})

    @property
    def is_removed(self) -> bool:
        """Whether its author removed its text when they deleted their account
        (services.remove_writing_of): the body is then empty and the post is shown as
        "removed by its author", keeping its place in the thread."""
        return not self.body


class PostVersion(models.Model):
    """A previous body of an edited post. Every edit keeps the body it replaced."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="versions")
    body = models.TextField()
    # When this body was written (the post's creation or its previous edit).
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")
        indexes = [models.Index(fields=["post", "-replaced_at"], name="postversion_post_recent")]

    def __str__(self) -> str:
        return f"{self.post_id} @ {self.written_at:%Y-%m-%d %H:%M}"


class Mention(models.Model):
    """A member mentioned in a post: notified once per post, whatever the edits."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "member"], name="mention_once_per_post"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.post_id}"


class Level(models.TextChoices):
    """How closely a member follows a thread or a forum (as Discourse's levels).

    DEFAULT is no choice made: a thread then follows its forum's level if the member
    watches or mutes the forum, else it is TRACKING. A forum is WATCHING, MUTED or
    DEFAULT (never TRACKING: tracking is what every thread does by default).
    """

    DEFAULT = "", _("default")
    WATCHING = "watching", _("watching")
    TRACKING = "tracking", _("tracking")
    MUTED = "muted", _("muted")


class ThreadRead(models.Model):
    """What one member knows of one thread: how far they read it, and how they follow
    it. One row per (member, thread), written when they first read it or choose a level.

    `last_read_post_id` is the highest post id read (posts are numbered in order, so
    every post of the thread with a higher id is new to them); null: read nothing yet,
    only a level chosen. It only moves forward (services.mark_read). Not a foreign
    key: it is compared, never joined, and must not be reset when a post goes.
    """

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    last_read_post_id = models.BigIntegerField(null=True, blank=True)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.DEFAULT,
                             blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thread read")
        verbose_name_plural = _("threads read")
        constraints = [
            models.UniqueConstraint(fields=["member", "thread"], name="threadread_once"),
        ]
        indexes = [
            # Who watches (or mutes) a thread, when a post is added.
            models.Index(fields=["thread", "level"], name="threadread_thread_level",
                         condition=~models.Q(level="")),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} read {self.thread_id} to {self.last_read_post_id}"


class ForumWatch(models.Model):
    """A member's level for a whole chapter forum (its forum threads, not its
    sub-chapters'): WATCHING (told of every post) or MUTED (told of nothing, nothing
    counted). No row: the default."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    chapter = models.ForeignKey("chapters.Chapter", on_delete=models.CASCADE,
                                related_name="+")
    level = models.CharField(
        max_length=10,
        choices=[(Level.WATCHING, Level.WATCHING.label), (Level.MUTED, Level.MUTED.label)],
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("forum followed")
        verbose_name_plural = _("forums followed")
        constraints = [
            models.UniqueConstraint(fields=["member", "chapter"], name="forumwatch_once"),
            models.CheckConstraint(condition=models.Q(level__in=["watching", "muted"]),
                                   name="forumwatch_level_known"),
        ]
        indexes = [models.Index(fields=["chapter", "level"], name="forumwatch_chapter_level")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.level} {self.chapter_id}"
