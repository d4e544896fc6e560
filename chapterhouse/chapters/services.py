"""Writes to the chapter tree. Chapters exist where members are."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.text import slugify
from treebeard.exceptions import PathOverflow

from chapterhouse.lib import audit, pagecache
from chapterhouse.lib import cache as lib_cache
from chapterhouse.places.models import Place, PlaceKind

from .models import Chapter, ChapterLevel, ChapterRole
from .selectors import GEOJSON_VERSION_KEY

# Words that name pages under a chapter's URL (/c/<path>/members/ …) or under /c/
# itself; a chapter slug must never be one of them, or the page would hide it.
RESERVED_SLUGS = frozenset({
    "blog", "chapters", "decisions", "dues", "edit", "events", "forums", "map", "members",
    "mine", "mutual-aid", "mutualaid", "projects", "resources", "roles",
})

_LEVEL_OF_PLACE = {
    PlaceKind.COUNTRY: ChapterLevel.COUNTRY,
    PlaceKind.REGION: ChapterLevel.REGION,
    PlaceKind.CITY: ChapterLevel.CITY,
}


def get_international() -> Chapter:
    """The root chapter, created on first use."""
    root = Chapter.objects.get_first_root_node()
    if root is not None:
        return root
    with transaction.atomic():
        root = Chapter.objects.get_first_root_node()
        if root is None:
            root = Chapter.objects.add_root(
                {"name": "International", "slug": "", "url_path": "",
                 "level": ChapterLevel.INTERNATIONAL}
            )
        return root


def _place_slug(place: Place) -> str:
    if place.kind == PlaceKind.COUNTRY:
        return place.code.lower()
    if place.kind == PlaceKind.REGION:
        return slugify(place.code.split("-", 1)[-1]) or slugify(place.ascii_name)
    return slugify(place.ascii_name or place.name)[:70] or place.code.lower()


def _unique_child_slug(parent: Chapter, slug: str, fallback: str) -> str:
    taken = slug in RESERVED_SLUGS or Chapter.objects.children_of(parent).filter(slug=slug).exists()
    return slugify(f"{slug}-{fallback}") if taken else slug


def bump_geojson_version() -> None:
    """Make the next map request rebuild its cached GeoJSON (see selectors)."""
    lib_cache.bump_version(GEOJSON_VERSION_KEY)


def _add_child(parent: Chapter, **fields: object) -> Chapter:
    # treebeard's add_child locks the parent row (SELECT … FOR UPDATE) before it
    # reads the last child's path, so two first members arriving at once cannot
    # both take the same path for a new child; callers hold a transaction.
    child = Chapter.objects.add_child(parent, fields)
    transaction.on_commit(bump_geojson_version)
    return child


def ensure_place_chapter(place: Place) -> tuple[Chapter, list[Chapter]]:
    """The chapter of `place`, creating it and any missing ancestors.

    Returns the chapter and the list of chapters created by this call.
    """
    existing = Chapter.objects.filter(place=place).first()
    if existing is not None:
        return existing, []
    with transaction.atomic():
        if place.parent_id is None:
            parent, created = get_international(), list[Chapter]()
        else:
            parent, created = ensure_place_chapter(place.parent)  # type: ignore[arg-type]
        existing = Chapter.objects.filter(place=place).first()
        if existing is not None:
            return existing, created
        slug = _unique_child_slug(parent, _place_slug(place), place.code.lower())
        chapter = _add_child(
            parent,
            name=place.name,
            names=place.names,
            slug=slug,
            url_path=f"{parent.url_path}/{slug}".strip("/"),
            level=_LEVEL_OF_PLACE[PlaceKind(place.kind)],
            place=place,
            latitude=place.latitude,
            longitude=place.longitude,
        )
        return chapter, [*created, chapter]


def neighbourhood_slug(name: str) -> str:
    """The slug of a neighbourhood name; equal names (ignoring case, accents and
    punctuation) give equal slugs. A name in another script ("新宿") keeps its
    letters (an IRI path segment). Empty only for a name of punctuation alone.
    Reserved words get a suffix so a neighbourhood cannot shadow a chapter page
    (/c/<city>/members/).
    """
    slug = slugify(name)[:70] or slugify(name, allow_unicode=True)[:70]
    if slug in RESERVED_SLUGS:
        slug = f"{slug}-area"
    return slug


def ensure_neighbourhood(city_chapter: Chapter, name: str) -> tuple[Chapter, bool]:
    """The neighbourhood chapter called `name` inside a city, created if new.

    The same name (ignoring case, accents and punctuation) in the same city is
    the same neighbourhood.
    """
    slug = neighbourhood_slug(name)
    with transaction.atomic():
        existing = Chapter.objects.children_of(city_chapter).filter(slug=slug).first()
        if existing is not None:
            return existing, False
        chapter = _add_child(
            city_chapter,
            name=" ".join(name.split()),
            slug=slug,
            url_path=f"{city_chapter.url_path}/{slug}",
            level=ChapterLevel.NEIGHBOURHOOD,
            latitude=city_chapter.latitude,
            longitude=city_chapter.longitude,
        )
        return chapter, True


def resolve_home_chapter(
    *, city: Place, neighbourhood: str = ""
) -> tuple[Chapter, list[Chapter]]:
    """The chapter a member living in `city` (and `neighbourhood`) calls home."""
    chapter, created = ensure_place_chapter(city)
    if neighbourhood.strip():
        chapter, is_new = ensure_neighbourhood(chapter, neighbourhood)
        if is_new:
            created.append(chapter)
    return chapter, created


# -- Bulk loading ---------------------------------------------------------------------------
# The same chapters as ensure_place_chapter / ensure_neighbourhood called once per item in
# the given order (same paths, slugs, url_paths and numchild), written with a few queries
# per level instead of a few per chapter: for generators that create thousands at once.

_CHUNK = 500  # parameters per IN (…): well under SQLite's limit


def _chunks(items: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _children_now(parents: Iterable[Chapter]) -> dict[str, tuple[int, set[str]]]:
    """{parent path: (last step used by its children, their slugs)} from the database."""
    found: dict[str, tuple[int, set[str]]] = {}
    by_depth: dict[int, list[str]] = defaultdict(list)
    for parent in parents:
        by_depth[parent.depth].append(parent.path)
        found[parent.path] = (0, set())
    step = Chapter.steplen
    for depth, paths in by_depth.items():
        for chunk in _chunks(paths):
            rows = (
                Chapter.objects.filter(depth=depth + 1)
                .annotate(parent_path=Substr("path", 1, depth * step))
                .filter(parent_path__in=chunk)
                .values_list("parent_path", "path", "slug")
            )
            for parent_path, path, slug in rows:
                last, slugs = found[parent_path]
                slugs.add(slug)
                found[parent_path] = (max(last, Chapter._str2int(path[-step:])), slugs)
    return found


def _insert_children(new: list[tuple[Chapter, dict[str, object]]]) -> list[Chapter]:
    """Add each (parent, fields) child after its parent's last child, in the order given,
    as treebeard's add_child would one by one (parents locked as _add_child does), with
    one bulk INSERT and one numchild UPDATE per distinct count of new children."""
    if not new:
        return []
    parent_ids = sorted({parent.pk for parent, _fields in new})
    for chunk in _chunks(parent_ids):
        list(Chapter.objects.select_for_update().filter(pk__in=chunk).values_list("pk"))
    last = {path: step for path, (step, _slugs) in _children_now(
        {parent.pk: parent for parent, _fields in new}.values()).items()}
    limit = len(Chapter.alphabet) ** Chapter.steplen
    chapters = []
    added: Counter[int] = Counter()
    for parent, fields in new:
        step = last[parent.path] + 1
        if step >= limit:
            raise PathOverflow(f"Path Overflow from: '{parent.path}'")
        last[parent.path] = step
        added[parent.pk] += 1
        chapters.append(Chapter(
            **fields, depth=parent.depth + 1, numchild=0,
            path=Chapter._get_path(parent.path, parent.depth + 1, step),
        ))
    Chapter.objects.bulk_create(chapters, batch_size=1000)
    by_count: dict[int, list[int]] = defaultdict(list)
    for pk, count in added.items():
        by_count[count].append(pk)
    for count, pks in by_count.items():
        for chunk in _chunks(pks):
            Chapter.objects.filter(pk__in=chunk).update(numchild=F("numchild") + count)
    for parent in {parent.pk: parent for parent, _fields in new}.values():
        parent.numchild += added[parent.pk]
    transaction.on_commit(bump_geojson_version)
    return chapters


def bulk_ensure_place_chapters(places: Iterable[Place]) -> dict[int, Chapter]:
    """The chapters of `places` and all their ancestors, created where missing, as
    ensure_place_chapter would create them called for each place in this order.

    Returns {place pk: chapter} for the places and their ancestors. For bulk loading
    in one transaction: a concurrent creation of the same place fails on the chapter's
    unique place rather than duplicating it.
    """
    wanted = list(places)
    known: dict[int, Place] = {place.pk: place for place in wanted}
    missing = {place.parent_id for place in wanted} - set(known) - {None}
    while missing:
        for place in Place.objects.filter(pk__in=missing):
            known[place.pk] = place
        missing = {place.parent_id for place in known.values()} - set(known) - {None}
    order: dict[int, Place] = {}  # first appearance, each place after its ancestors
    for place in wanted:
        chain = [place]
        while chain[-1].parent_id is not None:
            chain.append(known[chain[-1].parent_id])
        for item in reversed(chain):
            order.setdefault(item.pk, item)
    if not order:
        return {}
    with transaction.atomic():
        chapter_of: dict[int, Chapter] = {}
        for chunk in _chunks(list(order)):
            for chapter in Chapter.objects.filter(place_id__in=chunk):
                chapter_of[chapter.place_id] = chapter
        root = get_international()
        pending = [place for pk, place in order.items() if pk not in chapter_of]
        while pending:
            ready = [p for p in pending if p.parent_id is None or p.parent_id in chapter_of]
            pending = [p for p in pending if not (p.parent_id is None or p.parent_id in chapter_of)]
            parents = {
                p.pk: root if p.parent_id is None else chapter_of[p.parent_id] for p in ready
            }
            slugs = {path: taken for path, (_step, taken) in
                     _children_now({c.pk: c for c in parents.values()}.values()).items()}
            new = []
            for place in ready:
                parent = parents[place.pk]
                slug = _place_slug(place)
                if slug in RESERVED_SLUGS or slug in slugs[parent.path]:
                    slug = slugify(f"{slug}-{place.code.lower()}")
                slugs[parent.path].add(slug)
                new.append((parent, {
                    "name": place.name, "names": place.names, "slug": slug,
                    "url_path": f"{parent.url_path}/{slug}".strip("/"),
                    "level": _LEVEL_OF_PLACE[PlaceKind(place.kind)], "place": place,
                    "latitude": place.latitude, "longitude": place.longitude,
                }))
            for place, chapter in zip(ready, _insert_children(new), strict=True):
                chapter_of[place.pk] = chapter
    return chapter_of


def bulk_ensure_neighbourhoods(
    wanted: Iterable[tuple[Chapter, str]],
) -> dict[tuple[int, str], Chapter]:
    """The neighbourhood chapters (city chapter, name), created where missing, as
    ensure_neighbourhood would create them called for each pair in this order.

    Returns {(city chapter pk, name as given): chapter}; equal names (by slug) in a
    city give the same chapter. Same concurrency note as bulk_ensure_place_chapters.
    """
    pairs = list(wanted)
    found: dict[tuple[int, str], Chapter] = {}
    with transaction.atomic():
        cities = {city.pk: city for city, _name in pairs}
        existing: dict[tuple[int, str], Chapter] = {}
        by_path = {city.path: city.pk for city in cities.values()}
        step = Chapter.steplen
        for depth in {city.depth for city in cities.values()}:
            paths = [city.path for city in cities.values() if city.depth == depth]
            for chunk in _chunks(paths):
                rows = (
                    Chapter.objects.filter(depth=depth + 1)
                    .annotate(parent_path=Substr("path", 1, depth * step))
                    .filter(parent_path__in=chunk)
                    .order_by("path")
                )
                for chapter in rows:
                    existing.setdefault((by_path[chapter.path[:-step]], chapter.slug), chapter)
        new: list[tuple[Chapter, dict[str, object]]] = []
        new_keys: dict[tuple[int, str], None] = {}
        for city, name in pairs:
            slug = neighbourhood_slug(name)
            key = (city.pk, slug)
            if key not in existing and key not in new_keys:
                new_keys[key] = None
                new.append((cities[city.pk], {
                    "name": " ".join(name.split()), "slug": slug,
                    "url_path": f"{city.url_path}/{slug}", "level": ChapterLevel.NEIGHBOURHOOD,
                    "latitude": city.latitude, "longitude": city.longitude,
                }))
        existing.update(zip(new_keys, _insert_children(new), strict=True))
        for city, name in pairs:
            found[(city.pk, name)] = existing[(city.pk, neighbourhood_slug(name))]
    return found


def adjust_member_counts(chapter: Chapter, delta: int) -> None:
    """Add `delta` to the member count of `chapter` and every ancestor, in SQL."""
    Chapter.objects.filter(path__in=chapter.ancestor_paths()).update(
        member_count=F("member_count") + delta
    )


def _page_changed(chapter: Chapter) -> None:
    """Signed-out visitors see the chapter page anew once this commits (its
    description and facilitators; lib.pagecache)."""
    path = chapter.get_absolute_url()
    transaction.on_commit(lambda: pagecache.forget(path))


def update_chapter(*, chapter: Chapter, description: str, actor=None) -> Chapter:
    with transaction.atomic():
        chapter.description = description
        chapter.save(update_fields=["description"])
        audit.record(actor=actor, action="chapters.update_description", target=chapter,
                     chapter=chapter, data={"description": description})
        _page_changed(chapter)
    return chapter


def grant_role(
    *, chapter: Chapter, member, role: str = ChapterRole.Role.FACILITATOR, source: str,
    accepted: bool = True, actor=None,
) -> ChapterRole:
    """Grant (or invite to) a role. Idempotent: granting twice keeps one row."""
    with transaction.atomic():
        chapter_role, _ = ChapterRole.objects.get_or_create(
            chapter=chapter, member=member, role=role, defaults={"source": source}
        )
        if accepted and chapter_role.accepted_at is None:
            chapter_role.accepted_at = timezone.now()
            chapter_role.save(update_fields=["accepted_at"])
        audit.record(actor=actor, action="roles.grant" if accepted else "roles.invite",
                     target=chapter_role, chapter=chapter, data={"role": role, "source": source})
        _page_changed(chapter)
    return chapter_role


def accept_role(*, chapter_role: ChapterRole) -> ChapterRole:
    with transaction.atomic():
        if chapter_role.accepted_at is None:
            chapter_role.accepted_at = timezone.now()
            chapter_role.save(update_fields=["accepted_at"])
        audit.record(actor=chapter_role.member, action="roles.accept", target=chapter_role,
                     chapter=chapter_role.chapter)
        _page_changed(chapter_role.chapter)
    return chapter_role


def decline_role(*, chapter_role: ChapterRole) -> None:
    with transaction.atomic():
        audit.record(actor=chapter_role.member, action="roles.decline", target=chapter_role,
                     chapter=chapter_role.chapter)
        chapter_role.delete()


def revoke_role(*, chapter_role: ChapterRole, actor=None) -> None:
    """Remove a role or an invitation (a site administrator, until chapters decide it)."""
    with transaction.atomic():
        audit.record(actor=actor, action="roles.revoke", target=chapter_role,
                     chapter=chapter_role.chapter, data={"role": chapter_role.role})
        _page_changed(chapter_role.chapter)
        chapter_role.delete()
