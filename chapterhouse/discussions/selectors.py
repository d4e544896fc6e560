"""Reads: thread pages, forum lists, a post's place in its thread."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString

from chapterhouse.lib.rawsql import Prepared

from . import markup
from .models import ForumWatch, Level, Mention, Post, PostVersion, Thread, ThreadRead

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member

POSTS_PER_PAGE = 50
THREADS_PER_PAGE = 50


def _thread_about(subject_type_id: int, subject_id: str, kind: str) -> QuerySet[Thread]:
    return (Thread.objects.filter(subject_type_id=subject_type_id, subject_id=subject_id,
                                  kind=kind)
            .select_related("chapter").order_by("pk")[:1])


# Every proposal page asks it: its SQL is built once (lib.rawsql.Prepared).
_THREAD_ABOUT = Prepared(_thread_about)


def thread_about(subject: Model, *, kind: str) -> Thread | None:
    """The thread of `kind` whose subject is `subject` (e.g. a proposal's
    deliberation), or None. Its `subject` is the instance given, not loaded again."""
    found = _THREAD_ABOUT(ContentType.objects.get_for_model(subject).pk, str(subject.pk),
                          str(kind))
    thread = found[0] if found else None
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


# What a page of posts shows of each (discussions/_post.html, _post_author.html,
# _post_meta.html and the checks of discussion_context): the authors' profile
# columns and the answered posts' bodies are not loaded. A field used there and not
# listed here costs a query per post (tests/test_queries.py counts them).
POST_FIELDS = (
    "public_id", "thread_id", "author_id", "body", "reply_to_id", "created_at", "edited_at",
    "author__public_id", "author__display_name", "author__avatar", "author__joined_at",
    "author__last_seen", "author__show_presence", "author__profile_visibility",
    "author__user__is_active",
    "reply_to__public_id", "reply_to__author_id", "reply_to__author__display_name",
)
MENTION_FIELDS = ("post_id", "member__public_id", "member__display_name")


def posts_of(thread: Thread) -> QuerySet[Post]:
    """The thread's posts in order, with what rendering them needs (POST_FIELDS):
    authors, the posts answered and their authors (`mentioned_in` gives the members
    they mention)."""
    return (
        thread.posts.select_related("author__user", "reply_to__author")
        .only(*POST_FIELDS)
        .order_by("pk")
    )


def mentioned_in(posts: list[Post]) -> dict[int, dict[uuid.UUID, Member]]:
    """The members each of `posts` mentions, by post id and member public id: one
    query, and none when no post's body has a mention (most pages)."""
    ids = [post.pk for post in posts if markup.MENTION.search(post.body)]
    found: dict[int, dict[uuid.UUID, Member]] = {}
    if ids:
        mentions = (Mention.objects.filter(post_id__in=ids).select_related("member")
                    .only(*MENTION_FIELDS))
        for mention in mentions:
            found.setdefault(mention.post_id, {})[mention.member.public_id] = mention.member
    return found


@dataclass(frozen=True)
class PostHead:
    """A post's head as every reader sees it (presenters.attach_heads sets it)."""

    author: SafeString  # discussions/_post_author.html
    meta: SafeString  # discussions/_post_meta.html


@dataclass
class RenderedPost:
    post: Post
    html: str
    number: int  # position in the thread, from 1
    head: PostHead | None = None
    can_edit: bool = False
    is_new: bool = False  # not read by the viewer before this page was shown
    first_new: bool = False  # the first of those on the page (the jump's anchor)
    show_presence: bool = False  # the author's online state may be shown to the viewer
    shown: SafeString | None = None  # the whole <li> for this reader (presenters.attach_posts)


@dataclass
class ThreadPage:
    thread: Thread
    page: Page[Post]
    posts: list[RenderedPost] = field(default_factory=list)


def render_post(post: Post) -> str:
    """A post's body as safe HTML (uses the post's prefetched mentions)."""
    mentioned = {mention.member.public_id: mention.member for mention in post.mentions.all()}
    return markup.render(post.body, mentioned).html


def preview_html(body: str) -> SafeString:
    """`body` rendered exactly as a post with it will be (the same sanitising render,
    mentions of active members as links): one query when it mentions anyone."""
    from chapterhouse.members.models import Member

    ids = markup.mentioned_ids(body)
    members = Member.objects.filter(public_id__in=ids, user__is_active=True) if ids else []
    return markup.render(body, {member.public_id: member for member in members}).html


