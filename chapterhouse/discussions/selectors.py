"""Reads: thread pages, forum lists, a post's place in its thread."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Model, Prefetch, QuerySet

from . import markup
from .models import Mention, Post, PostVersion, Thread

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter

POSTS_PER_PAGE = 50
THREADS_PER_PAGE = 50


def thread_about(subject: Model, *, kind: str) -> Thread | None:
    """The thread of `kind` whose subject is `subject` (e.g. a proposal's
    deliberation), or None. Its `subject` is the instance given, not loaded again."""
    thread = (
        Thread.objects.filter(
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=str(subject.pk),
            kind=kind,
        )
        .select_related("chapter")
        .first()
    )
    if thread is not None:
        thread.subject = subject  # the generic foreign key's own cache
    return thread


def get_thread(public_id: uuid.UUID) -> Thread | None:
    return (
        Thread.objects.select_related("chapter", "created_by").filter(public_id=public_id).first()
    )


def get_post(public_id: uuid.UUID) -> Post | None:
    return (
        Post.objects.select_related("thread__chapter", "author")
        .filter(public_id=public_id)
        .first()
    )


def posters_of(thread: Thread, *, limit: int = 200) -> list[int]:
    """The ids of the members who posted in `thread`, the latest first (at most `limit`:
    the people a reply most likely mentions)."""
    rows = (Post.objects.filter(thread=thread, author__isnull=False)
            .values_list("author_id", flat=True).order_by("-id")[: limit * 4])
    return list(dict.fromkeys(rows))[:limit]


def posts_of(thread: Thread) -> QuerySet[Post]:
    """The thread's posts in order, with what rendering them needs: authors, the
    posts answered and their authors, and the mentioned members (one more query
    for a page of posts, whatever its length)."""
    return (
        thread.posts.select_related("author", "reply_to__author")
        .prefetch_related(
            Prefetch("mentions", queryset=Mention.objects.select_related("member"))
        )
        .order_by("pk")
    )


@dataclass
class RenderedPost:
    post: Post
    html: str
    number: int  # position in the thread, from 1
    can_edit: bool = False


@dataclass
class ThreadPage:
    thread: Thread
    page: Page[Post]
    posts: list[RenderedPost] = field(default_factory=list)


def render_post(post: Post) -> str:
    """A post's body as safe HTML (uses the post's prefetched mentions)."""
    mentioned = {mention.member.public_id: mention.member for mention in post.mentions.all()}
    return markup.render(post.body, mentioned).html


def thread_page(thread: Thread, page_number: int | str | None, *,
                per_page: int = POSTS_PER_PAGE
                ) -> ThreadPage:
    """One page of a thread's posts, rendered. Three queries: the count, the
    posts (with authors and the posts they answer), their mentions."""
    page = Paginator(posts_of(thread), per_page).get_page(page_number)
    start = page.start_index()
    rendered = [
        RenderedPost(post=post, html=render_post(post), number=start + offset)
        for offset, post in enumerate(page.object_list)
    ]
    for item in rendered:
        item.post.thread = thread  # spares a query per post in permission checks
    return ThreadPage(thread=thread, page=page, posts=rendered)


def position_of(post: Post) -> int:
    """The post's number in its thread, from 1 (one query)."""
    return Post.objects.filter(thread_id=post.thread_id, pk__lt=post.pk).count() + 1


def page_of(post: Post, *, per_page: int = POSTS_PER_PAGE) -> int:
    return (position_of(post) - 1) // per_page + 1


def forum_threads(chapter: Chapter) -> QuerySet[Thread]:
    """The chapter's forum threads, most recently active first (not its sub-chapters')."""
    return (
        Thread.objects.filter(chapter=chapter, kind=Thread.Kind.FORUM)
        .select_related("created_by")
        .order_by("-last_post_at", "-pk")
    )


def versions_of(post: Post) -> QuerySet[PostVersion]:
    """Earlier bodies of a post, newest first."""
    return post.versions.order_by("-replaced_at", "-pk")


def post_count_problems() -> list[str]:
    """The threads whose stored number of posts (`Thread.post_count`) differs from the
    posts there are, in plain sentences (one query; empty when every count is exact)."""
    rows = (
        Thread.objects.order_by("pk").annotate(actual=Count("posts"))
        .exclude(post_count=F("actual")).values_list("public_id", "title", "post_count", "actual")
    )
    return [
        f"Thread {public_id} ({title!r}): stores {stored} posts, but has {actual}."
        for public_id, title, stored, actual in rows
    ]
