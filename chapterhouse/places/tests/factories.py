"""Small gazetteer entries for tests that do not need the shipped data."""

from __future__ import annotations

import hashlib

from chapterhouse.places.models import Place, PlaceKind, ascii_fold


def make_area(kind: PlaceKind, code: str, name: str, parent: Place | None = None) -> Place:
    """A country ("GB") or region ("GB-ENG"), reused if it already exists."""
    place, _ = Place.objects.get_or_create(
        kind=kind,
        code=code,
        defaults={
            "name": name,
            "ascii_name": ascii_fold(name),
            "parent": parent,
            "country_code": code.split("-")[0],
        },
    )
    return place


def make_city(
    name: str = "London",
    region: tuple[str, str] | None = ("GB-ENG", "England"),
    country: tuple[str, str] = ("GB", "United Kingdom"),
    **fields: object,
) -> Place:
    """The city `name` in `region` of `country`, created with them if missing.

    `region=None` puts the city directly under a country without regions. The
    same arguments give the same city; `fields` (population=…, latitude=…) apply
    when it is created. No coordinates or translations unless given.
    """
    parent = make_area(PlaceKind.COUNTRY, *country)
    if region is not None:
        parent = make_area(PlaceKind.REGION, *region, parent=parent)
    # "t" + a digest: stable for the same city, and never a GeoNames id.
    code = "t" + hashlib.sha256(f"{parent.code}/{name}".encode()).hexdigest()[:16]
    city, _ = Place.objects.get_or_create(
        kind=PlaceKind.CITY,
        code=code,
        defaults={
            "name": name,
            "ascii_name": ascii_fold(name),
            "parent": parent,
            "country_code": parent.country_code,
            "population": 1000,
            **fields,
        },
    )
    return city
