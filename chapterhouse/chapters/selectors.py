"""Reads across the chapter tree: chains, neighbours, members lists, the map."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, overload

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import translation

from chapterhouse.lib import cache as lib_cache
from chapterhouse.lib import rawsql
from chapterhouse.lib.collation import fold, localized_order, localized_order_sql, sort_key
from chapterhouse.places.models import ascii_fold

from . import sections
from .models import Chapter, ChapterLevel, ChapterRole

if TYPE_CHECKING:
    from chapterhouse.lib.interface import Viewer
    from chapterhouse.members.models import Member

# Sub-chapters shown on a chapter page before "show all"; siblings per breadcrumb dropdown.
SUBCHAPTERS_SHOWN = 50
BREADCRUMB_SIBLINGS = 100

GEOJSON_CACHE_SECONDS = 60
# Bumped (services.bump_geojson_version) after a chapter is created; part of the
# cache key, so a new chapter shows on the map at once. Count changes wait for the TTL.
GEOJSON_VERSION_KEY = "chapters:geojson:version"


# -- The chain from International down to a chapter ------------------------------------


def url_path_prefixes(url_path: str) -> list[str] | None:
    """"gb/eng/london" → ["", "gb", "gb/eng", "gb/eng/london"]; None if malformed."""
    if not url_path:
        return [""]
    parts = url_path.split("/")
    if any(not part for part in parts):
        return None
    return ["", *("/".join(parts[: i + 1]) for i in range(len(parts)))]


@dataclass
class ChapterChain:
    """A chapter with its ancestors (root first), and the viewer's home chapter."""

    chain: list[Chapter]
    home: Chapter | None = None

    @property
    def chapter(self) -> Chapter:
        return self.chain[-1]

    @property
    def ancestors(self) -> list[Chapter]:
        return self.chain[:-1]

    @property
    def viewer_belongs(self) -> bool:
        return self.home is not None and self.chapter.contains(self.home)


def chapter_chain(url_path: str, *, home_chapter_id: int | None = None) -> ChapterChain | None:
    """The chapter at `url_path` with all its ancestors, in one query.

    `home_chapter_id` (the viewer's) is fetched in the same query, so "you belong
    here" costs nothing more. None when there is no chapter at `url_path`.
    """
    prefixes = url_path_prefixes(url_path)
    if prefixes is None:
        return None
    params: list[Any] = [*prefixes]
    if home_chapter_id is not None:
        params.append(home_chapter_id)
    rows = rawsql.fetch(Chapter, CHAPTER_FIELDS,
                        _chain_sql(connection.vendor, len(prefixes), home_chapter_id is not None),
                        params)
    by_url = {chapter.url_path: chapter for chapter in rows}
    chain = [by_url.get(prefix) for prefix in prefixes]
    if any(chapter is None for chapter in chain):
        return None
    home = next((chapter for chapter in rows if chapter.pk == home_chapter_id), None)
    return ChapterChain(chain=chain, home=home)  # type: ignore[arg-type]


def chapter_at(url_path: str) -> Chapter | None:
    """The chapter whose address is `url_path` (one query), or None."""
    rows = rawsql.fetch(Chapter, CHAPTER_FIELDS, _chain_sql(connection.vendor, 1, False),
                        [url_path])
    return rows[0] if rows else None


# -- The tree's hottest reads, in SQL written once ------------------------------------------
#
# Every chapter page reads its chain and its children, and building these queries
# through the ORM cost two to three times running them (issue #19). So their SQL is
# written here once per database and shape (cached), run with the request's parameters
# by lib.rawsql, which makes the same model instances the ORM would.

CHAPTER_FIELDS = tuple(field.attname for field in Chapter._meta.concrete_fields)


def _table() -> str:
    return connection.ops.quote_name(Chapter._meta.db_table)


@lru_cache(maxsize=64)
def _chain_sql(vendor: str, prefixes: int, with_home: bool) -> str:
    marks = ", ".join(["%s"] * prefixes)
    home = " OR c.id = %s" if with_home else ""
    return (f"SELECT {rawsql.columns(Chapter, CHAPTER_FIELDS, alias='c')} "  # noqa: S608
            f"FROM {_table()} c WHERE c.url_path IN ({marks}){home}")


