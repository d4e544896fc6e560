"""Where the demo's members live: countries, cities and neighbourhoods, planned first.

Two plans: the demo's (members spread over each loaded country's biggest cities by
the country's weight, with neighbourhoods in the busier cities) and the benchmark's
shape (about N chapters over the most populous cities, Zipf-distributed members per
chapter). A plan is only numbers and places; chapterhouse.demo.people writes it.
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass
from typing import NamedTuple

from chapterhouse.places.models import Place, PlaceKind

# The benchmark's shape (seed_demo(chapters=…)): the share of chapters that are cities.
CITY_SHARE = 0.4


@dataclass(frozen=True)
class CountryProfile:
    """How members of one country look: name locales, languages, and how many."""

    locales: tuple[str, ...]
    languages: tuple[str, ...]
    weight: float


# The countries the demo draws from (those the gazetteer has loaded), with the
# Faker locales for their members' names and the languages they speak (codes
# from chapterhouse.lib.languages, so the profile form accepts them).
COUNTRIES: dict[str, CountryProfile] = {
    "US": CountryProfile(("en_US",), ("en",), 12),
    "GB": CountryProfile(("en_GB",), ("en",), 10),
    "ES": CountryProfile(("es_ES",), ("es",), 8),
    "BR": CountryProfile(("pt_BR",), ("pt",), 8),
    "IN": CountryProfile(("hi_IN", "en_IN", "mr_IN", "ta_IN"), ("hi", "en"), 8),
    "FR": CountryProfile(("fr_FR",), ("fr",), 7),
    "DE": CountryProfile(("de_DE",), ("de",), 7),
    "MX": CountryProfile(("es_MX",), ("es",), 5),
    "IT": CountryProfile(("it_IT",), ("it",), 5),
    "AR": CountryProfile(("es_AR",), ("es",), 4),
    "CA": CountryProfile(("en_CA", "fr_CA"), ("en", "fr"), 4),
    "AU": CountryProfile(("en_AU",), ("en",), 3),
    "JP": CountryProfile(("ja_JP",), ("ja",), 3),
    "CO": CountryProfile(("es_CO",), ("es",), 3),
    "NG": CountryProfile(("en_NG", "yo_NG", "ig_NG", "ha_NG"), ("en", "ig"), 3),
    "PT": CountryProfile(("pt_PT",), ("pt",), 3),
    "NL": CountryProfile(("nl_NL",), ("nl",), 3),
    "IE": CountryProfile(("en_IE",), ("en", "ga"), 2),
    "CL": CountryProfile(("es_CL",), ("es",), 2),
    "PL": CountryProfile(("pl_PL",), ("pl",), 2),
    "SE": CountryProfile(("sv_SE",), ("sv",), 2),
    "GR": CountryProfile(("el_GR",), ("el",), 2),
    "TR": CountryProfile(("tr_TR",), ("tr",), 2),
    "KE": CountryProfile(("en_KE", "sw"), ("sw", "en"), 2),
    "PH": CountryProfile(("fil_PH", "en_PH"), ("en",), 2),
    "ZA": CountryProfile(("zu_ZA",), ("en", "af"), 2),
    "KR": CountryProfile(("ko_KR",), ("ko",), 1.5),
    "NZ": CountryProfile(("en_NZ",), ("en",), 1.5),
    "BE": CountryProfile(("nl_BE", "fr_BE"), ("nl", "fr"), 1.5),
    "AT": CountryProfile(("de_AT",), ("de",), 1.5),
    "CH": CountryProfile(("de_CH", "fr_CH", "it_CH"), ("de", "fr", "it"), 1.5),
    "DK": CountryProfile(("da_DK",), ("da",), 1),
    "NO": CountryProfile(("no_NO",), ("no",), 1),
    "FI": CountryProfile(("fi_FI",), ("fi",), 1),
    "CZ": CountryProfile(("cs_CZ",), ("cs",), 1),
    "UA": CountryProfile(("uk_UA",), ("uk",), 1),
    "ID": CountryProfile(("id_ID",), ("id",), 1),
    "VN": CountryProfile(("vi_VN",), ("vi",), 1),
    "TH": CountryProfile(("th_TH",), ("th",), 1),
    "BD": CountryProfile(("bn_BD",), ("bn",), 1),
    "NP": CountryProfile(("ne_NP",), ("ne",), 1),
    "EG": CountryProfile(("ar_EG",), ("ar",), 1),
    "IL": CountryProfile(("he_IL",), ("he", "ar"), 1),
}

# Real neighbourhoods of some big cities (by country and gazetteer name); other busy
# cities get the everyday district names of their language.
NEIGHBOURHOODS: dict[tuple[str, str], tuple[str, ...]] = {
    ("GB", "London"): ("Hackney", "Brixton", "Camden", "Peckham", "Tottenham", "Walthamstow",
                       "Deptford", "Islington"),
    ("GB", "Manchester"): ("Moss Side", "Ancoats", "Levenshulme", "Chorlton"),
    ("FR", "Paris"): ("Belleville", "Ménilmontant", "La Goutte-d'Or", "Montmartre",
                      "Batignolles", "Le Marais"),
    ("FR", "Marseille"): ("Le Panier", "La Plaine", "Noailles", "Belsunce"),
    ("FR", "Lyon"): ("La Croix-Rousse", "La Guillotière", "Vaise"),
    ("ES", "Madrid"): ("Lavapiés", "Malasaña", "Vallecas", "Carabanchel", "Tetuán",
                       "Chamberí"),
    ("ES", "Barcelona"): ("Gràcia", "El Raval", "Poblenou", "Sants", "Sant Andreu"),
    ("ES", "Sevilla"): ("Triana", "La Macarena", "Alameda"),
    ("DE", "Berlin"): ("Kreuzberg", "Neukölln", "Wedding", "Friedrichshain", "Moabit"),
    ("DE", "Hamburg"): ("St. Pauli", "Altona", "Wilhelmsburg"),
    ("IT", "Rome"): ("Trastevere", "Pigneto", "San Lorenzo", "Testaccio"),
    ("IT", "Milan"): ("Isola", "Navigli", "NoLo"),
    ("PT", "Lisbon"): ("Alfama", "Mouraria", "Graça"),
    ("BR", "São Paulo"): ("Pinheiros", "Mooca", "Bixiga", "Capão Redondo"),
    ("BR", "Rio de Janeiro"): ("Maré", "Tijuca", "Santa Teresa", "Rocinha"),
    ("AR", "Buenos Aires"): ("Palermo", "San Telmo", "La Boca", "Almagro"),
    ("MX", "Mexico City"): ("Coyoacán", "Tepito", "Iztapalapa", "Roma Norte"),
    ("US", "New York City"): ("Harlem", "Bushwick", "Astoria", "Sunset Park"),
    ("US", "Chicago"): ("Pilsen", "Logan Square", "Hyde Park"),
    ("US", "Los Angeles"): ("Boyle Heights", "Echo Park", "Koreatown"),
    ("IN", "Mumbai"): ("Dharavi", "Bandra", "Girgaon", "Kurla"),
    ("IN", "Delhi"): ("Karol Bagh", "Lajpat Nagar", "Mayur Vihar"),
    ("JP", "Tokyo"): ("Shibuya", "Shinjuku", "Kōenji", "Shimokitazawa"),
    ("JP", "Osaka"): ("Namba", "Tennōji", "Umeda"),
}
DISTRICTS: dict[str, tuple[str, ...]] = {
    "en": ("City Centre", "Northside", "Southside", "Old Town", "Riverside", "Eastside"),
    "es": ("Centro", "Casco Antiguo", "Barrio Norte", "Barrio Sur", "La Estación"),
    "pt": ("Centro", "Zona Norte", "Zona Sul", "Zona Leste", "Zona Oeste"),
    "fr": ("Centre-ville", "Vieille Ville", "Quartier de la Gare", "Les Hauts"),
    "de": ("Altstadt", "Innenstadt", "Nordstadt", "Südstadt", "Weststadt"),
    "it": ("Centro Storico", "Borgo", "Stazione", "Porta Nuova"),
    "nl": ("Centrum", "Noord", "Oost", "Zuid", "West"),
    "ja": ("Chūō", "Kita", "Minami", "Higashi", "Nishi"),
    "hi": ("Old City", "Civil Lines", "Model Town", "Gandhi Nagar"),
    "pl": ("Stare Miasto", "Śródmieście", "Nowe Miasto"),
    "sv": ("Centrum", "Söder", "Norr"),
}
# A city gets neighbourhoods when at least this many members live there; then
# about this share of them name one.
NEIGHBOURHOOD_CITY_MIN = 15
NEIGHBOURHOOD_SHARE = 0.35


@dataclass
class City:
    place: Place
    country_code: str
    region_id: int | None
    country_id: int
    neighbourhoods: tuple[str, ...] = ()


def _cities_for(members: int) -> int:
    """How many of a country's cities a share of `members` spreads over.

    Sub-linear: a hundred members live in about a dozen cities, thirty thousand
    in about a thousand and a half (a million members make ~50,000 chapters).
    """
    return max(3, round(0.26 * math.pow(members, 0.83)))


def _neighbourhood_names(country: str, city: Place, language: str) -> tuple[str, ...]:
    for key in (city.name, city.ascii_name):
        if (country, key) in NEIGHBOURHOODS:
            return NEIGHBOURHOODS[(country, key)]
    return DISTRICTS.get(language, ())


def _split(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """`total` split in proportion to `weights`, exactly (largest remainders)."""
    scale = sum(weights)
    shares = [total * w / scale for w in weights]
    counts = [math.floor(s) for s in shares]
    rest = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], rng.random()))
    for i in order[:rest]:
        counts[i] += 1
    return counts


class Plan(NamedTuple):
    cities: list[City]
    city_counts: list[int]  # members living in each city (its neighbourhoods included)
    profiles: dict[str, CountryProfile]
    home_city: array[int]  # per member: an index into cities
    home_hood: array[int]  # per member: an index into its city's neighbourhoods, or -1
    hoods_used: dict[int, int]  # city index: how many of its neighbourhoods have chapters


def _profile(code: str) -> CountryProfile:
    # Countries without a profile get English names.
    return COUNTRIES.get(code, CountryProfile(("en_US",), ("en",), 1))


def _city(place: Place, neighbourhoods: tuple[str, ...] = ()) -> City:
    parent = place.parent
    in_region = parent is not None and parent.parent_id is not None
    return City(
        place=place,
        country_code=place.country_code,
        region_id=parent.pk if in_region else None,  # type: ignore[union-attr]
        country_id=parent.parent_id if in_region else place.parent_id,  # type: ignore[union-attr,arg-type]
        neighbourhoods=neighbourhoods,
    )


def plan_demo(rng: random.Random, members: int) -> Plan:
    """The demo: members by country profile weight, over each country's biggest cities,
    a share of the busier cities' members in a few neighbourhoods."""
    with_cities = set(
        Place.objects.filter(kind=PlaceKind.CITY).order_by()
        .values_list("country_code", flat=True).distinct()
    )
    # Countries we have a profile for; failing those, any (with English names).
    country_codes = sorted(with_cities & set(COUNTRIES)) or sorted(with_cities)
    profiles = {code: _profile(code) for code in country_codes}
    per_country = _split(members, [profiles[c].weight for c in country_codes], rng)
    cities: list[City] = []
    city_counts: list[int] = []
    for code, count in zip(country_codes, per_country, strict=True):
        if count == 0:
            continue
        places = list(
            Place.objects.filter(kind=PlaceKind.CITY, country_code=code)
            .select_related("parent__parent")
            .order_by("-population", "code")[: _cities_for(count)]
        )
        if not places:
            continue
        weights = [max(place.population, 1000) ** 0.75 for place in places]
        language = profiles[code].languages[0]
        for place, n in zip(places, _split(count, weights, rng), strict=True):
            if n == 0:
                continue
            cities.append(_city(place, _neighbourhood_names(code, place, language)
                                if n >= NEIGHBOURHOOD_CITY_MIN else ()))
            city_counts.append(n)
    home_city = array("i")
    home_hood = array("i")
    hoods_used: dict[int, int] = {}
    for index, (city, n) in enumerate(zip(cities, city_counts, strict=True)):
        home_city.extend([index] * n)
        if city.neighbourhoods:
            used = min(len(city.neighbourhoods), 2 + n // 150)
            hoods_used[index] = used
            home_hood.extend(
                rng.randrange(used) if rng.random() < NEIGHBOURHOOD_SHARE else -1
                for _ in range(n)
            )
        else:
            home_hood.extend([-1] * n)
    return Plan(cities, city_counts, profiles, home_city, home_hood, hoods_used)


def _zipf(total: int, count: int, exponent: float) -> list[int]:
    """`total` split over `count` ranks in proportion to 1/rank**exponent, each rank at
    least 1, largest first (largest remainders; no randomness)."""
    weights = [1 / rank**exponent for rank in range(1, count + 1)]
    scale = (total - count) / sum(weights)
    shares = [w * scale for w in weights]
    sizes = [1 + math.floor(share) for share in shares]
    rest = total - sum(sizes)
    for i in sorted(range(count), key=lambda i: sizes[i] - 1 - shares[i])[:rest]:
        sizes[i] += 1
    return sizes


def plan_shape(rng: random.Random, members: int, chapters: int, exponent: float) -> Plan:
    """The benchmark's organisation: about `chapters` chapters, of which CITY_SHARE are
    the most populous cities of the gazetteer (with their regions and countries) and the
    rest neighbourhoods, more of them in the bigger cities. The members per local chapter
    (city or neighbourhood: where members live) follow Zipf's law: the k-th largest has
    about 1/k**exponent of the members of the largest; each has at least one.

    With the whole gazetteer, 50,000 chapters make 1 International, ~200 countries,
    ~2,300 regions, 20,000 cities and ~27,500 neighbourhoods.
    """
    wanted = max(1, min(round(chapters * CITY_SHARE), members))
    places = list(
        Place.objects.filter(kind=PlaceKind.CITY).select_related("parent__parent")
        .order_by("-population", "code")[:wanted]
    )
    wide = 1 + len({p.country_code for p in places}) + len(
        {p.parent_id for p in places if p.parent is not None and p.parent.parent_id is not None})
    hoods = max(0, min(chapters - wide - len(places), members - len(places)))
    # Neighbourhoods go to the cities in proportion to the square root of their rank's
    # weight: the biggest city gets a hundred or so, small towns none.
    per_city = _split(hoods, [1 / (rank + 1) ** (exponent / 2) for rank in range(len(places))],
                      rng) if places else []
    cities = [_city(place, _many_neighbourhoods(place, n)) for place, n in zip(
        places, per_city, strict=True)]
    # Rank every local chapter by a nested Zipf weight (the j-th neighbourhood of the
    # city of rank i weighs w_i / (j + 2)), then give the sizes in that order.
    locals_ = [(1 / (i + 1) ** exponent, i, -1) for i in range(len(cities))]
    locals_ += [(1 / (i + 1) ** exponent / (j + 2), i, j)
                for i, n in enumerate(per_city) for j in range(n)]
    locals_.sort(key=lambda item: (-item[0], item[1], item[2]))
    sizes = _zipf(members, len(locals_), exponent)
    home_city, home_hood = array("i"), array("i")
    city_counts = [0] * len(cities)
    for (_weight, city, hood), n in zip(locals_, sizes, strict=True):
        home_city.extend([city] * n)
        home_hood.extend([hood] * n)
        city_counts[city] += n
    hoods_used = {i: n for i, n in enumerate(per_city) if n}
    profiles = {code: _profile(code) for code in sorted({c.country_code for c in cities})}
    return Plan(cities, city_counts, profiles, home_city, home_hood, hoods_used)


def _many_neighbourhoods(place: Place, count: int) -> tuple[str, ...]:
    """`count` neighbourhood names for a city: its real ones, the district names of its
    language, then numbered wards."""
    if not count:
        return ()
    language = _profile(place.country_code).languages[0]
    names = list(dict.fromkeys(_neighbourhood_names(place.country_code, place, language)))
    names += [f"Ward {n}" for n in range(1, count - len(names) + 1)]
    return tuple(names[:count])
