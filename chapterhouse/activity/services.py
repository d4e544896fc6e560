"""The activity's writes: recording what happened from its source (idempotent: one row
per kind and object, recomputed from the source each time), following, and the
member's last visit to their feed.

`record_activity` is what the task runs after each change of a source (signals);
`activity_backfill` runs it for every existing source. Each source says what lines
it makes and who may see them, by its own app's rules (`_DESCRIBERS`); the audience is
recomputed whenever the source, its hiding (moderation) or its chapter's sections
change, so the lists filter by it in the query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chapterhouse.chapters import sections
from chapterhouse.lib import cache as lib_cache
from chapterhouse.lib.errors import Refused
from chapterhouse.moderation.models import Hidden

from .models import Activity, Audience, FeedVisit, Follow, Kind
from .selectors import FEED_VERSION_KEY, feed_cache_key, followed_chapters_key

if TYPE_CHECKING:
    from chapterhouse.chapters.models import Chapter
    from chapterhouse.members.models import Member
    from chapterhouse.projects.models import Group


@dataclass(frozen=True)
class Line:
    """One activity row as its source describes it."""

    kind: str
    chapter: Chapter
    happened_at: datetime
    audience: str
    params: dict[str, Any] = field(default_factory=dict)
    group: Group | None = None


def _section_audience(chapter: Chapter, key: str, *, public: bool = True) -> str:
    """Who sees an item of the chapter's section `key` (chapters.sections): nobody when
    it is turned off, its members when it is kept to them (or the item is), else all."""
    found = sections.setting(chapter, key)
    if not found.shown:
        return Audience.NONE
    if found.visibility == sections.Visibility.MEMBERS or not public:
        return Audience.MEMBERS
    return Audience.PUBLIC


def _proposal(proposal: Any) -> list[Line]:
    shown = proposal.status not in ("draft", "withdrawn") and proposal.published_at
    return [Line(kind=Kind.PROPOSAL, chapter=proposal.chapter,
                 happened_at=proposal.published_at or proposal.created_at,
                 audience=Audience.PUBLIC if shown else Audience.NONE,
                 params={"title": proposal.title, "url": proposal.get_absolute_url()})]


def _decision(decision: Any) -> list[Line]:
    return [Line(kind=Kind.DECISION, chapter=decision.chapter, happened_at=decision.decided_at,
                 audience=Audience.PUBLIC,
                 params={"title": decision.title, "outcome": decision.outcome,
                         "url": reverse("decisions:record_number",
                                        kwargs={"sequence": decision.sequence})})]


def _event(event: Any) -> list[Line]:
    audience = (Audience.NONE if event.cancelled_at is not None
                else _section_audience(event.chapter, "events", public=event.is_public))
    params = {"title": event.title, "url": event.get_absolute_url()}
    return [
        Line(kind=Kind.EVENT, chapter=event.chapter, happened_at=event.created_at,
             audience=audience, params=params),
        # Dated by its end: it shows as held once it is over (the lists keep to the past).
        Line(kind=Kind.EVENT_HELD, chapter=event.chapter, happened_at=event.ends_at,
             audience=audience, params=params),
    ]


def _blog_post(post: Any) -> list[Line]:
    chapter = post.blog.chapter
    if chapter is None:  # a member's own blog belongs to no chapter's activity
        return []
    audience = (_section_audience(chapter, "blog") if post.published_at is not None
                else Audience.NONE)
    return [Line(kind=Kind.BLOG_POST, chapter=chapter,
                 happened_at=post.published_at or post.created_at, audience=audience,
                 params={"title": post.title, "url": post.get_absolute_url()})]


def _lesson(lesson: Any) -> list[Line]:
    return [Line(kind=Kind.LESSON, chapter=lesson.chapter, happened_at=lesson.created_at,
                 audience=Audience.NONE if lesson.is_removed else Audience.PUBLIC,
                 params={"title": lesson.title, "url": lesson.get_absolute_url()})]


def _announcement(announcement: Any) -> list[Line]:
    return [Line(kind=Kind.ANNOUNCEMENT, chapter=announcement.chapter,
                 happened_at=announcement.created_at,
                 audience=(Audience.NONE if announcement.withdrawn_at is not None
                           else Audience.PUBLIC),
                 params={"title": announcement.title, "url": announcement.get_absolute_url()})]


def _aid_entry(entry: Any) -> list[Line]:
    if entry.kind != "request":
        return []
    audience = (Audience.NONE if entry.status == "removed"
                else _section_audience(entry.chapter, "mutualaid",
                                       public=entry.visible_to_everyone))
    return [Line(kind=Kind.AID_REQUEST, chapter=entry.chapter, happened_at=entry.created_at,
                 audience=audience,
                 params={"title": entry.title, "url": entry.get_absolute_url()})]


def _task(task: Any) -> list[Line]:
    if task.status != "done":
        return []
    group = task.group
    return [Line(kind=Kind.TASK_DONE, chapter=group.chapter, group=group,
                 happened_at=task.updated_at, audience=_section_audience(group.chapter,
                                                                         "projects"),
                 params={"title": task.title, "group": group.name,
                         "url": group.get_absolute_url()})]


@dataclass(frozen=True)
class Source:
    describe: Callable[[Any], list[Line]]
    related: tuple[str, ...]


# The models whose rows make activity (app label.model name), with what to load.
SOURCES: dict[str, Source] = {
    "decisions.proposal": Source(_proposal, ("chapter",)),
    "decisions.decision": Source(_decision, ("chapter",)),
    "events.event": Source(_event, ("chapter",)),
    "blogs.blogpost": Source(_blog_post, ("blog__chapter", "blog__owner")),
    "resources.lesson": Source(_lesson, ("chapter",)),
    "announcements.announcement": Source(_announcement, ("chapter",)),
    "mutualaid.entry": Source(_aid_entry, ("chapter",)),
    "projects.task": Source(_task, ("group__chapter",)),
}


def source_models() -> Iterator[type[models.Model]]:
    for label in SOURCES:
        yield apps.get_model(label)


def _label(content_type: ContentType) -> str:
    return f"{content_type.app_label}.{content_type.model}"


def _is_hidden(content_type_id: int, object_id: int) -> bool:
    return Hidden.objects.filter(content_type_id=content_type_id, object_id=object_id,
                                 restored_at__isnull=True).exists()


@transaction.atomic
def record_activity(*, content_type_id: int, object_id: int) -> list[Activity]:
    """Bring the activity of one source object up to date: its rows made or changed,
    rows of kinds it no longer makes (a task reopened) or of an object gone deleted.
    Idempotent: running it twice leaves the same rows. Returns its rows now."""
    content_type = ContentType.objects.get_for_id(content_type_id)
    source = SOURCES.get(_label(content_type))
    if source is None:
        return []
    model = content_type.model_class()
    assert model is not None
    obj = model._default_manager.select_related(*source.related).filter(pk=object_id).first()
    lines = source.describe(obj) if obj is not None else []
    existing = Activity.objects.filter(content_type_id=content_type_id, object_id=object_id)
    # The members' cached feeds (selectors.newest_in_feed) are retired now and again once
    # this commits (a page read in between must not keep the old list).
    lib_cache.bump_version(FEED_VERSION_KEY)
    transaction.on_commit(lambda: lib_cache.bump_version(FEED_VERSION_KEY))
    existing.exclude(kind__in=[line.kind for line in lines]).delete()
    if not lines:
        return []
    hidden = _is_hidden(content_type_id, object_id)
    recorded = []
    for line in lines:
        activity, _created = Activity.objects.update_or_create(
            kind=line.kind, content_type_id=content_type_id, object_id=object_id,
            defaults={"chapter": line.chapter, "group": line.group,
                      "happened_at": line.happened_at, "params": line.params,
                      "audience": Audience.NONE if hidden else line.audience})
        recorded.append(activity)
    return recorded


def refresh_chapter(*, chapter_id: int) -> int:
    """Recompute the activity of every object of one chapter (its sections changed).
    Returns how many objects were recomputed."""
    objects = (Activity.objects.filter(chapter_id=chapter_id)
               .values_list("content_type_id", "object_id").distinct())
    count = 0
    for content_type_id, object_id in list(objects):
        record_activity(content_type_id=content_type_id, object_id=object_id)
        count += 1
    return count


def backfill() -> int:
    """Record the activity of every existing source object (the command
    activity_backfill; idempotent). Returns how many objects it read."""
    count = 0
    for model in source_models():
        content_type = ContentType.objects.get_for_model(model)
        for pk in model._default_manager.values_list("pk", flat=True).iterator():
            record_activity(content_type_id=content_type.pk, object_id=pk)
            count += 1
    return count


# -- Following ----------------------------------------------------------------------


@transaction.atomic
def follow(*, member: Member, chapter: Chapter | None = None,
           group: Group | None = None) -> Follow:
    """The member follows a chapter or a working group (one of them); following it
    again changes nothing and returns the follow they have."""
    if (chapter is None) == (group is None):
        raise Refused(_("Follow one chapter or one working group."))
    if chapter is not None and member.belongs_to(chapter):
        raise Refused(_("You belong to this chapter: its activity is already in your feed."))
    found, _created = Follow.objects.get_or_create(member=member, chapter=chapter, group=group)
    _forget_follows(member)
    return found


def _forget_follows(member: Member) -> None:
    """The cached chapters the member follows (selectors.followed_chapters) are stale:
    forgotten now and again once the change is committed (a page read in between must
    not keep the old list)."""
    keys = [followed_chapters_key(member.pk), feed_cache_key(member.pk)]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


@transaction.atomic
def unfollow(*, member: Member, follow: Follow) -> Follow:
    """The member stops following; only their own follow (the caller fetched it)."""
    if follow.member_id != member.pk:
        raise Refused(_("This is not something you follow."))
    follow.delete()
    _forget_follows(member)
    return follow


def remove_follows_of(member: Member) -> int:
    """The member's follows, removed with their account (members.account_data)."""
    deleted, _per_model = Follow.objects.filter(member=member).delete()
    _forget_follows(member)
    return deleted


