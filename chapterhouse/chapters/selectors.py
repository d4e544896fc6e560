"""Reads across the chapter tree: chains, neighbours, members lists, the map."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import F, Q, QuerySet
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils import translation

from chapterhouse.lib import cache as lib_cache
from chapterhouse.lib.collation import fold, localized_order, sort_key
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
    condition = Q(url_path__in=prefixes)
    if home_chapter_id is not None:
        condition |= Q(pk=home_chapter_id)
    rows = list(Chapter.objects.filter(condition))
    by_url = {chapter.url_path: chapter for chapter in rows}
    chain = [by_url.get(prefix) for prefix in prefixes]
    if any(chapter is None for chapter in chain):
        return None
    home = next((chapter for chapter in rows if chapter.pk == home_chapter_id), None)
    return ChapterChain(chain=chain, home=home)  # type: ignore[arg-type]


# -- Children around a chain (breadcrumb dropdowns and sub-chapter lists) -----------------


def child_order() -> tuple[Any, ...]:
    """Children by member count, then by name in the active language (folded, so
    "México" sits by "Mexico", not after "Mozambique"), then path."""
    return ("-member_count", localized_order(), "path")


# What showing a chapter as a link needs (display_name, get_absolute_url, the count);
# children_around() loads only these, as a page holds hundreds of children.
LINK_FIELDS = ("path", "depth", "name", "names", "level", "url_path", "member_count")


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

    Each level is an `id IN (… ORDER BY … LIMIT limit+1)` subquery: a top-N
    scan, which stays fast with tens of thousands of siblings where a window
    function would sort them all. The extra row tells whether there are more.
    """
    limit = BREADCRUMB_SIBLINGS if limit is None else limit
    if not chain:
        return {}
    condition = Q()
    for chapter in chain:
        top = (
            Chapter.objects.filter(_children_condition(chapter))
            .order_by(*child_order())
            .values("pk")[: limit + 1]
        )
        # The level's own range too, so the index on (depth, path) finds the rows
        # rather than a scan of every chapter.
        condition |= _children_condition(chapter) & Q(pk__in=top)
    rows = sorted(
        Chapter.objects.filter(condition).only(*LINK_FIELDS).order_by(),
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
    """All children of `chapter`, most members first (for the paginated list)."""
    return Chapter.objects.filter(_children_condition(chapter)).order_by(*child_order())


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
    """The member's home chapter and all its ancestors, root first.

    Two small queries when the home chapter is not loaded yet (one when it is). One
    query with the home path as a subquery at every depth measured 4× slower at tier
    M: compiling five subqueries costs more than the round trip it saves.
    """
    home = member.home_chapter
    return list(Chapter.objects.containing(home).order_by("depth"))


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


def chapters_geojson(*, language: str | None = None) -> dict[str, Any]:
    """Every chapter with coordinates as a GeoJSON FeatureCollection of points.

    Properties: name (in `language`, default the active one, where known),
    level (0–4), level_name, count (members), url (the chapter page).
    Neighbourhoods carry their city's coordinates; chapters without any are
    left out. Reads tuples, not model instances, so 50,000 chapters stay cheap.
    """
    language = _language(language)
    root_url = reverse("chapters:international")
    with translation.override(language):
        level_names = {value: str(label) for value, label in ChapterLevel.choices}
    rows = (
        Chapter.objects.filter(latitude__isnull=False, longitude__isnull=False)
        .annotate(local_name=KT(f"names__{language}"))
        .order_by("path")
        .values_list(
            "name", "local_name", "level", "member_count", "url_path", "latitude", "longitude"
        )
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
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class GeoJSONDocument:
    body: bytes
    gzipped: bytes
    etag: str


def geojson_version() -> int:
    return lib_cache.version(GEOJSON_VERSION_KEY)


def chapters_geojson_document(*, language: str | None = None) -> GeoJSONDocument:
    """`chapters_geojson()` serialised (plain and gzipped) with an ETag, cached.

    Cached for GEOJSON_CACHE_SECONDS under the language and a version number
    that creating a chapter bumps; a cache hit runs no query.
    """
    language = _language(language)
    key = f"chapters:geojson:{geojson_version()}:{language}"
    cached = cache.get(key)
    if cached is not None:
        return GeoJSONDocument(*cached)
    body = json.dumps(
        chapters_geojson(language=language), separators=(",", ":"), ensure_ascii=False
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
