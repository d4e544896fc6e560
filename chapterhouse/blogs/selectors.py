"""Reading blogs: a chapter's or a member's blog, its posts, one post, a member's own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import QuerySet

from .models import Blog, BlogPost, BlogPostQuerySet

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member

# How many the chapter page shows; the blog page lists them all.
SHOWN_ON_CHAPTER_PAGE = 3
# How long the chapter page's panel is kept (services forget it when a post of the
# chapter's blog is published, unpublished, edited or deleted; an author's new name
# shows within this time).
PANEL_CACHE_SECONDS = 300
# How many posts a feed carries.
FEED_SIZE = 20


def blog_of_chapter(chapter: Chapter) -> Blog:
    """The chapter's blog, or an unsaved empty one (nothing written, nothing set)."""
    blog = Blog.objects.filter(chapter=chapter).first()
    if blog is None:
        blog = Blog(chapter=chapter)
    blog.chapter = chapter
    return blog


def blog_of_member(member: Member) -> Blog:
    """The member's blog, or an unsaved empty one."""
    blog = Blog.objects.filter(owner=member).first()
    if blog is None:
        blog = Blog(owner=member)
    blog.owner = member
    return blog


def _posts_of(blog: Blog) -> BlogPostQuerySet:
    if blog.pk is None:
        return BlogPostQuerySet(BlogPost).none()
    return BlogPostQuerySet(BlogPost).filter(blog=blog).select_related("author")


def published_posts(blog: Blog) -> QuerySet[BlogPost]:
    """The blog's published posts, newest first, with their authors (one query). Set
    `post.blog = blog` on each before asking its address (`with_blog`)."""
    posts: BlogPostQuerySet = _posts_of(blog)
    return posts.published().newest_first()


def drafts_of(blog: Blog, member: Member, *, all_writers: bool) -> QuerySet[BlogPost]:
    """The blog's drafts that `member` may see: their own, or (`all_writers`: a
    chapter blog's writer) every draft of the blog. Newest first."""
    posts: BlogPostQuerySet = _posts_of(blog)
    drafts = posts.drafts().order_by("-updated_at", "-pk")
    return drafts if all_writers else drafts.filter(author=member)


def with_blog(posts: list[BlogPost], blog: Blog) -> list[BlogPost]:
    """The posts, each knowing its blog (no query to make their addresses)."""
    for post in posts:
        post.blog = blog
    return posts


def latest_of_chapter(chapter: Chapter) -> list[BlogPost]:
    """The newest few (SHOWN_ON_CHAPTER_PAGE, and one more to know whether there are
    more) published posts of the chapter's blog, for its page. One query."""
    posts = list(
        BlogPost.objects.published().filter(blog__chapter=chapter)
        .select_related("author", "blog").newest_first()[: SHOWN_ON_CHAPTER_PAGE + 1]
    )
    for post in posts:
        post.blog.chapter = chapter
    return posts


def _panel_key(chapter_id: int) -> str:
    return f"blogs:panel:{chapter_id}"


def latest_for_chapter_page(chapter: Chapter) -> list[BlogPost]:
    """`latest_of_chapter`, from the cache: the chapter page has a budget of queries
    (QUALITY.md: 8), and its panels share it. No query when cached."""
    posts: list[BlogPost] = cache.get_or_set(
        _panel_key(chapter.pk), lambda: latest_of_chapter(chapter), PANEL_CACHE_SECONDS,
    ) or []
    for post in posts:
        post.blog.chapter = chapter
    return posts


def forget_chapter_page_posts(chapter_id: int) -> None:
    cache.delete(_panel_key(chapter_id))


def get_post(blog: Blog, slug: str) -> BlogPost | None:
    """The post `slug` of `blog` (of no other blog), or None."""
    post = _posts_of(blog).filter(slug=slug).first()
    if post is not None:
        post.blog = blog
    return post


def get_post_by_id(public_id: Any) -> BlogPost | None:
    return (
        BlogPost.objects.select_related(
            "author", "blog__chapter", "blog__owner")
        .filter(public_id=public_id).first()
    )


def feed_posts(blog: Blog) -> list[BlogPost]:
    """The newest FEED_SIZE published posts, knowing their blog. One query."""
    return with_blog(list(published_posts(blog)[:FEED_SIZE]), blog)


def account_export(member: Member) -> dict[str, Any]:
    """The blog posts the member wrote (drafts too), for their data export (one query)."""
    return {"blog_posts": [
        {
            "id": str(post.public_id),
            "blog": (f"chapter:{post.blog.chapter.url_path}" if post.blog.chapter is not None
                     else "member"),
            "title": post.title,
            "slug": post.slug,
            "body": post.body,
            "created_at": post.created_at.isoformat(),
            "updated_at": post.updated_at.isoformat(),
            "published_at": post.published_at.isoformat() if post.published_at else None,
        }
        for post in BlogPost.objects.filter(author=member)
        .select_related("blog__chapter").order_by("created_at", "pk")
    ]}
