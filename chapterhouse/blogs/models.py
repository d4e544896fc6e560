"""Blogs: a chapter's (written by its facilitators, and its members where the chapter
allows it) and a member's own. Their comments are a discussions thread."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 50_000
SLUG_MAX_LENGTH = 80


class Blog(models.Model):
    """A chapter's blog (`chapter` set) or a member's (`owner` set), never both.

    Made by the services when its first post is written, or when its chapter's
    facilitators first change its settings: a chapter or a member without a row has
    an empty blog (selectors.blog_of_chapter gives an unsaved one).
    `members_may_write`: every member of the chapter writes in its blog, not only its
    facilitators (a chapter blog's setting, changed by its facilitators)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    chapter = models.OneToOneField(
        "chapters.Chapter", on_delete=models.CASCADE, null=True, blank=True,
        related_name="blog",
    )
    # The member's blog goes with their account (posts and comments).
    owner = models.OneToOneField(
        "members.Member", on_delete=models.CASCADE, null=True, blank=True,
        related_name="blog",
    )
    members_may_write = models.BooleanField(
        _("every member of the chapter may write in its blog"), default=False,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(chapter__isnull=False, owner__isnull=True)
                    | models.Q(chapter__isnull=True, owner__isnull=False)
                ),
                name="blog_of_chapter_or_member",
            ),
        ]

    def __str__(self) -> str:
        return f"blog of chapter {self.chapter_id}" if self.chapter_id else (
            f"blog of member {self.owner_id}")

    def get_absolute_url(self) -> str:
        return self.reverse("blogs:chapter", "blogs:member")

    @property
    def is_chapter_blog(self) -> bool:
        return self.chapter_id is not None

    def get_feed_url(self) -> str:
        return self.reverse("blogs:chapter_feed", "blogs:member_feed")

    def reverse(self, chapter_view: str, member_view: str, **kwargs: str) -> str:
        """The address of the blog's page `chapter_view` (a chapter's blog) or
        `member_view` (a member's), with `kwargs`."""
        if self.chapter is not None:
            return reverse(chapter_view, kwargs={"url_path": self.chapter.url_path, **kwargs})
        if self.owner is None:
            raise ValueError("A blog belongs to a chapter or to a member.")
        return reverse(member_view, kwargs={"public_id": self.owner.public_id, **kwargs})


class BlogPostQuerySet(models.QuerySet["BlogPost"]):
    def published(self) -> BlogPostQuerySet:
        return self.filter(published_at__isnull=False)

    def drafts(self) -> BlogPostQuerySet:
        return self.filter(published_at__isnull=True)

    def newest_first(self) -> BlogPostQuerySet:
        return self.order_by("-published_at", "-pk")


class BlogPost(models.Model):
    """One post. `body` is Markdown (rendered sanitised by lib.markdown). A draft has
    no `published_at`; publishing sets it (again, after an unpublish); `updated_at` is
    the last change of its text. `slug` is made from the first title and kept (its
    address does not change with an edit). Written only by services."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    blog = models.ForeignKey(Blog, on_delete=models.CASCADE, related_name="posts")
    # A chapter-blog post is the chapter's: it stays, signed "former member", when its
    # author's account goes (a member-blog post goes with its blog).
    author = models.ForeignKey(
        "members.Member", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="blog_posts",
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, allow_unicode=True)
    body = models.TextField(_("text"), max_length=BODY_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    # Its comments (discussions: one thread of kind "comments"), deleted with it.
    threads = GenericRelation(
        "discussions.Thread", content_type_field="subject_type", object_id_field="subject_id",
    )

    objects = BlogPostQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["blog", "-published_at"], name="blogpost_blog_published"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["blog", "slug"], name="blogpost_slug_once"),
            models.CheckConstraint(
                condition=~models.Q(title="") & ~models.Q(body="") & ~models.Q(slug=""),
                name="blogpost_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.blog.reverse("blogs:chapter_post", "blogs:member_post", slug=self.slug)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def last_change(self) -> datetime:
        """When the post was last published or edited, whichever is later."""
        if self.published_at is None:
            return self.updated_at
        return max(self.updated_at, self.published_at)
