"""Reads from the gazetteer.

Every query here is served by an index: (kind, code) for codes and the country
list, (parent, kind, ascii_name) for regions and cities within an area,
country_code for a country-wide city search.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from chapterhouse.lib.collation import localized_order

from .models import Place, PlaceKind, ascii_fold


def _by_name() -> tuple[Any, ...]:
    """Areas by their folded name in the active language (lib.collation); a list
    shown whole is sorted again in Python by the reader's collation."""
    return (localized_order(fallback="ascii_name"), "code")


def countries() -> QuerySet[Place]:
    """Every country, by name in the active language."""
    return Place.objects.filter(kind=PlaceKind.COUNTRY).order_by(*_by_name())


def regions_of(country: Place | str) -> QuerySet[Place]:
    """The top-level ISO 3166-2 regions of `country` (a Place or its code), by name in
    the active language; empty for countries without regions, whose cities hang
    directly from the country."""
    if isinstance(country, Place):
        return Place.objects.filter(kind=PlaceKind.REGION, parent=country).order_by(*_by_name())
    return Place.objects.filter(
        kind=PlaceKind.REGION, country_code=country.strip().upper()
    ).order_by(*_by_name())


def _cities_in(area: Place) -> QuerySet[Place]:
    if area.kind == PlaceKind.COUNTRY:
        # All the country's cities, whether under a region or the country itself.
        return Place.objects.filter(kind=PlaceKind.CITY, country_code=area.code).select_related(
            "parent"
        )
    return Place.objects.filter(kind=PlaceKind.CITY, parent=area).select_related("parent")


def search_cities(*, region: Place, query: str, limit: int = 20) -> list[Place]:
    """Cities of `region` (a region, or a country) matching `query`.

    Case-, accent- and punctuation-insensitive. A city matches when its name
    contains the query, or one of its other names starts with it ("wien" finds
    Vienna). The best matches come first: the exact name, an exact other name,
    a name with a word starting with the query ("york" finds York, New York and
    Yorktown), another name starting with it, then names merely containing it;
    within each, the most populous first. An empty query lists the most
    populous cities.
    """
    folded = ascii_fold(query)
    cities = _cities_in(region)
    if not folded:
        return list(cities.order_by("-population", "name")[:limit])
    rank = Case(
        When(ascii_name=folded, then=Value(0)),
        When(alt_names__contains=f"|{folded}|", then=Value(1)),
        When(ascii_name__startswith=folded, then=Value(2)),
        When(ascii_name__contains=f" {folded}", then=Value(2)),
        When(alt_names__contains=f"|{folded}", then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    return list(
        cities.filter(Q(ascii_name__contains=folded) | Q(alt_names__contains=f"|{folded}"))
        .annotate(rank=rank)
        .order_by("rank", "-population", "name")[:limit]
    )


def resolve_city(*, region: Place, name: str) -> Place | None:
    """The city of `region` (a region, or a country) called `name`, ignoring case,
    accents and punctuation; failing that, the one also known by that name
    ("München" → Munich). The most populous one when several share the name."""
    folded = ascii_fold(name)
    if not folded:
        return None
    cities = _cities_in(region).order_by("-population", "pk")
    return (
        cities.filter(ascii_name=folded).first()
        or cities.filter(alt_names__contains=f"|{folded}|").first()
    )


def place_by_code(kind: PlaceKind | str, code: str) -> Place | None:
    """The place of `kind` with `code` ("GB", "GB-ENG", or a city's GeoNames id)."""
    code = code.strip()
    if kind != PlaceKind.CITY:
        code = code.upper()
    return Place.objects.filter(kind=kind, code=code).first()
