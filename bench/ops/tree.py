"""Chapter-tree reads and adding a chapter vs hand-written SQL on the same tables.

Ours are the functions the pages call (chapters.selectors, chapters.services); each
reference is the SQL a person would write for the same answer, through
connection.cursor(), returning tuples. The rows:

- breadcrumb of a neighbourhood (every chapter page's header): `chapter_chain` (the
  chapter, its ancestors and the viewer's home) + `children_around` (the top siblings at
  every level) vs the same two queries by hand;
- children of a country (the sub-chapters page, first page): `Paginator(children_list())`,
  i.e. a COUNT and the first 100 rows, vs the same two queries;
- the member's chapters ("my chapters"): `chapters_of(member)` for a member loaded as the
  page has it (its home chapter not loaded) vs one query from the home chapter's id;
- add a chapter: `ensure_neighbourhood` vs one transaction that does the same job by
  hand (look for the name, lock the parent, read its last child's path, INSERT the row
  with the next path, count the child on the parent). Before every call the chapter is
  deleted again, so both sides add the same row at the same path and reruns stay clean.

Correctness: the same rows (ids, in order), and for the add the same stored row.
Target (QUALITY.md): ≤ 1.5× the SQL, reads and the add alike (no absolute time: the
SQL's own time on the machine is the measure).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.utils import timezone

from bench.ops.common import Context, interleave, row
from chapterhouse.chapters import selectors, services
from chapterhouse.chapters.models import Chapter, ChapterLevel
from chapterhouse.members.models import Member

TARGET_RATIO = 1.5
NEW_NAME = "Bench Quarter"  # the neighbourhood the add creates (and deletes)
PER_PAGE = 100  # chapters.views.CHAPTERS_PER_PAGE

qn = connection.ops.quote_name
T = qn(Chapter._meta.db_table)
COLUMNS = [f.column for f in Chapter._meta.concrete_fields]
ID = COLUMNS.index("id")
SELECT = ", ".join(f"c.{qn(c)}" for c in COLUMNS)
ORDER = f"c.{qn('member_count')} DESC, c.{qn('name')}, c.{qn('path')}"
STEP = Chapter.steplen


def _sql(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _children_sql(parent_path: str, parent_depth: int, limit: int) -> tuple[str, list[Any]]:
    low, high = Chapter._get_children_path_interval(parent_path)
    sql = (
        f"SELECT * FROM (SELECT {SELECT} FROM {T} c WHERE c.depth = %s "  # noqa: S608
        f"AND c.path BETWEEN %s AND %s ORDER BY {ORDER} LIMIT %s) AS t"
    )
    return sql, [parent_depth + 1, low, high, limit]


# -- the reads: ours and the SQL ---------------------------------------------------------


def breadcrumb_ours(url_path: str, home_id: int) -> Any:
    found = selectors.chapter_chain(url_path, home_chapter_id=home_id)
    assert found is not None
    children = selectors.children_around(found.chain)
    return ([c.pk for c in found.chain], found.home.pk if found.home else None,
            {p: ([c.pk for c in ch.top], ch.more) for p, ch in children.items()})


def breadcrumb_sql(url_path: str, home_id: int) -> Any:
    prefixes = selectors.url_path_prefixes(url_path) or []
    marks = ", ".join(["%s"] * len(prefixes))
    rows = _sql(f"SELECT {SELECT} FROM {T} c WHERE c.url_path IN ({marks}) "  # noqa: S608
                f"OR c.id = %s", [*prefixes, home_id])
    url_at, path_at, depth_at = COLUMNS.index("url_path"), COLUMNS.index("path"), \
        COLUMNS.index("depth")
    by_url = {r[url_at]: r for r in rows}
    chain = [by_url[p] for p in prefixes]
    limit = selectors.BREADCRUMB_SIBLINGS
    parts, params = [], []
    for parent in chain:
        sql, p = _children_sql(parent[path_at], parent[depth_at], limit + 1)
        parts.append(sql)
        params += p
    levels: dict[int, list[tuple[Any, ...]]] = {}
    for r in _sql(" UNION ALL ".join(parts), params):
        levels.setdefault(r[depth_at], []).append(r)
    children = {}
    for parent in chain:
        below = levels.get(parent[depth_at] + 1, [])
        below.sort(key=lambda r: (-r[COLUMNS.index("member_count")], r[COLUMNS.index("name")],
                                  r[path_at]))
        children[parent[ID]] = ([r[ID] for r in below[:limit]], len(below) > limit)
    home = next((r[ID] for r in rows if r[ID] == home_id), None)
    return [r[ID] for r in chain], home, children


def children_ours(country: Chapter) -> Any:
    page = Paginator(selectors.children_list(country), PER_PAGE).get_page(1)
    return page.paginator.count, [c.pk for c in page.object_list]


def children_sql(country: Chapter) -> Any:
    low, high = Chapter._get_children_path_interval(country.path)
    count = _sql(f"SELECT COUNT(*) FROM {T} c WHERE c.depth = %s "  # noqa: S608
                 f"AND c.path BETWEEN %s AND %s", [country.depth + 1, low, high])[0][0]
    sql, params = _children_sql(country.path, country.depth, PER_PAGE)
    return count, [r[ID] for r in _sql(sql, params)]


def chapters_ours(member: Member) -> Any:
    return [c.pk for c in selectors.chapters_of(member)]


def chapters_sql(member: Member) -> Any:
    # The home chapter's path and its prefixes, one per level (the tree is 5 deep).
    prefixes = " OR ".join(f"c.path = SUBSTR(h.path, 1, {i * STEP})" for i in range(1, 6))
    sql = (f"SELECT {SELECT} FROM {T} c JOIN {T} h ON ({prefixes}) "  # noqa: S608
           f"WHERE h.id = %s ORDER BY c.depth")
    return [r[ID] for r in _sql(sql, [member.home_chapter_id])]


# -- adding a chapter ---------------------------------------------------------------------


def _next_step(last_path: str | None) -> str:
    """The step after a sibling's (base 36, STEP digits), "0001" for a first child."""
    n = int(last_path[-STEP:], 36) + 1 if last_path else 1
    digits = ""
    while n:
        n, d = divmod(n, 36)
        digits = Chapter.alphabet[d] + digits
    return digits.rjust(STEP, "0")


