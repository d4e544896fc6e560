"""The chapter tree built in bulk, for loaders that create thousands of chapters at once
(the demo organisation, the benchmark's): the same chapters as services.ensure_place_chapter
and services.ensure_neighbourhood called once per item in the given order (same paths,
slugs, url_paths and numchild), written with a few queries per level instead of a few per
chapter. Members never reach this: they go through the services one at a time."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TypeVar

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Substr
from django.utils.text import slugify
from treebeard.exceptions import PathOverflow

from chapterhouse.places.models import Place, PlaceKind

from .models import Chapter, ChapterLevel, name_fields
from .services import (
    _LEVEL_OF_PLACE,
    RESERVED_SLUGS,
    _place_slug,
    bump_geojson_version,
    get_international,
    neighbourhood_slug,
)

T = TypeVar("T")

_CHUNK = 500  # parameters per IN (…): well under SQLite's limit


def _chunks(items: list[T], size: int = _CHUNK) -> Iterable[list[T]]:
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
                if chapter.place_id is not None:  # always, by the filter
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
                    "name": place.name, "names": place.names,
                    **name_fields(place.name, place.names), "slug": slug,
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
                    "name": " ".join(name.split()), **name_fields(" ".join(name.split()), {}),
                    "slug": slug,
                    "url_path": f"{city.url_path}/{slug}", "level": ChapterLevel.NEIGHBOURHOOD,
                    "latitude": city.latitude, "longitude": city.longitude,
                }))
        existing.update(zip(new_keys, _insert_children(new), strict=True))
        for city, name in pairs:
            found[(city.pk, name)] = existing[(city.pk, neighbourhood_slug(name))]
    return found