def _child_order_sql(language: str | None = None) -> tuple[str, list[str]]:
    """child_order() in SQL on the alias c: the ORDER BY terms and their parameters."""
    quote = connection.ops.quote_name
    name, params = localized_order_sql(connection.vendor, keys=f"c.{quote('sort_names')}",
                                       fallback=f"c.{quote('sort_name')}", language=language)
    return f"c.{quote('member_count')} DESC, {name}, c.{quote('path')}", params


@lru_cache(maxsize=64)
def _children_sql(vendor: str, order: str, *, fields: tuple[str, ...], levels: int = 1,
                  limit: int | None = None, offset: bool = False) -> str:
    """The children of `levels` chapters (each a depth, a low and a high path, then the
    order's parameters), each level ordered by `order` and cut at `limit` (a
    parameter after them with `offset`), all levels in one UNION ALL."""
    cut = f" LIMIT {int(limit)}" if limit is not None else ""
    if offset:
        cut = " LIMIT %s OFFSET %s"
    one = (f"SELECT * FROM (SELECT {rawsql.columns(Chapter, fields, alias='c')} "  # noqa: S608
           f"FROM {_table()} c WHERE c.depth = %s AND c.path BETWEEN %s AND %s "
           f"ORDER BY {order}{cut}) AS children")
    return " UNION ALL ".join([one] * levels)


def _children_params(chapter: Chapter) -> list[Any]:
    return [chapter.depth + 1, *Chapter._get_children_path_interval(chapter.path)]


# -- Children around a chain (breadcrumb dropdowns and sub-chapter lists) -----------------


def child_order() -> tuple[Any, ...]:
    """Children by member count, then by name in the active language (folded, so
    "México" sits by "Mexico", not after "Mozambique"), then path."""
    return ("-member_count", localized_order(), "path")


# What showing a chapter as a link needs (display_name, get_absolute_url, the count);
# children_around() loads only these, as a page holds hundreds of children.
LINK_FIELDS = ("path", "depth", "name", "names", "level", "url_path", "member_count")
LINK_COLUMNS = ("id", *LINK_FIELDS)


@dataclass
class Children:
    """The top children of one chapter by member count (then name), and whether
    it has more than those."""

    top: list[Chapter] = field(default_factory=list)
    more: bool = False


def _children_condition(chapter: Chapter) -> Q:
    # A path range, not a prefix LIKE, so the unique index on path serves it on
    # SQLite as well as PostgreSQL (this is how treebeard's get_children does it).
    interval = Chapter._get_children_path_interval(chapter.path)
    return Q(depth=chapter.depth + 1, path__range=interval)


def children_around(
    chain: list[Chapter], *, limit: int | None = None
) -> dict[int, Children]:
    """For every chapter in `chain`, its top `limit` children by member count
    (then name), keyed by the parent's pk. ONE query, whatever the number of levels.
    The children carry only LINK_FIELDS (any other field costs a query).

    Each level is an `ORDER BY … LIMIT limit+1` over its (depth, path) range, the
    levels joined by UNION ALL: a top-N scan, which stays fast with tens of thousands
    of siblings where a window function would sort them all. The extra row tells
    whether there are more.
    """
    limit = BREADCRUMB_SIBLINGS if limit is None else limit
    if not chain:
        return {}
    order, order_params = _child_order_sql()
    params = [value for chapter in chain
              for value in (*_children_params(chapter), *order_params)]
    sql = _children_sql(connection.vendor, order, fields=LINK_COLUMNS, levels=len(chain),
                        limit=limit + 1)
    rows = sorted(
        rawsql.fetch(Chapter, LINK_COLUMNS, sql, params),
        key=lambda row: (-row.member_count, sort_key(row.display_name()), row.path),
    )
    parent_at_depth = {chapter.depth + 1: chapter.pk for chapter in chain}
    result: dict[int, Children] = {chapter.pk: Children() for chapter in chain}
    for row in rows:
        result[parent_at_depth[row.depth]].top.append(row)
    for children in result.values():
        children.more = len(children.top) > limit
        del children.top[limit:]
    return result


