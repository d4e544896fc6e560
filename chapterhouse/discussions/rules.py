"""Who may do what in discussions. Checked through `user.has_perm(name, obj)`.

- Anyone may read (every chapter is public to read for now).
- Members of a thread's chapter (home chapter at or below it) may post, unless the
  thread names its own `posting_rule` (a deliberation thread: the decisions app
  decides), and nobody posts in a locked thread.
- Authors edit their own posts, while the thread is not locked.
- Facilitators of the thread's chapter (and staff) lock and unlock threads.
"""

from __future__ import annotations

import rules

from chapterhouse.chapters.models import Chapter
from chapterhouse.chapters.rules import is_active_facilitator
from chapterhouse.members.rules import member_of

from .models import Post, Thread


def _belongs(user, chapter: Chapter) -> bool:
    member = member_of(user)
    if member is None or not user.is_active:
        return False
    # member.home_chapter is cached on the member: one query per request at most.
    return member.home_chapter.path.startswith(chapter.path)


@rules.predicate
def belongs_to_chapter(user, chapter: Chapter | None) -> bool:
    return chapter is not None and _belongs(user, chapter)


@rules.predicate
def may_join_thread(user, thread: Thread | None) -> bool:
    """The thread's own posting rule if it names one, else membership of its chapter."""
    if thread is None or member_of(user) is None:
        return False
    if thread.posting_rule:
        subject = thread.subject
        return subject is not None and user.has_perm(thread.posting_rule, subject)
    return _belongs(user, thread.chapter)


@rules.predicate
def thread_is_open(user, thread: Thread | None) -> bool:
    return thread is not None and not thread.is_locked


@rules.predicate
def is_post_author(user, post: Post | None) -> bool:
    member = member_of(user)
    return (
        member is not None and post is not None and post.author_id is not None
        and post.author_id == member.pk
    )


@rules.predicate
def post_thread_is_open(user, post: Post | None) -> bool:
    return post is not None and not post.thread.is_locked


@rules.predicate
def facilitates_thread_chapter(user, thread: Thread | None) -> bool:
    return thread is not None and is_active_facilitator(user, thread.chapter)


rules.add_perm("discussions.view_thread", rules.always_allow)
rules.add_perm("discussions.start_thread", belongs_to_chapter)
rules.add_perm("discussions.post_in_thread", may_join_thread & thread_is_open)
rules.add_perm("discussions.edit_post", is_post_author & post_thread_is_open)
rules.add_perm("discussions.lock_thread", facilitates_thread_chapter | rules.is_staff)
