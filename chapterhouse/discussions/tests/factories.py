from __future__ import annotations

from chapterhouse.chapters.models import Chapter
from chapterhouse.discussions import services
from chapterhouse.discussions.models import Post, Thread
from chapterhouse.members.models import Member

HACKNEY = "gb/eng/london/hackney"


def chapter_at(url_path: str) -> Chapter:
    return Chapter.objects.get(url_path=url_path)


def make_thread(
    author: Member,
    *,
    chapter: Chapter | None = None,
    title: str = "Where shall we meet?",
    body: str | None = "The library or the park?",
    replies: int = 0,
    **options: object,
) -> Thread:
    """A thread started through the real service, with `replies` more posts by the author."""
    thread = services.start_thread(
        chapter=chapter or author.home_chapter, author=author, title=title, body=body,
        **options,  # type: ignore[arg-type]
    )
    for index in range(replies):
        services.reply(thread=thread, author=author, body=f"Reply number {index + 1}")
    thread.refresh_from_db()
    return thread


def first_post(thread: Thread) -> Post:
    return thread.posts.order_by("pk").first()  # type: ignore[return-value]