def chapters_named_within(scope: Chapter, query: str, *, limit: int = 50) -> list[Chapter]:
    """`scope` and the chapters below it whose name or address contains `query`
    (all of them if it is empty), the higher and larger first (for a chapter search).

    A chapter of a place is also found by any of the place's names, in every
    language and script ("Londres", "Москва"), ignoring case and accents: the
    place's folded names are joined in the same query.
    """
    rows = Chapter.objects.within(scope)
    query = query.strip()
    if query:
        condition = Q(name__icontains=query) | Q(url_path__icontains=query.lower())
        if folded := ascii_fold(query):
            condition |= (
                Q(sort_name__contains=folded)
                | Q(place__ascii_name__contains=folded)
                | Q(place__alt_names__contains=f"|{folded}")
            )
        rows = rows.filter(condition)
    return list(rows.order_by("depth", "-member_count", localized_order(), "path")[:limit])


# -- Chapters a person names (the decision log's filter, the chapter search) ---------------

# A chapter's address where the empty url_path cannot serve (API paths, form values):
# its url_path, or `international` for the root (chapters.access.chapter_lookup).
# Country slugs are two-letter codes, so no chapter's url_path can be `international`.
INTERNATIONAL_SEGMENT = "international"

# Chapters looked at when a name is narrowed by its parents ("London, Ontario"): a name
# shared by more chapters than this is narrowed among its largest ones.
NAMED_CANDIDATES = 200


def lineages(chapters: Iterable[Chapter]) -> dict[int, list[Chapter]]:
    """Each chapter with its ancestors, nearest first and International left out
    (International itself: just itself). One query for all of them, of LINK_FIELDS."""
    chapters = list(chapters)
    known = {chapter.path: chapter for chapter in chapters}
    wanted = {path for chapter in chapters for path in chapter.ancestor_paths()[1:]} - set(known)
    if wanted:
        known.update(
            (row.path, row) for row in Chapter.objects.filter(path__in=wanted).only(*LINK_FIELDS)
        )
    return {
        chapter.pk: [
            known[path] for path in reversed(chapter.ancestor_paths()[1:]) if path in known
        ] or [chapter]
        for chapter in chapters
    }


def full_names(chapters: Iterable[Chapter]) -> dict[int, str]:
    """Each chapter's name with its parents' in the active language, as a person tells
    places apart: "London, England, United Kingdom" (one query for all)."""
    return {
        pk: ", ".join(chapter.display_name() for chapter in lineage)
        for pk, lineage in lineages(chapters).items()
    }


def _names_of(chapter: Chapter) -> set[str]:
    # Folded, in every language the chapter has a name in (from LINK_FIELDS only).
    return {fold(chapter.name), *(fold(name) for name in chapter.names.values())}


def _international_names() -> set[str]:
    # What International is called in every shipped language, folded.
    names = {fold(INTERNATIONAL_SEGMENT)}
    for language, _label in settings.LANGUAGES:
        with translation.override(language):
            names.add(fold(str(ChapterLevel.INTERNATIONAL.label)))
    return names


def _called(folded: str) -> Q:
    """Chapters whose name is `folded` (exactly, but for case and accents) in any
    language or script: their own names and, for a place's chapter, the place's."""
    condition = (
        Q(sort_name=folded)
        | Q(place__ascii_name=folded)
        | Q(place__alt_names__contains=f"|{folded}|")
    )
    for language, _label in settings.LANGUAGES:
        condition |= Q(**{f"sort_names__{language}": folded})
    if folded in _international_names():
        condition |= Q(depth=1)
    return condition


def _within_parents(lineage: list[Chapter], parents: list[str]) -> bool:
    """Whether the names `parents` (folded, nearest first) are ancestors in `lineage`
    (the chapter first), in this order; levels may be skipped ("London, UK")."""
    remaining = iter(lineage[1:])
    return all(any(name in _names_of(ancestor) for ancestor in remaining) for name in parents)