def add_ours(city: Chapter) -> Any:
    chapter, created = services.ensure_neighbourhood(city, NEW_NAME)
    assert created
    return chapter.pk


def add_sql(city: Chapter) -> Any:
    slug = services.neighbourhood_slug(NEW_NAME)
    low, high = Chapter._get_children_path_interval(city.path)
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with transaction.atomic():
        taken = _sql(f"SELECT id FROM {T} WHERE depth = %s AND path BETWEEN %s AND %s "  # noqa: S608
                     f"AND slug = %s LIMIT 1", [city.depth + 1, low, high, slug])
        assert not taken
        _sql(f"SELECT id FROM {T} WHERE id = %s{lock}", [city.pk])  # noqa: S608
        last = _sql(f"SELECT MAX(path) FROM {T} WHERE depth = %s "  # noqa: S608
                    f"AND path BETWEEN %s AND %s", [city.depth + 1, low, high])[0][0]
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {T} SET numchild = numchild + 1 WHERE id = %s",  # noqa: S608
                           [city.pk])
            cursor.execute(
                f"INSERT INTO {T} (path, depth, numchild, name, slug, url_path, level, "  # noqa: S608
                "names, description, member_count, latitude, longitude, created_at) "
                "VALUES (%s, %s, 0, %s, %s, %s, %s, %s, '', 0, %s, %s, %s)",
                [city.path + _next_step(last), city.depth + 1, NEW_NAME, slug,
                 f"{city.url_path}/{slug}", ChapterLevel.NEIGHBOURHOOD, "{}",
                 city.latitude, city.longitude, timezone.now()],
            )
            return _sql(f"SELECT id FROM {T} WHERE url_path = %s",  # noqa: S608
                        [f"{city.url_path}/{slug}"])[0][0]


def _remove_added(city: Chapter) -> None:
    """Delete the added neighbourhood (if any) and uncount it on the city."""
    slug = services.neighbourhood_slug(NEW_NAME)
    low, high = Chapter._get_children_path_interval(city.path)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {T} WHERE depth = %s AND path BETWEEN %s AND %s "  # noqa: S608
                       "AND slug = %s", [city.depth + 1, low, high, slug])
        if cursor.rowcount:
            cursor.execute(f"UPDATE {T} SET numchild = numchild - %s WHERE id = %s",  # noqa: S608
                           [cursor.rowcount, city.pk])


def _added_row(city: Chapter) -> tuple[Any, ...]:
    fields = ("path", "depth", "numchild", "name", "slug", "url_path", "level", "names",
              "latitude", "longitude")
    added = Chapter.objects.filter(url_path=f"{city.url_path}/"
                                            f"{services.neighbourhood_slug(NEW_NAME)}")
    return (*added.values_list(*fields).get(),
            Chapter.objects.values_list("numchild", flat=True).get(pk=city.pk))


