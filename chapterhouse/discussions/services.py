"""Writes to threads and posts. Views, the decisions app and others call these.

Every function is keyword-only, runs in one transaction and returns the object.
Bad input raises `django.core.exceptions.ValidationError` (a dict of field →
messages) with nothing stored; acting on someone else's post raises
`PermissionDenied`. Who may post is the callers' check (`discussions.*` rules);
what is true whoever calls (lengths, locks, a reply in the same thread, only the
author edits, a new member's limits on posts and links: chapters.limits) is checked
here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.chapters import limits
from chapterhouse.lib import audit
from chapterhouse.lib.tasks import task_named
from chapterhouse.lib.text import without_bidi_controls
from chapterhouse.notifications import replies
from chapterhouse.notifications.models import Kind, Notification
from chapterhouse.notifications.services import event_key, notify

from . import markup, selectors
from .models import (
    BODY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ForumWatch,
    Level,
    Mention,
    Post,
    PostVersion,
    Thread,
    ThreadRead,
)

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member

# More than this many members mentioned in one post is refused (a mass notice is
# a chapter announcement, not a mention).
MAX_MENTIONS = 20

_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")


def clean_body(body: str) -> str:
    """The body as stored: newlines normalised, blank lines around it dropped
    (leading spaces of the first line are kept: they may start a code block).

    Raises ValidationError({"body": …}) when empty or too long.
    """
    text = without_bidi_controls(body or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _LEADING_BLANK_LINES.sub("", text).rstrip()
    if not text.strip():
        raise ValidationError({"body": _("Write a message.")}, code="required")
    if len(text) > BODY_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _(
                    "A message can be at most %(limit)s characters long (this one has %(length)s)."
                ) % {"limit": f"{BODY_MAX_LENGTH:,}", "length": f"{len(text):,}"}
            },
            code="max_length",
        )
    mentioned = markup.mentioned_ids(text)
    if len(mentioned) > MAX_MENTIONS:
        raise ValidationError(
            {"body": _("You can mention at most %(limit)s members in one message.")
             % {"limit": MAX_MENTIONS}},
            code="too_many_mentions",
        )
    return text


def clean_title(title: str) -> str:
    text = " ".join(without_bidi_controls(title or "").split())
    if not text:
        raise ValidationError({"title": _("Give the thread a title.")}, code="required")
    if len(text) > TITLE_MAX_LENGTH:
        raise ValidationError(
            {"title": _("A title can be at most %(limit)s characters long.")
             % {"limit": TITLE_MAX_LENGTH}},
            code="max_length",
        )
    return text


def _within_newcomer_limits(*, author: Member, chapter: Chapter | None, body: str,
                            hourly: bool = True) -> None:
    """A new member's post (or edit: links only) within the chapter's newcomer limits
    (chapters.limits), or a ValidationError on the body saying the limit (this module's
    refusal for bad input)."""
    try:
        limits.check(member=author, chapter=chapter, text=body, hourly=hourly)
    except limits.NewcomerLimited as refusal:
        raise ValidationError({"body": refusal.message}, code="newcomer_limit") from None


def _subject_key(subject: models.Model | None) -> tuple[ContentType | None, str | None]:
    if subject is None:
        return None, None
    if subject.pk is None:
        raise ValueError("A thread's subject must be saved first.")
    return ContentType.objects.get_for_model(subject), str(subject.pk)


def _has_thread(subject_type: ContentType | None, subject_id: str | None, kind: str) -> bool:
    return Thread.objects.filter(
        subject_type=subject_type, subject_id=subject_id, kind=kind
    ).exists()


def _duplicate() -> ValidationError:
    return ValidationError(
        _("There is already a thread of this kind about this."), code="duplicate"
    )


def start_thread(
    *,
    chapter: Chapter,
    author: Member,
    title: str,
    body: str | None,
    kind: Thread.Kind | str = Thread.Kind.FORUM,
    subject: models.Model | None = None,
    posting_rule: str = "",
) -> Thread:
    """Open a thread in `chapter` with its first post by `author` (`body`), or with
    no post yet if `body` is None (a proposal's deliberation or a blog post's comments
    can start empty: what they discuss is on the page above them).

    `subject`: what the thread is about (e.g. a proposal), at most one thread of
    each kind per subject (a second raises ValidationError). `posting_rule`: ""
    lets the members of `chapter` post (the default); otherwise the name of a rule
    checked as `user.has_perm(posting_rule, thread.subject)`.
    """
    title = clean_title(title)
    if body is not None:
        body = clean_body(body)
    if kind not in Thread.Kind.values:
        raise ValueError(f"Unknown kind of thread: {kind!r}")
    if posting_rule and subject is None:
        raise ValueError("A posting rule is checked against the subject: give one.")
    subject_type, subject_id = _subject_key(subject)
    if subject is not None and _has_thread(subject_type, subject_id, kind):
        raise _duplicate()
    now = timezone.now()
    try:
        with transaction.atomic():
            if body is not None:
                _within_newcomer_limits(author=author, chapter=chapter,
                                        body=f"{title}\n{body}")
            thread = Thread.objects.create(
                chapter=chapter,
                title=title,
                kind=kind,
                subject_type=subject_type,
                subject_id=subject_id,
                posting_rule=posting_rule,
                created_by=author,
                created_at=now,
                last_post_at=now,
                post_count=0 if body is None else 1,
            )
            if body is not None:
                post = Post.objects.create(
                    thread=thread, author=author, body=body, created_at=now
                )
                _advance(member=author, thread=thread, post_id=post.pk)
                _tell(post=post, author=author,
                      mentioned=_record_mentions(post=post, new_only=False))
    except IntegrityError:
        # Two starts for the same subject at once: the constraint let one through.
        if subject is not None and _has_thread(subject_type, subject_id, kind):
            raise _duplicate() from None
        raise
    return thread


def reply(
    *, thread: Thread, author: Member, body: str, reply_to: Post | None = None
) -> Post:
    """Add `author`'s post to `thread`, optionally answering (or quoting) `reply_to`,
    which must be a post of the same thread. Refused in a locked thread."""
    body = clean_body(body)
    if reply_to is not None and reply_to.thread_id != thread.pk:
        raise ValidationError(
            {"reply_to": _("You can only reply to a post in the same thread.")},
            code="other_thread",
        )
    with transaction.atomic():
        _within_newcomer_limits(author=author, chapter=thread.chapter, body=body)
        # The lock is read inside the transaction, under a row lock on PostgreSQL,
        # so a reply cannot slip in after the thread was locked.
        locked = (
            Thread.objects.select_for_update()
            .filter(pk=thread.pk)
            .values_list("is_locked", flat=True)
            .first()
        )
        if locked is None:
            raise ValidationError(_("This thread no longer exists."), code="gone")
        if locked:
            raise ValidationError(_("This thread is locked: no new posts."), code="locked")
        now = timezone.now()
        post = Post.objects.create(
            thread=thread, author=author, body=body, reply_to=reply_to, created_at=now
        )
        Thread.objects.filter(pk=thread.pk).update(
            post_count=F("post_count") + 1, last_post_at=now
        )
        post.thread = thread
        _advance(member=author, thread=thread, post_id=post.pk)
        _tell(post=post, author=author, replied=reply_to,
              mentioned=_record_mentions(post=post, new_only=False))
    post.thread = thread
    thread.post_count += 1
    thread.last_post_at = now
    return post


def edit_post(*, post: Post, editor: Member, body: str) -> Post:
    """Change a post's body; only its author may, and not in a locked thread.

    The body it replaces is kept as a PostVersion. An unchanged body changes
    nothing. Members newly mentioned are notified; those already mentioned in this
    post are not notified again.
    """
    if post.author_id is None or post.author_id != editor.pk:
        raise PermissionDenied(_("Only the author can edit this post."))
    body = clean_body(body)
    with transaction.atomic():
        current = (
            Post.objects.select_for_update(of=("self",)).select_related("thread").get(pk=post.pk)
        )
        if current.thread.is_locked:
            raise ValidationError(_("This thread is locked: posts cannot be edited."),
                                  code="locked")
        if current.body == body:
            return post
        _within_newcomer_limits(author=editor, chapter=current.thread.chapter, body=body,
                                hourly=False)
        now = timezone.now()
        PostVersion.objects.create(
            post=current,
            body=current.body,
            written_at=current.edited_at or current.created_at,
            replaced_at=now,
        )
        current.body = body
        current.edited_at = now
        current.save(update_fields=["body", "edited_at"])
        # An edit tells only those it newly mentions (a quote added later is not news).
        _tell(post=current, author=editor,
              mentioned=_record_mentions(post=current, new_only=True), watchers=False)
    post.body, post.edited_at = current.body, current.edited_at
    return post


def lock_thread(*, thread: Thread, actor: Member | None, locked: bool = True) -> Thread:
    """Lock (or, with locked=False, unlock) a thread: while locked nobody posts or
    edits. A moderation action: recorded in the audit log. Idempotent."""
    with transaction.atomic():
        changed = Thread.objects.filter(pk=thread.pk, is_locked=not locked).update(
            is_locked=locked
        )
        if changed:
            audit.record(
                actor=actor,
                action="discussions.lock" if locked else "discussions.unlock",
                target=thread,
                chapter=thread.chapter,
                data={"thread": str(thread.public_id), "title": thread.title},
            )
    thread.is_locked = locked
    return thread


# The notice a member gets for a post, the most specific first: one per member and post.
_PRECEDENCE = [Kind.QUOTE, Kind.REPLY, Kind.MENTION, Kind.WATCHED_POST]
# What each says (discussions/notices.py).
_MESSAGES = {Kind.QUOTE: "discussions.quote", Kind.REPLY: "discussions.reply",
             Kind.MENTION: "discussions.mention", Kind.WATCHED_POST: "discussions.watched_post"}

# Up to this many watchers are told in the request (notify: three queries whatever
# the number); more, and a task tells them in batches after the commit.
WATCHERS_TOLD_AT_ONCE = 200
WATCHER_BATCH_SIZE = 1_000
NOTIFY_WATCHERS = "chapterhouse.discussions.tasks.notify_watchers"


def _record_mentions(*, post: Post, new_only: bool) -> list[int]:
    """Store who `post` mentions (active members); returns the ids of those not yet
    mentioned in this post. One query to resolve, one to store."""
    from chapterhouse.members.models import Member

    public_ids = markup.mentioned_ids(post.body)
    if not public_ids:
        return []
    members = list(
        Member.objects.filter(public_id__in=public_ids, user__is_active=True)
        .order_by("pk").values_list("pk", flat=True)
    )
    already: set[int] = set()
    if new_only:
        already = set(Mention.objects.filter(post=post).values_list("member_id", flat=True))
    fresh = [pk for pk in members if pk not in already]
    Mention.objects.bulk_create(
        [Mention(post=post, member_id=pk) for pk in fresh], ignore_conflicts=True
    )
    return fresh


def _event(post: Post) -> str:
    """One event per post, whatever the kind of notice: a member is told of a post once
    (the notices' unique event and recipient), even by a task run twice."""
    return f"discussions.post:{post.public_id}"


def _notify(post: Post, author: Member, kind: Kind, members: list[Member]) -> None:
    notify(
        recipients=members, kind=kind, message=_MESSAGES[kind],
        # Its email can be answered: the reply goes to this post (email_replies.py).
        params={"author": author.display_name, "title": post.thread.title,
                replies.PARAM: replies.reply_param("post", post.public_id)},
        url=post.get_absolute_url(), event=_event(post),
    )


def _tell(*, post: Post, author: Member, mentioned: list[int], replied: Post | None = None,
          watchers: bool = True) -> None:
    """Notify those a new (or edited) post concerns, once each (one event per post:
    a member told of it is not told again, even of a mention added by an edit), with
    the most specific notice: the authors it quotes (QUOTE) or replies to (REPLY), the
    members it newly mentions (MENTION), and (`watchers`) everyone watching the thread or its forum
    (WATCHED_POST). Never the author; never a member who mutes the thread (or its
    forum, unless they chose a level for the thread).

    Cost: one query for the quoted posts, one for the levels of those named, a
    `notify` per kind; the watchers are one query and a `notify`, or, above
    WATCHERS_TOLD_AT_ONCE, one enqueue (the task tells them in batches)."""
    thread = post.thread
    wanted: dict[int, Kind] = {}

    def want(member_id: int | None, kind: Kind) -> None:
        if member_id is None or member_id == author.pk:
            return
        current = wanted.get(member_id)
        if current is None or _PRECEDENCE.index(kind) < _PRECEDENCE.index(current):
            wanted[member_id] = kind

    quoted = markup.quoted_ids(post.body) if watchers else []
    if quoted:
        for author_id in Post.objects.filter(thread=thread, public_id__in=quoted).values_list(
                "author_id", flat=True):
            want(author_id, Kind.QUOTE)
    if replied is not None:
        want(replied.author_id, Kind.QUOTE if replied.public_id in quoted else Kind.REPLY)
    for member_id in mentioned:
        want(member_id, Kind.MENTION)
    levels = selectors.levels_of(thread, list(wanted))
    for kind in _PRECEDENCE:
        chosen = [member for pk, (member, level) in levels.items()
                  if wanted[pk] == kind and level != Level.MUTED]
        if chosen:
            _notify(post, author, kind, chosen)
    if not watchers:
        return
    # Those named above got their notice (or chose to mute): not told twice.
    exclude = sorted(set(wanted) | {author.pk})
    few = list(selectors.watchers_of(thread).exclude(pk__in=exclude)[:WATCHERS_TOLD_AT_ONCE + 1])
    if len(few) <= WATCHERS_TOLD_AT_ONCE:
        if few:
            _notify(post, author, Kind.WATCHED_POST, few)
        return
    _queue_watchers(post_id=post.pk, exclude=sorted(set(wanted)))


def _queue_watchers(*, post_id: int, exclude: list[int]) -> None:
    """Enqueue the task that tells a post's watchers, in the caller's transaction."""
    task_named(NOTIFY_WATCHERS).enqueue(post_id, exclude)


def notify_watchers_of(*, post: Post, exclude: list[int], batches: int | None = None) -> int:
    """Tell everyone watching `post`'s thread (or its forum) of it, but its author and
    those in `exclude`, in batches of WATCHER_BATCH_SIZE by member id, each batch in its
    own transaction (at most `batches` of them); returns how many were told.

    Idempotent: a run resumes after the highest watcher already told of this post
    (batches commit in member order), and notify() skips anyone told of the post's
    event; a second run, or one after a run that stopped half way, tells each once."""
    if post.author is None:
        return 0
    told = 0
    done = 0
    watchers = selectors.watchers_of(post.thread).exclude(pk__in=[*exclude, post.author.pk])
    last = Notification.objects.filter(
        event=event_key(_event(post)), kind=Kind.WATCHED_POST,
    ).aggregate(last=models.Max("recipient_id"))["last"] or 0
    while batches is None or done < batches:
        with transaction.atomic():
            batch = list(watchers.filter(pk__gt=last)[:WATCHER_BATCH_SIZE])
            if not batch:
                break
            _notify(post, post.author, Kind.WATCHED_POST, batch)
        last = batch[-1].pk
        told += len(batch)
        done += 1
    return told


# -- Read state and levels --------------------------------------------------------------


def _advance(*, member: Member, thread: Thread, post_id: int) -> None:
    """Move the member's last read post in `thread` forward to `post_id` (never back).
    One UPDATE when the row exists and moves; a first read inserts it (a
    concurrent first read loses nothing: the conflict is ignored, the UPDATE tried again)."""
    now = timezone.now()
    mine = ThreadRead.objects.filter(member=member, thread=thread)
    forward = mine.filter(
        models.Q(last_read_post_id__isnull=True) | models.Q(last_read_post_id__lt=post_id))
    if forward.update(last_read_post_id=post_id, updated_at=now) or mine.exists():
        return
    ThreadRead.objects.bulk_create(
        [ThreadRead(member=member, thread=thread, last_read_post_id=post_id, updated_at=now)],
        ignore_conflicts=True,
    )
    # Had a concurrent first read inserted its row first, this moves it forward.
    forward.update(last_read_post_id=post_id, updated_at=now)


def mark_read(*, member: Member, thread: Thread, post: Post | int) -> None:
    """Record that `member` read `thread` up to `post` (a post of that thread, or the
    id of one, which the caller found in the thread). Moves only forward.

    Not in a transaction of its own: each statement is atomic alone and any order of
    them leaves the highest post read (a page view costs one UPDATE when it moves the
    state forward, nothing more)."""
    post_id = post if isinstance(post, int) else post.pk
    if not isinstance(post, int) and post.thread_id != thread.pk:
        raise ValidationError({"post": _("That post is not in this thread.")}, code="other_thread")
    _advance(member=member, thread=thread, post_id=post_id)


def set_thread_level(*, member: Member, thread: Thread, level: Level | str) -> ThreadRead:
    """The member's choice for a thread: WATCHING, TRACKING, MUTED or DEFAULT (no
    choice: their forum's level, else tracking). Keeps their read state."""
    if level not in Level.values:
        raise ValidationError({"level": _("Choose watching, tracking or muted.")},
                              code="unknown_level")
    with transaction.atomic():
        row, _created = ThreadRead.objects.update_or_create(
            member=member, thread=thread,
            defaults={"level": level, "updated_at": timezone.now()},
        )
    return row


def set_forum_level(*, member: Member, chapter: Chapter, level: Level | str) -> ForumWatch | None:
    """The member's choice for a chapter's forum: WATCHING, MUTED, or DEFAULT (the row
    is removed). Returns the row, None for DEFAULT."""
    if level not in (Level.WATCHING, Level.MUTED, Level.DEFAULT):
        raise ValidationError({"level": _("A forum can be watched or muted.")},
                              code="unknown_level")
    with transaction.atomic():
        if level == Level.DEFAULT:
            ForumWatch.objects.filter(member=member, chapter=chapter).delete()
            return None
        row, _created = ForumWatch.objects.update_or_create(
            member=member, chapter=chapter,
            defaults={"level": level, "updated_at": timezone.now()},
        )
    return row


# The threads whose posts a leaving member may remove: forums and comments. Not the
# deliberation of proposals: it is the public reasoning members weighed before they
# voted, which the decision record links to, so it stays (without a name).
REMOVABLE_KINDS = (Thread.Kind.FORUM, Thread.Kind.COMMENTS)


def remove_writing_of(member: Member) -> int:
    """Remove the text of `member`'s forum posts and comments, as they delete their
    account (members.account_data; members.services.delete_account calls it inside
    its transaction). Each post keeps its place in its thread and is shown as
    "removed by its author"; its earlier versions and the mentions it made go too.
    Thread titles stay (they head others' replies), and so do quotes of the post in
    other members' posts (those are theirs). Returns how many posts it emptied."""
    with transaction.atomic():
        posts = Post.objects.filter(author=member, thread__kind__in=REMOVABLE_KINDS)
        ids = list(posts.values_list("pk", flat=True))
        PostVersion.objects.filter(post_id__in=ids).delete()
        Mention.objects.filter(post_id__in=ids).delete()
        return Post.objects.filter(pk__in=ids).update(body="", edited_at=None)