def thread_page(thread: Thread, page_number: int | str | None, *,
                per_page: int = POSTS_PER_PAGE
                ) -> ThreadPage:
    """One page of a thread's posts, rendered. One query, the posts (with authors and
    the posts they answer), and one more when one of them mentions someone. The pages
    are counted from the thread's own `post_count` (kept by the services, checked by
    the data check)."""
    paginator = Paginator(posts_of(thread), per_page)
    paginator.count = thread.post_count  # a cached_property: set, it is not counted
    page = paginator.get_page(page_number)
    start = page.start_index()
    posts = list(page.object_list)
    mentioned = mentioned_in(posts)
    rendered = [
        RenderedPost(post=post, html=markup.render(post.body, mentioned.get(post.pk)).html,
                     number=start + offset)
        for offset, post in enumerate(posts)
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


# -- What is new to a member, and how they follow threads and forums ---------------------
#
# A thread's posts are new to a member when their id is above the member's
# ThreadRead.last_read_post_id; a thread they never opened counts the posts written
# since they joined. Counts are subqueries in the list's own query (an index range
# scan of post_thread_order per thread), never a query per row.


def effective_level(chosen: str, forum: str) -> Level:
    """A member's level for a thread: their own choice, else their forum's (watched or
    muted), else tracking."""
    if chosen:
        return Level(chosen)
    if forum:
        return Level(forum)
    return Level.TRACKING


def _reads_of(member: Member) -> QuerySet[ThreadRead]:
    return ThreadRead.objects.filter(member=member, thread=OuterRef("pk"))


def _reading(threads: QuerySet[Thread], member: Member) -> QuerySet[Thread]:
    """`threads` with `read_upto` (the highest post id the member has read, or else the
    last post written before they joined, or 0), `chosen` (their level, "" for none),
    `forum_level` ("" unless they watch or mute the thread's chapter forum, for forum
    threads), `new_count` and `first_unread` (the public id of the first new post)."""
    before_joining = (
        Post.objects.filter(thread=OuterRef("pk"), created_at__lt=member.joined_at)
        .order_by("-pk").values("pk")[:1]
    )
    forum = ForumWatch.objects.filter(member=member, chapter=OuterRef("chapter_id"))
    threads = threads.annotate(
        read_upto=Coalesce(
            Subquery(_reads_of(member).values("last_read_post_id")[:1]),
            Subquery(before_joining), Value(0), output_field=IntegerField(),
        ),
        chosen=Coalesce(Subquery(_reads_of(member).values("level")[:1]), Value("")),
        # A chapter's forum level applies to its forum threads only.
        forum_level=Case(
            When(kind=Thread.Kind.FORUM,
                 then=Coalesce(Subquery(forum.values("level")[:1]), Value(""))),
            default=Value(""), output_field=CharField(),
        ),
    )
    unread = Post.objects.filter(thread=OuterRef("pk"), pk__gt=OuterRef("read_upto"))
    return threads.annotate(
        new_count=Coalesce(
            Subquery(unread.order_by().values("thread").annotate(n=Count("pk")).values("n")),
            Value(0),
        ),
        first_unread=Subquery(unread.order_by("pk").values("public_id")[:1]),
    )


def _annotations(thread: Thread) -> dict[str, Any]:
    """The values `_reading` annotated a thread with (attributes the model does not
    declare, so read from the instance's own dict rather than as typed attributes)."""
    return vars(thread)


def _counted() -> Q:
    """The threads whose new posts are counted: not muted, by choice or by forum."""
    return Q(chosen__in=[Level.WATCHING, Level.TRACKING]) | (
        Q(chosen="") & ~Q(forum_level=Level.MUTED))


@dataclass(frozen=True)
class ReaderState:
    """What a member knows of a thread when a page of it is shown."""

    read_upto: int
    new: int  # posts after read_upto (0 when the thread is muted)
    chosen: Level  # their own choice, DEFAULT for none
    forum: Level  # their level for the thread's forum (DEFAULT for none)

    @property
    def level(self) -> Level:
        return effective_level(self.chosen, self.forum)


def reader_state(member: Member, thread: Thread) -> ReaderState:
    """One query."""
    found = _reading(Thread.objects.filter(pk=thread.pk), member).first()
    row = _annotations(found) if found is not None else {}
    chosen, forum = row.get("chosen", ""), row.get("forum_level", "")
    level = effective_level(chosen, forum)
    return ReaderState(
        read_upto=row.get("read_upto") or 0,
        new=0 if level == Level.MUTED else row.get("new_count") or 0,
        chosen=Level(chosen), forum=Level(forum),
    )


@dataclass(frozen=True)
class ForumRow:
    """A thread as the forum list shows it to a member: how many posts are new, and the
    address of the first of them on its page."""

    thread: Thread
    new: int = 0
    first_unread_url: str = ""
    level: Level = Level.TRACKING


def forum_threads_read_by(chapter: Chapter, member: Member) -> QuerySet[Thread]:
    """forum_threads with what is new to `member` (in the same query)."""
    return _reading(forum_threads(chapter), member)


def forum_rows(threads: list[Thread], *, per_page: int = POSTS_PER_PAGE) -> list[ForumRow]:
    """Rows for threads from `forum_threads_read_by` (no query), or without reading
    annotations (a visitor's) rows with nothing new."""
    rows = []
    for thread in threads:
        reading = _annotations(thread)
        if "new_count" not in reading:
            rows.append(ForumRow(thread=thread))
            continue
        level = effective_level(reading["chosen"], reading["forum_level"])
        new = 0 if level == Level.MUTED else reading["new_count"]
        url = ""
        if new and reading["first_unread"]:
            # The first new post's position is the count of posts before it, plus one.
            page = (thread.post_count - new) // per_page + 1
            url = thread.get_absolute_url() + (f"?page={page}" if page > 1 else "")
            url += f"#post-{reading['first_unread']}"
        rows.append(ForumRow(thread=thread, new=new, first_unread_url=url, level=level))
    return rows


@dataclass(frozen=True)
class ForumState:
    level: Level  # the member's level for the forum (DEFAULT, WATCHING or MUTED)
    new: int  # new posts in its threads that are counted (not muted)


def forum_state(chapter: Chapter, member: Member) -> ForumState:
    """The member's level for the chapter's forum and the new posts in all its threads:
    one query. Only threads active since the member joined, or that they opened, can
    hold anything new to them."""
    from chapterhouse.chapters.models import Chapter

    threads = _reading(
        Thread.objects.filter(chapter=OuterRef("pk"), kind=Thread.Kind.FORUM)
        .filter(Q(last_post_at__gte=member.joined_at)
                | Exists(ThreadRead.objects.filter(member=member, thread=OuterRef("pk")))),
        member,
    )
    total = (
        threads.filter(_counted()).order_by().values("chapter")
        .annotate(total=Sum("new_count")).values("total")
    )
    row = (
        Chapter.objects.filter(pk=chapter.pk)
        .annotate(
            watch_level=Coalesce(Subquery(ForumWatch.objects.filter(
                member=member, chapter=OuterRef("pk")).values("level")[:1]), Value("")),
            new_total=Coalesce(Subquery(total), Value(0)),
        )
        .values("watch_level", "new_total").first() or {}
    )
    level = Level(row.get("watch_level", ""))
    return ForumState(level=level,
                      new=0 if level == Level.MUTED else row.get("new_total") or 0)


def levels_of(thread: Thread, member_ids: list[int]) -> dict[int, tuple[Member, Level]]:
    """Each of a few members (active ones only) with their effective level for
    `thread`: one query."""
    from chapterhouse.members.models import Member

    if not member_ids:
        return {}
    chosen = ThreadRead.objects.filter(thread=thread, member=OuterRef("pk")).values("level")
    forum = ForumWatch.objects.filter(chapter_id=thread.chapter_id, member=OuterRef("pk"))
    rows = Member.objects.filter(pk__in=member_ids).active().annotate(
        chosen_level=Coalesce(Subquery(chosen[:1]), Value("")),
        forum_level=Coalesce(Subquery(forum.values("level")[:1]), Value("")),
    ).order_by("pk")
    in_forum = thread.kind == Thread.Kind.FORUM
    return {
        member.pk: (member, effective_level(
            member.chosen_level,  # type: ignore[attr-defined]
            member.forum_level if in_forum else ""))  # type: ignore[attr-defined]
        for member in rows
    }


def watchers_of(thread: Thread) -> QuerySet[Member]:
    """The active members who watch `thread`, by their own choice or by watching its
    forum (unless they chose another level for the thread), by id."""
    from chapterhouse.members.models import Member

    chosen = ThreadRead.objects.filter(thread=thread).exclude(level=Level.DEFAULT)
    watching = Q(pk__in=chosen.filter(level=Level.WATCHING).values("member_id"))
    if thread.kind == Thread.Kind.FORUM:
        watching |= Q(pk__in=ForumWatch.objects.filter(
            chapter_id=thread.chapter_id, level=Level.WATCHING).values("member_id")) & ~Q(
            pk__in=chosen.values("member_id"))
    return Member.objects.filter(watching).active().order_by("pk")



def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def account_export(member: Member) -> dict[str, Any]:
    """The member's posts (with the thread each is in and its earlier versions) and the
    threads they started, for their data export (members.account_data). Three queries
    whatever they wrote."""
    posts = (
        Post.objects.filter(author=member).select_related("thread")
        .prefetch_related(Prefetch("versions", PostVersion.objects.order_by("written_at", "pk")))
        .order_by("created_at", "pk")
    )
    return {
        "posts": [
            {
                "url": post.get_absolute_url(),
                "thread": {"title": post.thread.title, "kind": post.thread.kind,
                           "url": post.thread.get_absolute_url()},
                "text": post.body,
                "created_at": _iso(post.created_at),
                "edited_at": _iso(post.edited_at),
                "earlier_versions": [
                    {"text": version.body, "written_at": _iso(version.written_at),
                     "replaced_at": _iso(version.replaced_at)}
                    for version in post.versions.all()
                ],
            }
            for post in posts
        ],
        "threads_started": [
            {"title": thread.title, "kind": thread.kind, "url": thread.get_absolute_url(),
             "created_at": _iso(thread.created_at)}
            for thread in Thread.objects.filter(created_by=member).order_by("created_at", "pk")
        ],
    }
