from __future__ import annotations

from chapterhouse.blogs import selectors, services
from chapterhouse.blogs.models import Blog, BlogPost
from chapterhouse.chapters.models import Chapter
from chapterhouse.discussions.models import Thread
from chapterhouse.discussions.selectors import thread_about
from chapterhouse.members.models import Member


def chapter_blog(chapter: Chapter) -> Blog:
    return selectors.blog_of_chapter(chapter)


def make_post(
    author: Member, *, blog: Blog | None = None, title: str = "Our first picnic",
    body: str = "We met in the **park**.", publish: bool = True,
) -> BlogPost:
    """A post written through the real service (in the author's home chapter's blog
    unless `blog` is given), published unless `publish` is False."""
    blog = blog if blog is not None else selectors.blog_of_chapter(author.home_chapter)
    return services.write_post(blog=blog, author=author, title=title, body=body,
                               publish=publish)


def comments_of(post: BlogPost) -> Thread:
    """The post's comment thread (it has one: it was published)."""
    thread = thread_about(post, kind="comments")
    if thread is None:
        raise AssertionError("The post has no comment thread.")
    return thread


def reloaded(post: BlogPost) -> BlogPost:
    """The post as the pages load it (with its blog, chapter and owner)."""
    found = selectors.get_post_by_id(post.public_id)
    if found is None:
        raise AssertionError("No such post.")
    return found
