"""The member's activity feed (the first page of /activity/ and of GET /api/v1/activity/)
vs hand-written SQL on the same tables.

Ours is `chapterhouse.activity.selectors.feed_for(member)`, its first page of ids; the
reference is the one SELECT a person would write: the activity of the member's chapters
(their home and its ancestors, by path), of the chapters and groups they follow, that has
happened, public or kept to the members of one of their chapters, newest first.

The member is the one living in the busiest neighbourhood; for the measure they follow the
three other chapters with the most activity and the group with the most (follows made
here and removed at the end, so the database is left as it was). If the database has no
activity yet (a tier seeded before the activity existed), it is backfilled first.

Correctness: the same ids in the same order. Target: ≤ 2× the SQL, ≤ 5 ms.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from bench.ops.common import Context, interleave, row
from chapterhouse.activity import selectors, services
from chapterhouse.activity.models import Activity, Follow
from chapterhouse.chapters.models import Chapter, ChapterLevel
from chapterhouse.members.models import Member

TARGET_RATIO = 2.0
LIMIT_MS = 5.0
PER_PAGE = 30  # activity.views.PER_PAGE

FEED_SQL = """
SELECT a.id FROM activity_activity a JOIN chapters_chapter c ON c.id = a.chapter_id
WHERE a.happened_at <= %s
  AND (c.path IN ({paths})
       OR a.chapter_id IN (SELECT f.chapter_id FROM activity_follow f
                           WHERE f.member_id = %s AND f.chapter_id IS NOT NULL)
       OR a.group_id IN (SELECT f.group_id FROM activity_follow f
                         WHERE f.member_id = %s AND f.group_id IS NOT NULL))
  AND (a.audience = 'public' OR (a.audience = 'members' AND c.path IN ({paths})))
ORDER BY a.happened_at DESC, a.id DESC
LIMIT %s
"""


def feed_ours(member: Member) -> list[int]:
    return [a.pk for a in selectors.feed_for(member)[:PER_PAGE]]


def feed_sql(member: Member) -> list[int]:
    paths = member.home_chapter.ancestor_paths()
    marks = ", ".join(["%s"] * len(paths))
    with connection.cursor() as cursor:
        cursor.execute(FEED_SQL.format(paths=marks),
                       [timezone.now(), *paths, member.pk, member.pk, *paths, PER_PAGE])
        return [r[0] for r in cursor.fetchall()]


def _follow_the_busiest(member: Member) -> list[int]:
    """Follow the three chapters (not the member's own) and the group with the most
    activity; returns the follows made, to remove them afterwards."""
    own = set(Chapter.objects.containing(member.home_chapter).values_list("pk", flat=True))
    busiest = (Activity.objects.exclude(chapter_id__in=own).values("chapter_id")
               .annotate(n=Count("id")).order_by("-n", "chapter_id")[:3])
    made = []
    for entry in busiest:
        if not Follow.objects.filter(member=member, chapter_id=entry["chapter_id"]).exists():
            made.append(Follow.objects.create(member=member, chapter_id=entry["chapter_id"]).pk)
    group = (Activity.objects.filter(group__isnull=False).values("group_id")
             .annotate(n=Count("id")).order_by("-n", "group_id").first())
    if group and not Follow.objects.filter(member=member, group_id=group["group_id"]).exists():
        made.append(Follow.objects.create(member=member, group_id=group["group_id"]).pk)
    return made


def measure(ctx: Context) -> list[dict[str, Any]]:
    repeat = int(ctx.options.get("feed_repeat", 20 if ctx.ci else 200))
    if not Activity.objects.exists():
        services.backfill()
    member = (Member.objects.filter(home_chapter__level=ChapterLevel.NEIGHBOURHOOD)
              .select_related("home_chapter").order_by("-home_chapter__member_count", "pk")
              .first())
    if member is None:
        raise RuntimeError("feed: needs a member living in a neighbourhood")
    made = _follow_the_busiest(member)
    try:
        for warm_up in (lambda: feed_ours(member), lambda: feed_sql(member)):
            warm_up()
        a, b, ar, br, out_a, out_b = interleave(lambda: feed_ours(member),
                                                lambda: feed_sql(member), ctx.rounds,
                                                repeat=repeat)
    finally:
        Follow.objects.filter(pk__in=made).delete()
    correct = out_a == out_b
    result = row("feed: the member's activity feed, first page (feed_for)",
                 "one SELECT by hand", a, b, ours_rounds=ar, ref_rounds=br,
                 target=f"≤ {TARGET_RATIO:g}×, ≤ {LIMIT_MS:g} ms", correct=correct,
                 notes="" if correct else f"ours {out_a!r:.200} ≠ SQL {out_b!r:.200}",
                 extra={"items": len(out_a or [])})
    misses = []
    if result["ratio"] is not None and result["ratio"] > TARGET_RATIO:
        misses.append(f"ratio {result['ratio']:.2f} > {TARGET_RATIO:g}")
    if result["ours"]["median_ms"] > LIMIT_MS:
        misses.append(f"median {result['ours']['median_ms']:.3f} ms > {LIMIT_MS:g} ms")
    if ctx.ci:
        result["notes"] = "; ".join(filter(None, [result["notes"], *misses]))
    else:
        result["failures"] += misses
        result["pass"] = not result["failures"]
    return [result]
