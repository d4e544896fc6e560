"""Writes to threads and posts. Views, the decisions app and others call these.

Every function is keyword-only, runs in one transaction and returns the object.
Bad input raises `django.core.exceptions.ValidationError` (a dict of field →
messages) with nothing stored; acting on someone else's post raises
`PermissionDenied`. Who may post is the callers' check (`discussions.*` rules);
what is true whoever calls (lengths, locks, a reply in the same thread, only the
author edits) is checked here.
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
from django.utils.translation import gettext_lazy

from chapterhouse.lib import audit
from chapterhouse.lib.text import without_bidi_controls
from chapterhouse.notifications.models import Kind
from chapterhouse.notifications.services import notify

from . import markup
from .models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, Mention, Post, PostVersion, Thread

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
                _record_mentions(post=post, author=author, new_only=False)
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
        _record_mentions(post=post, author=author, new_only=False)
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
        _record_mentions(post=current, author=editor, new_only=True)
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


MENTION_TEXT = gettext_lazy("%(author)s mentioned you in “%(title)s”.")


def _record_mentions(*, post: Post, author: Member, new_only: bool) -> None:
    """Store who `post` mentions and notify those not yet notified for this post
    (never the author). One query to resolve, one to store, one `notify`."""
    from chapterhouse.members.models import Member

    public_ids = markup.mentioned_ids(post.body)
    if not public_ids:
        return
    members = list(
        Member.objects.filter(public_id__in=public_ids, user__is_active=True).order_by("pk")
    )
    already: set[int] = set()
    if new_only:
        already = set(Mention.objects.filter(post=post).values_list("member_id", flat=True))
    fresh = [member for member in members if member.pk not in already]
    if not fresh:
        return
    Mention.objects.bulk_create(
        [Mention(post=post, member=member) for member in fresh], ignore_conflicts=True
    )
    recipients = [member for member in fresh if member.pk != author.pk]
    if not recipients:
        return
    author_name = author.display_name
    title = post.thread.title
    notify(
        recipients=recipients,
        kind=Kind.MENTION,
        text=lambda _member: MENTION_TEXT % {"author": author_name, "title": title},
        url=post.get_absolute_url(),
    )