def chapters_called(text: str, *, limit: int = 20) -> list[Chapter]:
    """The chapters a person means by `text`, the higher and larger first, at most `limit`:

    - an address, the url_path ("gb/eng/london", also "/c/gb/eng/london/") or
      `international`: that chapter;
    - a name, exact but for case and accents, in any language and script the chapter
      or its place has ("London", "Londres", "لندن");
    - a name followed by names of its parents after commas, as the chapter search
      shows it ("London, England, United Kingdom", "London, Ontario").

    Two queries at most (the chapters, their ancestors); none found is an empty list.
    """
    text = text.strip()
    address = text.strip("/").lower().removeprefix("c/").strip("/")
    if "/" in address or address == INTERNATIONAL_SEGMENT:
        address = "" if address == INTERNATIONAL_SEGMENT else address
        found = Chapter.objects.filter(url_path=address).first()
        if found is not None:
            return [found]
    order = ("depth", "-member_count", localized_order(), "path")
    whole = fold(text)
    parts = [fold(part) for part in re.split("[,،]", text)]  # the Arabic comma too
    if not whole:
        return []
    if len(parts) == 1 or not all(parts):
        # A country's address has no slash ("gb"): old links give it so.
        condition = _called(whole) | Q(url_path=address) if address else _called(whole)
        return list(Chapter.objects.filter(condition).order_by(*order)[:limit])
    # "London, Ontario": chapters called "London" (or "London Ontario", a name with a
    # comma in it), kept when the other names are among their parents.
    candidates = list(
        Chapter.objects.filter(_called(whole) | _called(parts[0])).order_by(*order)
        [:NAMED_CANDIDATES]
    )
    lines = lineages(candidates)
    return [
        chapter for chapter in candidates
        if _names_of(chapter) & {whole} or _within_parents(lines[chapter.pk], parts[1:])
    ][:limit]


def section_shown_to(key: str, member: Member | None, *, chapter: str = "chapter") -> Q:
    """A filter for rows of many chapters (a calendar with the chapters below, a board
    with its sub-chapters, the lessons of the whole tree): those whose chapter (the
    foreign key named `chapter`) shows its section `key` to `member` (None: an
    outsider): not turned off, and public or kept to members the member is one of
    (chapters.sections.may_view, in the query; it makes no query of its own)."""
    if key not in sections.OPTIONAL:
        return Q()
    setting = f"{chapter}__sections__{key}"
    shown = Q(**{f"{setting}__shown__isnull": True}) | Q(**{f"{setting}__shown": True})
    public = (Q(**{f"{setting}__visibility__isnull": True})
              | Q(**{f"{setting}__visibility": sections.Visibility.PUBLIC}))
    if member is not None:
        public |= Q(**{f"{chapter}__path__in": member.home_chapter.ancestor_paths()})
    return shown & public


def children_of(chapter: Chapter) -> QuerySet[Chapter]:
    """All children of `chapter`, most members first, as a queryset to refine."""
    return Chapter.objects.filter(_children_condition(chapter)).order_by(*child_order())


class ChildList:
    """All children of a chapter in child_order(), carrying LINK_FIELDS, for a
    Paginator or a slice: `count()` is one query, a slice `[start:stop]` another
    (SQL written once, see above)."""

    def __init__(self, chapter: Chapter) -> None:
        self.chapter = chapter

    def count(self) -> int:
        sql = _count_children_sql(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(sql, _children_params(self.chapter))
            return int(cursor.fetchone()[0])

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Chapter]:
        return iter(self[0:])

    @overload
    def __getitem__(self, index: int) -> Chapter: ...
    @overload
    def __getitem__(self, index: slice) -> list[Chapter]: ...
    def __getitem__(self, index: int | slice) -> Chapter | list[Chapter]:
        if isinstance(index, int):
            found = self[index:index + 1]
            if not found:
                raise IndexError("no child at this index")
            return found[0]
        if index.step is not None:
            raise ValueError("a ChildList takes no step")
        start = index.start or 0
        if start < 0 or (index.stop is not None and index.stop < 0):
            raise ValueError("a ChildList takes no negative index")
        # No stop: every child after start (PostgreSQL's LIMIT NULL; SQLite's -1).
        no_limit = None if connection.vendor == "postgresql" else -1
        size = no_limit if index.stop is None else max(index.stop - start, 0)
        order, order_params = _child_order_sql()
        sql = _children_sql(connection.vendor, order, fields=LINK_COLUMNS, offset=True)
        return rawsql.fetch(Chapter, LINK_COLUMNS, sql,
                            [*_children_params(self.chapter), *order_params, size, start])


def children_list(chapter: Chapter) -> ChildList:
    """All children of `chapter`, most members first (the paginated list, the cards)."""
    return ChildList(chapter)


