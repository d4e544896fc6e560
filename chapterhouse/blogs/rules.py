"""Who may read and write blogs. Checked through `viewer.can(name, obj)`.

- A chapter's blog is read by anyone (chapters are public to read, as their forums
  and announcements are). A member's blog is read by whoever may see their profile
  (`Member.visible_to`: everyone, members, or only them).
- A chapter's blog is written by its facilitators (of the chapter itself, as
  chapters.rules says) and, where they allow it (`Blog.members_may_write`, their
  setting), by every active member who belongs to the chapter: its writers.
  A member's blog by its owner only.
- A draft is seen by its author and, in a chapter's blog, by the chapter's writers;
  by nobody else (a 404). Its author (while still a writer) and the chapter's
  facilitators edit, publish, unpublish and delete a chapter-blog post; the owner
  those of their own blog.
- Comments on a published post: members of its chapter (chapter blog), any active
  member who may read it (member blog). The comment thread names `blogs.comment`
  as its posting rule, so discussions asks here.
"""

from __future__ import annotations

import rules

from chapterhouse.chapters import sections
from chapterhouse.chapters.rules import is_active_facilitator, may_add_to_section
from chapterhouse.lib.interface import Viewer

from .models import Blog, BlogPost


def _is_writer(viewer: Viewer, blog: Blog) -> bool:
    member = viewer.active_member
    if member is None:
        return False
    chapter = blog.chapter
    if chapter is None:
        return blog.owner_id == member.pk
    # The chapter's decision on its blog section (chapters.sections) comes first: turned
    # off, nobody writes; where only facilitators (or a working group) post, the other
    # members do not, whatever the blog allows.
    if not sections.setting(chapter, "blog").shown:
        return False
    return bool(is_active_facilitator(viewer, chapter)) or (
        blog.members_may_write and may_add_to_section(viewer, chapter, "blog"))


def _may_read_blog(viewer: Viewer, blog: Blog) -> bool:
    chapter = blog.chapter
    if chapter is not None:
        member = viewer.active_member
        return sections.may_view(chapter, "blog",
                                 belongs=member is not None and member.belongs_to(chapter))
    owner = blog.owner
    return owner is not None and owner.visible_to(viewer.member)


@rules.predicate
def may_read_blog(viewer: Viewer, blog: Blog | None) -> bool:
    return blog is not None and _may_read_blog(viewer, blog)


@rules.predicate
def writes_in_blog(viewer: Viewer, blog: Blog | None) -> bool:
    return blog is not None and _is_writer(viewer, blog)


@rules.predicate
def facilitates_blog_chapter(viewer: Viewer, blog: Blog | None) -> bool:
    return (blog is not None and blog.chapter_id is not None
            and viewer.active_member is not None
            and bool(is_active_facilitator(viewer, blog.chapter)))


@rules.predicate
def may_read_post(viewer: Viewer, post: BlogPost | None) -> bool:
    if post is None or not _may_read_blog(viewer, post.blog):
        return False
    if post.is_published:
        return True
    member = viewer.active_member
    if member is None:
        return False
    return post.author_id == member.pk or (
        post.blog.chapter_id is not None and _is_writer(viewer, post.blog))


@rules.predicate
def may_change_post(viewer: Viewer, post: BlogPost | None) -> bool:
    member = viewer.active_member
    if post is None or member is None:
        return False
    blog = post.blog
    if blog.chapter_id is None:
        return blog.owner_id == member.pk
    if is_active_facilitator(viewer, blog.chapter):
        return True
    return post.author_id == member.pk and _is_writer(viewer, blog)


@rules.predicate
def may_comment(viewer: Viewer, post: BlogPost | None) -> bool:
    member = viewer.active_member
    if post is None or member is None or not post.is_published:
        return False
    if not _may_read_blog(viewer, post.blog):
        return False
    chapter = post.blog.chapter
    return chapter is None or member.belongs_to(chapter)


rules.add_perm("blogs.view_blog", may_read_blog)
rules.add_perm("blogs.write", writes_in_blog)
rules.add_perm("blogs.configure", facilitates_blog_chapter)
rules.add_perm("blogs.view_post", may_read_post)
rules.add_perm("blogs.change_post", may_change_post)
rules.add_perm("blogs.comment", may_comment)