_FEED_VISIT = (
    "WITH lazy AS (SELECT set_config('synchronous_commit', 'off', true)), "
    "before AS (SELECT seen_at FROM activity_feedvisit WHERE member_id = %s), "
    "saved AS (INSERT INTO activity_feedvisit (member_id, seen_at) VALUES (%s, %s) "
    "ON CONFLICT (member_id) DO UPDATE SET seen_at = EXCLUDED.seen_at) "
    "SELECT (SELECT seen_at FROM before) FROM lazy"
)
# Inside a caller's transaction, whose other writes must wait for the disk as usual.
_FEED_VISIT_IN_TRANSACTION = _FEED_VISIT.replace(
    "SELECT set_config('synchronous_commit', 'off', true)", "SELECT 1")


def mark_feed_seen(*, member: Member) -> datetime | None:
    """Note that the member looked at their feed now; returns when they looked before
    (None: never), which the page uses for its "since your last visit" divider.

    One statement on PostgreSQL (the old time read and the new one written together);
    elsewhere two, without a transaction of its own (the home page counts its queries):
    two visits at once may both see the same "before", which only draws the same line.

    On PostgreSQL, when the statement is its own transaction (a request's), it commits
    without waiting for the disk (synchronous_commit off for that transaction alone):
    the wait was 3 ms of every home page, and a crash can lose at most the last half
    second of these times, which only draws the line a little earlier."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_FEED_VISIT_IN_TRANSACTION if connection.in_atomic_block
                           else _FEED_VISIT, [member.pk, member.pk, now])
            row = cursor.fetchone()
        return row[0] if row is not None else None
    visits = FeedVisit.objects.filter(member=member)
    before = visits.values_list("seen_at", flat=True).first()
    if before is None:
        FeedVisit.objects.get_or_create(member=member, defaults={"seen_at": now})
    else:
        visits.update(seen_at=now)
    return before