# -- measure ------------------------------------------------------------------------------


def _row(ctx: Context, name: str, reference: str, ours: Callable[[], Any],
         ref: Callable[[], Any], *, repeat: int,
         setup: Callable[[], Any] | None = None,
         after: Callable[[str, Any], Any] | None = None,
         same: Callable[[Any, Any], bool] | None = None) -> dict[str, Any]:
    for warm_up in (ours, ref):
        if setup is not None:
            setup()
        warm_up()
    a, b, ar, br, out_a, out_b = interleave(ours, ref, ctx.rounds, repeat=repeat,
                                            setup=setup, after=after)
    correct = same(out_a, out_b) if same is not None else out_a == out_b
    result = row(name, reference, a, b, ours_rounds=ar, ref_rounds=br,
                 target=f"≤ {TARGET_RATIO:g}×", correct=correct,
                 notes="" if correct else f"ours {out_a!r:.200} ≠ SQL {out_b!r:.200}")
    misses = []
    if result["ratio"] is not None and result["ratio"] > TARGET_RATIO:
        misses.append(f"ratio {result['ratio']:.2f} > {TARGET_RATIO:g}")
    if ctx.ci:
        result["notes"] = "; ".join(filter(None, [result["notes"], *misses]))
    else:
        result["failures"] += misses
        result["pass"] = not result["failures"]
    return result


def measure(ctx: Context) -> list[dict[str, Any]]:
    reads = int(ctx.options.get("tree_repeat", 20 if ctx.ci else 200))
    adds = int(ctx.options.get("tree_add_repeat", 3 if ctx.ci else 20))
    neighbourhood = Chapter.objects.filter(level=ChapterLevel.NEIGHBOURHOOD).order_by(
        "-member_count", "path").first()
    country = Chapter.objects.filter(level=ChapterLevel.COUNTRY).order_by(
        "-numchild", "path").first()
    city = Chapter.objects.filter(level=ChapterLevel.CITY).order_by(
        "-member_count", "path").first()
    member_pk = Member.objects.filter(home_chapter__level=ChapterLevel.NEIGHBOURHOOD).order_by(
        "pk").values_list("pk", flat=True).first()
    if neighbourhood is None or country is None or city is None or member_pk is None:
        raise RuntimeError("tree: needs a neighbourhood, a country, a city and a member in one")
    home_id = city.pk  # a viewer living elsewhere: the chain query also fetches their home
    rows = [
        _row(ctx, "tree: breadcrumb of a neighbourhood (chapter_chain + children_around)",
             "the same two queries by hand",
             lambda: breadcrumb_ours(neighbourhood.url_path, home_id),
             lambda: breadcrumb_sql(neighbourhood.url_path, home_id),
             repeat=reads),
        _row(ctx, "tree: children of a country (children_list, first page)",
             "COUNT + first 100 rows by hand",
             lambda: children_ours(country), lambda: children_sql(country),
             repeat=reads),
    ]
    # The page's member: loaded without its home chapter, as request.user.member is.
    member: dict[str, Member] = {}

    def fresh_member() -> None:
        member["m"] = Member.objects.get(pk=member_pk)

    rows.append(_row(
        ctx, "tree: the member's chapters (chapters_of)", "one query from the home chapter id",
        lambda: chapters_ours(member["m"]), lambda: chapters_sql(member["m"]),
        repeat=reads, setup=fresh_member,
    ))
    fresh_member()

    stored: dict[str, tuple[Any, ...]] = {}
    mismatches: list[str] = []

    def check_added(side: str, _pk: Any) -> None:
        stored[side] = _added_row(city)
        if side == "reference" and stored["reference"] != stored.get("ours"):
            mismatches.append(f"ours {stored.get('ours')} ≠ SQL {stored['reference']}")

    _remove_added(city)
    numchild = city.numchild
    try:
        add = _row(ctx, "tree: add a neighbourhood (ensure_neighbourhood)",
                   "the same job by hand in one transaction (lock, last path, INSERT, numchild)",
                   lambda: add_ours(city), lambda: add_sql(city),
                   repeat=adds,
                   setup=lambda: _remove_added(city), after=check_added,
                   same=lambda _a, _b: not mismatches)
    finally:
        _remove_added(city)
    if mismatches:
        add["notes"] = "; ".join(mismatches[:3])
    city.refresh_from_db()
    if city.numchild != numchild:  # the cleanup must leave the tree as it found it
        add["correct"], add["pass"] = False, False
        add["failures"].insert(0, f"the city's numchild is {city.numchild}, was {numchild}")
    rows.append(add)
    return rows

