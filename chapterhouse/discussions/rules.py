"""Who may do what in discussions. Checked through `user.has_perm(name, obj)`.

- Anyone may read, except a forum thread of a chapter whose forums its members
  decided to keep to themselves (chapters.sections).
- Members of a thread's chapter (home chapter at or below it) may post, unless the
  thread names its own `posting_rule` (a deliberation thread: the decisions app
  decides), and nobody posts in a locked thread. Where a chapter decided that only
  its facilitators start forum threads, only they do.
- Authors edit their own posts, while the thread is not locked.
- Facilitators of the thread's chapter (and staff) lock and unlock threads.
"""

from __future__ import annotations

import rules

from chapterhouse.chapters import sections
from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.rules import is_active_facilitator, section_open_to
from chapterhouse.lib.interface import Viewer

from . import subjects
from .models import Post, Thread


def _belongs(viewer: Viewer, chapter: Chapter) -> bool:
    # member.home_chapter is cached on the member: one query per request at most.
    member = viewer.active_member
    return member is not None and member.belongs_to(chapter)


@rules.predicate
def belongs_to_chapter(viewer: Viewer, chapter: Chapter | None) -> bool:
    return chapter is not None and _belongs(viewer, chapter)


@rules.predicate
def may_read_thread(viewer: Viewer, thread: Thread | None) -> bool:
    """A thread about something is read by those who see its subject (subjects.py); a
    forum thread where the chapter's forums are visible to the viewer."""
    if thread is None:
        return False
    if thread.subject_type_id is not None:
        permission = subjects.view_permission(thread.subject_type_id)
        return permission is None or viewer.can(permission, thread.subject)
    return sections.may_view(thread.chapter, "forums", belongs=_belongs(viewer, thread.chapter))


@rules.predicate
def may_join_thread(viewer: Viewer, thread: Thread | None) -> bool:
    """The thread's own posting rule if it names one, else membership of its chapter."""
    if thread is None or viewer.member is None:
        return False
    if thread.posting_rule:
        subject = thread.subject
        return subject is not None and viewer.can(thread.posting_rule, subject)
    return _belongs(viewer, thread.chapter)


@rules.predicate
def thread_is_open(viewer: Viewer, thread: Thread | None) -> bool:
    return thread is not None and not thread.is_locked


@rules.predicate
def is_post_author(viewer: Viewer, post: Post | None) -> bool:
    member = viewer.member
    return (
        member is not None and post is not None and post.author_id is not None
        and post.author_id == member.pk
    )


@rules.predicate
def post_thread_is_open(viewer: Viewer, post: Post | None) -> bool:
    return post is not None and not post.thread.is_locked


@rules.predicate
def facilitates_thread_chapter(viewer: Viewer, thread: Thread | None) -> bool:
    return thread is not None and is_active_facilitator(viewer, thread.chapter)


rules.add_perm("discussions.view_thread", may_read_thread)
rules.add_perm("discussions.start_thread", section_open_to("forums"))
rules.add_perm("discussions.post_in_thread", may_join_thread & thread_is_open)
rules.add_perm("discussions.edit_post", is_post_author & post_thread_is_open)
rules.add_perm("discussions.lock_thread", facilitates_thread_chapter | rules.is_staff)
