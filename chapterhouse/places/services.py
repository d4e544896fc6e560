"""Writes to the gazetteer: loading the shipped data set."""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from tqdm import tqdm

from . import gazetteer
from .models import Place, PlaceKind, ascii_fold, sort_names_of

# The columns that loading writes; compared to decide whether a row changed.
LOADED_FIELDS = (
    "name",
    "ascii_name",
    "alt_names",
    "names",
    "sort_names",
    "parent_id",
    "country_code",
    "latitude",
    "longitude",
    "population",
    "timezone",
)


@dataclass(frozen=True)
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: LoadReport) -> LoadReport:
        return LoadReport(
            self.created + other.created,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


def load_gazetteer(
    *,
    countries: Collection[str] | None = None,
    min_population: int = 0,
    batch_size: int = 1000,
    progress: bool = False,
    data_dir: Path = gazetteer.DATA_DIR,
) -> LoadReport:
    """Bring the Place table in line with the shipped gazetteer.

    Every country is loaded; regions and cities only for `countries` (ISO
    alpha-2 codes) when given, and cities only from `min_population` up.
    Idempotent: rows are matched on (kind, code), only new or changed rows are
    written (upserted in batches), so a second run writes nothing. Places that
    are no longer in the data are kept, since members and chapters point at
    them. One transaction: a failed load leaves the table as it was.
    """
    wanted = {code.strip().upper() for code in countries} if countries else None
    with transaction.atomic():
        report = _upsert(
            PlaceKind.COUNTRY,
            (_area_row(record, parent_id=None) for record in gazetteer.read_countries(data_dir)),
            countries=None,
            batch_size=batch_size,
            progress=progress,
        )
        country_ids = _ids(PlaceKind.COUNTRY, wanted)
        report += _upsert(
            PlaceKind.REGION,
            (
                _area_row(record, parent_id=country_ids[record.country_code])
                for record in gazetteer.read_regions(data_dir)
                if wanted is None or record.country_code in wanted
            ),
            countries=wanted,
            batch_size=batch_size,
            progress=progress,
        )
        parent_ids = {**country_ids, **_ids(PlaceKind.REGION, wanted)}
        report += _upsert(
            PlaceKind.CITY,
            (
                _city_row(record, parent_id=parent_ids[record.parent])
                for record in gazetteer.read_cities(
                    data_dir, countries=wanted, min_population=min_population
                )
            ),
            countries=wanted,
            batch_size=batch_size,
            progress=progress,
        )
    return report


def _area_row(record: gazetteer.AreaRecord, parent_id: int | None) -> tuple[str, tuple[Any, ...]]:
    ascii_name = ascii_fold(record.name)
    return record.code, (
        record.name,
        ascii_name,
        alt_names_field(record.names.values(), ascii_name),
        record.names,
        sort_names_of(record.names),
        parent_id,
        record.country_code,
        record.latitude,
        record.longitude,
        0,
        "",
    )


def _city_row(record: gazetteer.CityRecord, parent_id: int) -> tuple[str, tuple[Any, ...]]:
    ascii_name = ascii_fold(record.name)
    return record.code, (
        record.name,
        ascii_name,
        alt_names_field((*record.names.values(), *record.alt_names), ascii_name),
        record.names,
        sort_names_of(record.names),
        parent_id,
        record.country_code,
        record.latitude,
        record.longitude,
        record.population,
        record.timezone,
    )


def alt_names_field(names: Iterable[str], ascii_name: str) -> str:
    """The stored form of a place's other names (its names in other languages
    among them): folded, without repeats or the name itself, each between bars
    ("|munchen|monaco di baviera|мюнхен|") so a search can match the start of
    any of them with one LIKE."""
    folded = dict.fromkeys(ascii_fold(name) for name in names)
    folded.pop(ascii_name, None)
    folded.pop("", None)
    return f"|{'|'.join(folded)}|" if folded else ""


def _ids(kind: PlaceKind, countries: set[str] | None) -> dict[str, int]:
    places = Place.objects.filter(kind=kind)
    if countries is not None:
        places = places.filter(country_code__in=countries)
    return dict(places.values_list("code", "pk"))


def _upsert(
    kind: PlaceKind,
    rows: Iterable[tuple[str, tuple[Any, ...]]],
    *,
    countries: set[str] | None,
    batch_size: int,
    progress: bool,
) -> LoadReport:
    """Write the (code, values of LOADED_FIELDS) rows of `kind` that are new or differ
    from what is stored. Model instances are built only for those: most rows of a
    repeated load are unchanged, and comparing tuples is what keeps it fast."""
    stored = Place.objects.filter(kind=kind)
    if countries is not None:
        stored = stored.filter(country_code__in=countries)
    existing = {row[0]: tuple(row[1:]) for row in stored.values_list("code", *LOADED_FIELDS)}

    created = updated = unchanged = 0
    to_write = []
    for code, values in rows:
        before = existing.get(code)
        if before is None:
            created += 1
        elif before != values:
            updated += 1
        else:
            unchanged += 1
            continue
        to_write.append(
            Place(kind=kind, code=code, **dict(zip(LOADED_FIELDS, values, strict=True)))
        )

    with tqdm(
        total=len(to_write),
        desc=str(kind.label),
        unit=" places",
        disable=not progress or not to_write,
        file=sys.stderr,
    ) as bar:
        for start in range(0, len(to_write), batch_size):
            batch = to_write[start : start + batch_size]
            Place.objects.bulk_create(
                batch,
                batch_size=batch_size,
                update_conflicts=True,
                unique_fields=["kind", "code"],
                update_fields=[name.removesuffix("_id") for name in LOADED_FIELDS],
            )
            bar.update(len(batch))
    return LoadReport(created=created, updated=updated, unchanged=unchanged)
