from __future__ import annotations

from chapterhouse.blogs import selectors, services
from chapterhouse.blogs.models import Blog, BlogPost
from chapterhouse.chapters.models import Chapter
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