@lru_cache(maxsize=8)
def _count_children_sql(vendor: str) -> str:
    return (f"SELECT COUNT(*) FROM {_table()} c "  # noqa: S608
            "WHERE c.depth = %s AND c.path BETWEEN %s AND %s")


# -- People --------------------------------------------------------------------------------


def facilitators_of(
    chapter: Chapter, *, limit: int = 50, viewer: Viewer | None = None
) -> list[ChapterRole]:
    """The chapter's active facilitator roles, with their members (one query).

    Given the `viewer` of the page, it also remembers whether they are among them when
    the list is complete, so `facilitates(viewer, chapter)` needs no query after it.
    """
    roles = list(
        ChapterRole.objects.facilitators_of(chapter)
        .select_related("member")
        .order_by("member__sort_name", "member__display_name", "pk")[:limit]
    )
    if viewer is not None and len(roles) < limit:
        member = viewer.member
        viewer.remember(
            ("facilitates", chapter.pk),
            member is not None and any(role.member_id == member.pk for role in roles),
        )
    return roles


def facilitates(viewer: Viewer, chapter: Chapter) -> bool:
    """Whether the viewer holds an accepted facilitator role in this very chapter
    (asked once per request and chapter)."""
    member = viewer.member
    if member is None:
        return False
    return viewer.recall(
        ("facilitates", chapter.pk),
        lambda: ChapterRole.objects.facilitators_of(chapter).filter(member=member).exists(),
    )


def within_url_path(url_path: str, ancestor: str) -> bool:
    """Whether the chapter at `url_path` is the chapter at `ancestor` or below it, from
    the addresses alone (a chapter's address extends its parent's)."""
    return ancestor in (url_path_prefixes(url_path) or ())


FACILITATED_CACHE_SECONDS = 300


def facilitated_key(member_id: int) -> str:
    return f"chapters:facilitated:{member_id}"


def facilitated_url_paths(member_id: int) -> frozenset[str]:
    """The addresses of the chapters the member facilitates (accepted roles), from the
    cache (the cached chapter page asks it on every visit, lib.pagecache); the role
    services forget it when the member's roles change (`services.forget_facilitated`).
    One query when not cached."""
    key = facilitated_key(member_id)
    found: frozenset[str] | None = cache.get(key)
    if found is None:
        found = frozenset(
            ChapterRole.objects.active()
            .filter(member_id=member_id, role=ChapterRole.Role.FACILITATOR)
            .values_list("chapter__url_path", flat=True)
        )
        cache.set(key, found, FACILITATED_CACHE_SECONDS)
    return found


def chapters_of(member: Member) -> list[Chapter]:
    """The member's home chapter and all its ancestors, root first (one query).

    When the home chapter is not loaded yet, the query finds it by id and its
    ancestors by the prefixes of its path (it is then loaded on the member too).
    """
    if type(member).home_chapter.is_cached(member):
        paths = member.home_chapter.ancestor_paths()
        return rawsql.fetch(Chapter, CHAPTER_FIELDS, _chapters_at_sql(connection.vendor,
                                                                      len(paths)), paths)
    rows = rawsql.fetch(Chapter, CHAPTER_FIELDS, _chapters_of_home_sql(connection.vendor),
                        [member.home_chapter_id])
    if rows and rows[-1].pk == member.home_chapter_id:
        member.home_chapter = rows[-1]
    return rows


@lru_cache(maxsize=16)
def _chapters_at_sql(vendor: str, paths: int) -> str:
    marks = ", ".join(["%s"] * paths)
    return (f"SELECT {rawsql.columns(Chapter, CHAPTER_FIELDS, alias='c')} "  # noqa: S608
            f"FROM {_table()} c WHERE c.path IN ({marks}) ORDER BY c.depth")


@lru_cache(maxsize=8)
def _chapters_of_home_sql(vendor: str) -> str:
    # The home chapter's path and its prefixes, one per level of the tree.
    step = Chapter.steplen
    prefixes = ", ".join(f"SUBSTR(h.path, 1, {level * step})"
                         for level in range(1, len(ChapterLevel) + 1))
    return (f"SELECT {rawsql.columns(Chapter, CHAPTER_FIELDS, alias='c')} "  # noqa: S608
            f"FROM {_table()} c JOIN {_table()} h ON c.path IN ({prefixes}) "
            "WHERE h.id = %s ORDER BY c.depth")


