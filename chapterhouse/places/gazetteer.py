"""Reading the gazetteer files shipped in `places/data/`.

The files are made by `scripts/build_gazetteer.py` (see `data/SOURCES.md`);
this module only parses them into plain records, without touching the database.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CITY_COLUMNS = [
    "code",
    "name",
    "latitude",
    "longitude",
    "population",
    "timezone",
    "parent",
    "alt_names",
    "names",
]


@dataclass(frozen=True, slots=True)
class AreaRecord:
    """A country (code "GB") or a top-level ISO 3166-2 region (code "GB-ENG")."""

    code: str
    name: str
    latitude: float | None
    longitude: float | None
    names: dict[str, str] = field(default_factory=dict)

    @property
    def country_code(self) -> str:
        return self.code.split("-")[0]


@dataclass(frozen=True, slots=True)
class CityRecord:
    """A GeoNames city; `parent` is its region's code, or its country's where the
    country has no regions; `alt_names` are other names it is known by (in Latin
    letters, its country's scripts and Arabic); `names` its names to show in other
    languages, where known ({"es": "Londres", "ar": "لندن"})."""

    code: str
    name: str
    latitude: float
    longitude: float
    population: int
    timezone: str
    parent: str
    alt_names: tuple[str, ...] = ()
    names: dict[str, str] = field(default_factory=dict)

    @property
    def country_code(self) -> str:
        return self.parent.split("-")[0]


def _rows(filename: str, data_dir: Path) -> Iterator[dict[str, str]]:
    with gzip.open(data_dir / filename, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle, delimiter="\t")


def _float(value: str) -> float | None:
    return float(value) if value else None


def _areas(filename: str, data_dir: Path) -> list[AreaRecord]:
    return [
        AreaRecord(
            code=row["code"],
            name=row["name"],
            latitude=_float(row["latitude"]),
            longitude=_float(row["longitude"]),
            names=json.loads(row["names"]) if row["names"] else {},
        )
        for row in _rows(filename, data_dir)
    ]


def read_countries(data_dir: Path = DATA_DIR) -> list[AreaRecord]:
    return _areas("countries.tsv.gz", data_dir)


def read_regions(data_dir: Path = DATA_DIR) -> list[AreaRecord]:
    return _areas("regions.tsv.gz", data_dir)


def read_cities(
    data_dir: Path = DATA_DIR,
    *,
    countries: Collection[str] | None = None,
    min_population: int = 0,
) -> Iterator[CityRecord]:
    """The shipped cities, optionally only those of `countries` (alpha-2 codes) with
    at least `min_population` inhabitants; rows are skipped before being parsed."""
    wanted = set(countries) if countries is not None else None
    with gzip.open(data_dir / "cities.tsv.gz", "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader)
        if header != CITY_COLUMNS:
            raise ValueError(f"Unexpected columns in cities.tsv.gz: {header}")
        for code, name, lat, lon, population, timezone, parent, alt_names, names in reader:
            if wanted is not None and parent[:2] not in wanted:
                continue
            if int(population) < min_population:
                continue
            yield CityRecord(
                code=code,
                name=name,
                latitude=float(lat),
                longitude=float(lon),
                population=int(population),
                timezone=timezone,
                parent=parent,
                alt_names=tuple(alt_names.split("|")) if alt_names else (),
                names=json.loads(names) if names else {},
            )


def data_version(data_dir: Path = DATA_DIR) -> str:
    """A digest of the shipped files, written by the build script."""
    info = json.loads((data_dir / "version.json").read_text(encoding="utf-8"))
    return str(info["data_version"])
