"""Writing blogs: posts written, edited, published, unpublished and deleted, and the
chapter's setting of who writes in its blog.

Who may do each is the interfaces' check (the `blogs.*` rules); what is true whoever
calls (a title and a text, their lengths) is checked here: `ValidationError` naming
the field, nothing stored.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chapterhouse.discussions import selectors as discussion_selectors
from chapterhouse.discussions import services as discussion_services
from chapterhouse.discussions.models import Thread
from chapterhouse.lib import audit, pagecache
from chapterhouse.lib.text import without_bidi_controls

from . import selectors
from .models import BODY_MAX_LENGTH, SLUG_MAX_LENGTH, TITLE_MAX_LENGTH, Blog, BlogPost

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member

# Slugs the blog's own pages use after /blog/.
RESERVED_SLUGS = frozenset({"new", "feed", "settings"})
COMMENTS = Thread.Kind.COMMENTS


def _visible(text: str) -> bool:
    """Whether `text` shows anything: not only spaces and invisible marks (a right-to-
    left mark alone is not a title)."""
    return any(not unicodedata.category(char).startswith(("C", "Z")) for char in text)


def clean_title(title: str) -> str:
    text = " ".join(without_bidi_controls(title or "").split())
    if not _visible(text):
        raise ValidationError({"title": _("Give the post a title.")}, code="required")
    if len(text) > TITLE_MAX_LENGTH:
        raise ValidationError(
            {"title": _("A title can be at most %(limit)s characters long.")
             % {"limit": TITLE_MAX_LENGTH}}, code="max_length")
    return text


def clean_body(body: str) -> str:
    text = without_bidi_controls(body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not _visible(text):
        raise ValidationError({"body": _("Write the post's text.")}, code="required")
    if len(text) > BODY_MAX_LENGTH:
        raise ValidationError(
            {"body": _("A post can be at most %(limit)s characters long (this one has "
                       "%(length)s).") % {"limit": f"{BODY_MAX_LENGTH:,}",
                                           "length": f"{len(text):,}"}},
            code="max_length")
    return text


def _saved(blog: Blog) -> Blog:
    """The blog's row, made the first time it is needed (once, even when two writes
    make it at the same moment: the chapter and the owner are unique)."""
    if blog.pk is not None:
        return blog
    if blog.chapter_id is not None:
        saved, _made = Blog.objects.get_or_create(chapter=blog.chapter)
        saved.chapter = blog.chapter
    else:
        saved, _made = Blog.objects.get_or_create(owner=blog.owner)
        saved.owner = blog.owner
    return saved


def _base_slug(title: str) -> str:
    slug = slugify(title, allow_unicode=True)[:SLUG_MAX_LENGTH - 4].strip("-_")
    return slug if slug and slug not in RESERVED_SLUGS else "post"


def _free_slug(blog: Blog, title: str) -> str:
    base = _base_slug(title)
    taken = set(BlogPost.objects.filter(blog=blog, slug__startswith=base)
                .values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _forget_chapter_page(blog: Blog) -> None:
    """Signed-out visitors see the chapter page (its panel of posts) anew at once."""
    if blog.chapter is not None:
        path = blog.chapter.get_absolute_url()
        chapter_id = blog.chapter.pk

        def forget() -> None:
            selectors.forget_chapter_page_posts(chapter_id)
            pagecache.forget(path)

        transaction.on_commit(forget)


def _open_comments(post: BlogPost) -> None:
    """The post's comment thread, opened when it is first published (a draft has
    none: a thread is readable by its address). It starts empty: the post above it
    says what it is about. `blogs.comment` decides who may post in it."""
    if discussion_selectors.thread_about(post, kind=COMMENTS) is not None:
        return
    blog = post.blog
    author = post.author
    if author is None:
        return
    discussion_services.start_thread(
        chapter=blog.chapter if blog.chapter is not None else author.home_chapter,
        author=author, title=post.title, body=None, kind=COMMENTS, subject=post,
        posting_rule="blogs.comment",
    )


def write_post(
    *, blog: Blog, author: Member, title: str, body: str, publish: bool = False,
) -> BlogPost:
    """Store `author`'s post in `blog` (made now if it had no row yet), a draft, or
    published at once with `publish`. Its slug comes from the title, made unique in
    the blog (`-2`, `-3`…). Empty or oversized title or text: ValidationError."""
    title = clean_title(title)
    body = clean_body(body)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                blog = _saved(blog)
                now = timezone.now()
                post = BlogPost.objects.create(
                    blog=blog, author=author, title=title, body=body,
                    slug=_free_slug(blog, title), created_at=now, updated_at=now,
                    published_at=now if publish else None,
                )
                if publish:
                    _open_comments(post)
                    _forget_chapter_page(blog)
            return post
        except IntegrityError:
            # Another post took the same slug at the same moment: take the next one.
            continue
    raise ValidationError({"title": _("Try again: another post was just given this title.")})


def edit_post(
    *, post: BlogPost, editor: Member, title: str, body: str, publish: bool = False,
) -> BlogPost:
    """Change the post's title and text (its address stays), and publish a draft with
    `publish`. A published post shows the change at once, also on the chapter page."""
    title = clean_title(title)
    body = clean_body(body)
    with transaction.atomic():
        post.title = title
        post.body = body
        post.updated_at = timezone.now()
        post.save(update_fields=["title", "body", "updated_at"])
        if publish:
            publish_post(post=post, actor=editor)
        if post.is_published:
            _forget_chapter_page(post.blog)
    return post


def publish_post(*, post: BlogPost, actor: Member) -> BlogPost:
    """Publish a draft (now); opens its comments the first time. Publishing a
    published post changes nothing."""
    with transaction.atomic():
        if post.published_at is None:
            post.published_at = timezone.now()
            post.save(update_fields=["published_at"])
            _open_comments(post)
            _forget_chapter_page(post.blog)
    return post


def unpublish_post(*, post: BlogPost, actor: Member) -> BlogPost:
    """Make a published post a draft again: out of the blog, its feed and the chapter
    page. Its comments are kept for when it is published again."""
    with transaction.atomic():
        if post.published_at is not None:
            post.published_at = None
            post.save(update_fields=["published_at"])
            _forget_chapter_page(post.blog)
    return post


def delete_post(*, post: BlogPost, actor: Member) -> None:
    """Delete the post and its comments. In a chapter's blog it is audited (the
    chapter's content, perhaps deleted by a facilitator rather than its author)."""
    with transaction.atomic():
        blog = post.blog
        if blog.chapter_id is not None:
            audit.record(actor=actor, action="blogs.delete_post", target=post,
                         chapter=blog.chapter, data={"title": post.title})
        if post.is_published:
            _forget_chapter_page(blog)
        post.delete()  # its comment thread goes with it (BlogPost.threads)


def set_members_may_write(*, chapter: Chapter, actor: Member, allowed: bool) -> Blog:
    """Let every member of `chapter` write in its blog (`allowed`), or only its
    facilitators. A rule of the chapter: audited."""
    with transaction.atomic():
        blog, _made = Blog.objects.get_or_create(chapter=chapter)
        blog.chapter = chapter
        if blog.members_may_write != allowed:
            blog.members_may_write = allowed
            blog.save(update_fields=["members_may_write"])
            audit.record(actor=actor, action="blogs.members_may_write", target=blog,
                         chapter=chapter, data={"allowed": allowed})
    return blog