def roles_of(member: Member) -> QuerySet[ChapterRole]:
    """The member's roles and invitations, invitations first."""
    return (
        ChapterRole.objects.filter(member=member)
        .select_related("chapter")
        .order_by(F("accepted_at").asc(nulls_first=True), "chapter__path")
    )


# -- The world map ---------------------------------------------------------------------------


# Countries listed under the map (all of them: the gazetteer has about 250).
MAP_COUNTRIES_LISTED = 300


def countries_by_members(*, limit: int = MAP_COUNTRIES_LISTED) -> list[Chapter]:
    """The country chapters, most members first: the map page's list of chapters,
    which is all there is without JavaScript (one query)."""
    return list(
        Chapter.objects.filter(level=ChapterLevel.COUNTRY).order_by(*child_order())[:limit]
    )


def _language(language: str | None) -> str:
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    known = {code for code, _name in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE


# The map's first document holds the countries only (about 250 at most, whatever the
# size of the organisation); regions, cities and neighbourhoods come by cell, as the
# map is zoomed into an area. A region level is not bounded (ISO 3166-2 has about
# 5,000), so regions come by cell too.
MAP_FIRST_LEVELS = (ChapterLevel.INTERNATIONAL, ChapterLevel.COUNTRY)
# Cells: level k cuts the world into squares of 360/2**k degrees (2**k columns from
# -180° east, 2**(k-1) rows from -90° north); map.js asks for level zoom - 2, so a cell
# is about 1,024 px wide on screen. Level 2 is a quarter of the world, level 10 a
# third of a degree (zoom 12, the map's closest).
MAP_CELL_LEVELS = range(2, 11)
# Chapters per cell at most, the most members first: a dense area shows its largest
# chapters, and zooming in (smaller cells) shows the others.
MAP_CELL_LIMIT = 300
_CELL = re.compile(r"([0-9]{1,2})/([0-9]{1,4})/([0-9]{1,4})")  # ASCII digits only


@dataclass(frozen=True)
class MapCell:
    """A square of the map's grid: `level/x/y` (see MAP_CELL_LEVELS)."""

    level: int
    x: int
    y: int

    @classmethod
    def parse(cls, text: str) -> MapCell:
        """"3/4/2" → MapCell(3, 4, 2); ValueError when malformed or off the grid."""
        match = _CELL.fullmatch(text)
        if match is None:
            raise ValueError(text)
        cell = cls(*(int(part) for part in match.groups()))
        if (cell.level not in MAP_CELL_LEVELS or cell.x >= 2 ** cell.level
                or cell.y >= 2 ** (cell.level - 1)):
            raise ValueError(text)
        return cell

    def __str__(self) -> str:
        return f"{self.level}/{self.x}/{self.y}"

    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees."""
        size = 360 / 2 ** self.level
        west, south = -180 + self.x * size, -90 + self.y * size
        return west, south, west + size, south + size

    def contains(self) -> Q:
        """The chapters inside: each edge belongs to the cell east or north of it, except
        the grid's own east and north edges (180°, 90°), which belong to the last cell."""
        west, south, east, north = self.bounds()
        last_x, last_y = self.x == 2 ** self.level - 1, self.y == 2 ** (self.level - 1) - 1
        return Q(
            longitude__gte=west, latitude__gte=south,
            **{"longitude__lte" if last_x else "longitude__lt": east},
            **{"latitude__lte" if last_y else "latitude__lt": north},
        )


# What a map document holds: every chapter (the API's download), the first document
# (the countries) or one cell's regions, cities and neighbourhoods.
MapPart = Literal["every", "first"] | MapCell


def chapters_geojson(*, language: str | None = None, part: MapPart = "every") -> dict[str, Any]:
    """Chapters with coordinates as a GeoJSON FeatureCollection of points.

    `part`: "every" chapter; "first", the countries (the map's first load); or a
    MapCell, its regions, cities and neighbourhoods, the most members first and
    MAP_CELL_LIMIT at most, with the foreign members "cell", "limit" and "capped"
    (true when the cell holds more). One query whatever the number of chapters.

    Properties: name (in `language`, default the active one, where known),
    level (0–4), level_name, count (members), url (the chapter page).
    Neighbourhoods carry their city's coordinates; chapters without any are
    left out. Reads tuples, not model instances, so 50,000 chapters stay cheap.
    """
    language = _language(language)
    root_url = reverse("chapters:international")
    with translation.override(language):
        level_names = {value: str(label) for value, label in ChapterLevel.choices}
    chapters = Chapter.objects.filter(latitude__isnull=False, longitude__isnull=False)
    if part == "first":
        chapters = chapters.filter(level__in=MAP_FIRST_LEVELS).order_by("path")
    elif isinstance(part, MapCell):
        chapters = (
            chapters.filter(part.contains())
            .exclude(level__in=MAP_FIRST_LEVELS)
            .order_by("-member_count", "path")[: MAP_CELL_LIMIT + 1]
        )
    else:
        chapters = chapters.order_by("path")
    rows = chapters.annotate(local_name=KT(f"names__{language}")).values_list(
        "name", "local_name", "level", "member_count", "url_path", "latitude", "longitude"
    )
    features = [
        {
            "type": "Feature",
            # The filter above leaves out chapters without coordinates.
            "geometry": {"type": "Point",
                         "coordinates": [round(lon, 5), round(lat, 5)]},  # type: ignore[arg-type]
            "properties": {
                "name": local_name or name,
                "level": level,
                "level_name": level_names.get(level, ""),
                "count": count,
                "url": f"{root_url}{url_path}/" if url_path else root_url,
            },
        }
        for name, local_name, level, count, url_path, lat, lon in rows.iterator(chunk_size=5000)
    ]
    if not isinstance(part, MapCell):
        return {"type": "FeatureCollection", "features": features}
    return {
        "type": "FeatureCollection",
        "cell": str(part),
        "limit": MAP_CELL_LIMIT,
        "capped": len(features) > MAP_CELL_LIMIT,
        "features": features[:MAP_CELL_LIMIT],
    }


@dataclass(frozen=True)
class GeoJSONDocument:
    body: bytes
    gzipped: bytes
    etag: str


def geojson_version() -> int:
    return lib_cache.version(GEOJSON_VERSION_KEY)


def chapters_geojson_document(
    *, language: str | None = None, part: MapPart = "every"
) -> GeoJSONDocument:
    """`chapters_geojson()` serialised (plain and gzipped) with an ETag, cached.

    Cached for GEOJSON_CACHE_SECONDS under the part, the language and a version
    number that creating a chapter bumps; a cache hit runs no query.
    """
    language = _language(language)
    key = f"chapters:geojson:{geojson_version()}:{language}:{part}"
    cached = cache.get(key)
    if cached is not None:
        return GeoJSONDocument(*cached)
    body = json.dumps(
        chapters_geojson(language=language, part=part), separators=(",", ":"),
        ensure_ascii=False,
    ).encode()
    document = GeoJSONDocument(
        body=body,
        gzipped=gzip.compress(body, compresslevel=6, mtime=0),
        etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"',
    )
    cache.set(key, (document.body, document.gzipped, document.etag), GEOJSON_CACHE_SECONDS)
    return document


def chapter_label(url_path: str) -> str:
    """How an operator's report names a chapter: its address under /c/."""
    return f"/c/{url_path}/" if url_path else "International (/c/)"


def tree_problems() -> list[str]:
    """Where the stored tree disagrees with itself, in plain sentences: a depth that
    does not match the path, a chapter whose parent is missing, a stored number of
    children (treebeard's `numchild`) other than the children there are.

    One query and a pass in Python (treebeard's own `find_problems` runs a query per
    chapter). Empty when the tree is sound.
    """
    rows = list(Chapter.objects.order_by("path").values_list("path", "depth", "numchild",
                                                              "url_path"))
    step = Chapter.steplen
    paths = {path for path, *_rest in rows}
    children = Counter(path[:-step] for path, *_rest in rows if len(path) > step)
    problems = []
    for path, depth, numchild, url_path in rows:
        label = chapter_label(url_path)
        if len(path) % step or depth != len(path) // step:
            problems.append(f"Chapter {label}: depth {depth} does not match its tree path.")
        elif len(path) > step and path[:-step] not in paths:
            problems.append(f"Chapter {label}: its parent chapter is missing.")
        if numchild != children[path]:
            problems.append(f"Chapter {label}: stores {numchild} sub-chapters, but has "
                            f"{children[path]}.")
    return problems
