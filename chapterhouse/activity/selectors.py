"""Reading the activity: a member's feed, the International "what chapters are doing",
a chapter's public activity, and the member's follows. Who may see what is in the
query (the audience the services keep), never checked row by row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import Q, QuerySet

from chapterhouse.chapters.models import Chapter

from .models import Activity, Audience, Follow

if TYPE_CHECKING:
    from chapterhouse.members.models import Member


def _seen_by(member: Member | None) -> Q:
    """What `member` (None: anonymous) may see: public items, and those kept to the
    members of a chapter they belong to (their home chapter and the chapters above it:
    one list of paths, no per-row check)."""
    public = Q(audience=Audience.PUBLIC)
    if member is None:
        return public
    return public | Q(audience=Audience.MEMBERS,
                      chapter__path__in=member.home_chapter.ancestor_paths())


def feed_for(member: Member) -> QuerySet[Activity]:
    """The member's feed, newest first: the activity of their chapters (their home and
    the chapters containing it) and of the chapters and working groups they follow, that
    they may see and that has happened. One query, whatever they follow."""
    followed = Follow.objects.filter(member=member)
    mine = (Q(chapter__path__in=member.home_chapter.ancestor_paths())
            | Q(chapter_id__in=followed.filter(chapter__isnull=False).values("chapter_id"))
            | Q(group_id__in=followed.filter(group__isnull=False).values("group_id")))
    return (Activity.objects.happened().filter(mine).filter(_seen_by(member))
            .select_related("chapter").newest_first())


# The newest of a member's feed, for their home page, is kept this long, and until any
# activity is recorded (FEED_VERSION_KEY, bumped by services.record_activity) or they
# follow or stop following something (services._forget_follows).
FEED_CACHE_SECONDS = 30
FEED_VERSION_KEY = "activity:feed-version"


def feed_cache_key(member_id: int) -> str:
    return f"activity:feed:{member_id}"


def newest_in_feed(member: Member, limit: int) -> list[Activity]:
    """The `limit` newest of the member's feed (`feed_for`), from the cache when nothing
    was recorded since and their home chapter is the same: one cache read, and the
    query only when it changed. An item scheduled to happen later shows within
    FEED_CACHE_SECONDS of its time."""
    key = feed_cache_key(member.pk)
    found = cache.get_many([FEED_VERSION_KEY, key])
    stamp = (found.get(FEED_VERSION_KEY, 0), member.home_chapter_id, limit)
    entry = found.get(key)
    if entry is not None and entry[0] == stamp:
        return list(entry[1])
    activities = list(feed_for(member)[:limit])
    cache.set(key, (stamp, activities), FEED_CACHE_SECONDS)
    return activities


def pulse(*, viewer: Member | None, place: Chapter | None = None,
          kinds: list[str]) -> QuerySet[Activity]:
    """The activity of `kinds` across the tree (or `place` and below) that `viewer` may
    see, newest first (one query)."""
    found = Activity.objects.happened().filter(kind__in=kinds).filter(_seen_by(viewer))
    if place is not None and place.depth > 1:
        found = found.filter(chapter__in=Chapter.objects.within(place))
    return found.select_related("chapter").newest_first()


def chapter_activity(chapter: Chapter, *, limit: int) -> list[Activity]:
    """The chapter's public activity, newest first (its Atom feed; one query)."""
    return list(Activity.objects.happened()
                .filter(chapter=chapter, audience=Audience.PUBLIC)
                .select_related("chapter").newest_first()[:limit])


def follows_of(member: Member) -> QuerySet[Follow]:
    """What the member follows, chapters then groups, each with its chapter (one query)."""
    return (Follow.objects.filter(member=member)
            .select_related("chapter", "group", "group__chapter")
            .order_by("group_id", "-created_at", "-pk"))


def followed_chapters_key(member_id: int) -> str:
    return f"activity:followed-chapters:{member_id}"


def followed_chapters(member: Member) -> dict[int, str]:
    """The chapters the member follows: their ids → the follow's public id. Cached (the
    chapter page asks it and has a budget of 8 queries); services.follow and unfollow
    forget it."""
    found: dict[int, str] | None = cache.get(followed_chapters_key(member.pk))
    if found is None:
        found = {chapter_id: str(public_id) for chapter_id, public_id in
                 Follow.objects.filter(member=member, chapter__isnull=False)
                 .values_list("chapter_id", "public_id")}
        cache.set(followed_chapters_key(member.pk), found, 3600)
    return found


def follow_of(member: Member, *, chapter: Chapter | None = None,
              group: Any = None) -> Follow | None:
    """The member's follow of this chapter or group, if they follow it."""
    if chapter is not None:
        return Follow.objects.filter(member=member, chapter=chapter).first()
    return Follow.objects.filter(member=member, group=group).first()


def get_follow(member: Member, public_id: Any) -> Follow | None:
    """One of the member's follows (None for anyone else's: a 404)."""
    return (Follow.objects.select_related("chapter", "group", "group__chapter")
            .filter(member=member, public_id=public_id).first())


def account_export(member: Member) -> dict[str, Any]:
    """What the member follows, for their data export (one query)."""
    return {"follows": [
        {
            "id": str(follow.public_id),
            "chapter": follow.chapter.url_path if follow.chapter is not None else None,
            "group": (f"{follow.group.chapter.url_path}/{follow.group.slug}"
                      if follow.group is not None else None),
            "created_at": follow.created_at.isoformat(),
        }
        for follow in follows_of(member)
    ]}
