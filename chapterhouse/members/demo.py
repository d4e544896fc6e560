"""A believable demo organisation, generated fast and reproducibly.

`seed_demo()` spreads members over real cities of the gazetteer (whatever
`load_places` loaded), with names from each country's locale, neighbourhoods in
the busier cities, Markdown descriptions for the chapters, a few facilitators,
and one ready-made login who lives in and facilitates a well-populated city.

It bulk-loads: the chapters are created in bulk by the chapter services (the same
tree as creating them one by one), then users, members and email addresses go in
batches (COPY on PostgreSQL) with one precomputed password hash, and the member
counts of every chapter are recounted in one pass at the end. A fixed seed gives the
same organisation every time. The benchmark suite reuses it to build its large
organisations: `chapters=` gives them its shape (see _plan_shape).

Idempotent: when the demo login exists, nothing is written.
"""

from __future__ import annotations

import json
import math
import random
import re
import time
import uuid
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any, NamedTuple

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.text import slugify

from chapterhouse.chapters import services as chapter_services
from chapterhouse.chapters.models import Chapter, ChapterLevel, ChapterRole
from chapterhouse.places.models import Place, PlaceKind

from .models import Member, User, Visibility

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "demo-chapterhouse"  # noqa: S105 - published: it is the demo login
DEFAULT_MEMBERS = 3000
DEFAULT_SEED = 2012
BATCH_SIZE = 5000
# The benchmark's shape (seed_demo(chapters=…)): the share of chapters that are cities.
CITY_SHARE = 0.4
# From this many members on, names are picked from a pool drawn once per locale.
POOL_FROM = 100_000
NAME_POOL = 1000


class GazetteerEmpty(Exception):
    """No cities are loaded: run `manage.py load_places` first."""


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
# Scripts whose names are written family name first, without a space.
FAMILY_FIRST_NO_SPACE = {"zh_CN", "zh_TW", "ko_KR"}
FAMILY_FIRST = {"ja_JP", "hu_HU", "vi_VN", *FAMILY_FIRST_NO_SPACE}
SPANISH_SPEAKING = {"ES", "MX", "AR", "CO", "CL"}

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
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


@dataclass
class DemoReport:
    email: str
    password: str
    home: Chapter
    created: bool
    members: int = 0
    countries: int = 0
    chapters: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class _City:
    place: Place
    country_code: str
    region_id: int | None
    country_id: int
    neighbourhoods: tuple[str, ...] = ()


# -- Text -------------------------------------------------------------------------------

_EN_PROJECTS = (
    "a tenants' union for the estates by the station",
    "a food co-op that now supplies {n} households",
    "support for striking care workers",
    "a Saturday school, free for everyone",
    "a repair café on the first Sunday of the month",
    "keeping the public library open",
    "a community energy co-op",
    "mutual aid for neighbours who need shopping or a lift",
    "a campaign for safe cycle lanes",
    "a reading group: *Parecon* and *Fanfare for the Future*",
    "a participatory budget for the neighbourhood",
    "a bail fund and court support",
)
_ES_PROJECTS = (
    "un sindicato de inquilinas en los bloques de la estación",
    "una cooperativa de consumo que ya abastece a {n} hogares",
    "apoyo a la huelga de las trabajadoras de cuidados",
    "una escuela popular los sábados",
    "un taller de reparación el primer domingo de cada mes",
    "la defensa de la biblioteca pública",
    "una cooperativa de energía renovable",
    "apoyo mutuo para vecinas que necesitan compra o transporte",
    "un grupo de lectura: *Parecon* y *Fanfare for the Future*",
    "un presupuesto participativo para el barrio",
)
_EN_MEETINGS = (
    "every other Tuesday evening at the community centre",
    "on the first Saturday of the month at the library",
    "every Thursday at 7 pm in the back room of a friendly café",
    "once a month in the union hall, and online in between",
)
_ES_MEETINGS = (
    "un martes sí y otro no, por la tarde, en el centro social",
    "el primer sábado de cada mes en la biblioteca",
    "todos los jueves a las siete en el ateneo",
    "una vez al mes en el local del sindicato, y en línea entre reuniones",
)
_BIO_EN = (
    "{job}. I care about {topic} and I am learning to facilitate meetings well.",
    "Organising in {city} since {year}. Ask me about **{topic}**.",
    "Parent, {job_lower}, and slow cyclist. Working on {topic} with my neighbours.",
    "I joined to help with {topic}.\n\n- Good at: spreadsheets, soup\n- Learning: {language}",
    "Retired {job_lower}. Happy to share what I know about {topic}.",
)
_BIO_ES = (
    "Vivo en {city} y me interesa {topic_es}. Aprendo a facilitar asambleas.",
    "Organizándome en {city} desde {year}. Pregúntame por **{topic_es}**.",
    "Me uní para ayudar con {topic_es}.\n\n- Sé de: hojas de cálculo, cocina\n- Aprendo: inglés",
)
_TOPICS_EN = (
    "housing", "workplace democracy", "food sovereignty", "participatory budgeting",
    "climate and energy", "mutual aid", "public transport", "care work", "education",
)
_TOPICS_ES = (
    "la vivienda", "la democracia en el trabajo", "la soberanía alimentaria",
    "los presupuestos participativos", "la energía y el clima", "el apoyo mutuo",
    "el transporte público", "los cuidados", "la educación popular",
)
_LANGUAGE_NAMES = ("Spanish", "Portuguese", "Arabic", "French", "German", "Sign language")


def _local_description(rng: random.Random, name: str, spanish: bool) -> str:
    projects = _ES_PROJECTS if spanish else _EN_PROJECTS
    chosen = [p.format(n=rng.randint(20, 400)) for p in rng.sample(projects, 2)]
    meeting = rng.choice(_ES_MEETINGS if spanish else _EN_MEETINGS)
    if spanish:
        return (
            f"Somos las personas socias que vivimos en **{name}**. Nos reunimos {meeting}.\n\n"
            "### En qué trabajamos\n\n"
            + "".join(f"- {project}\n" for project in chosen)
            + "\n¿Eres nueva? Preséntate en el foro o ven sin más a la próxima reunión."
        )
    return (
        f"We are the members living in **{name}**. We meet {meeting}.\n\n"
        "### What we are working on\n\n"
        + "".join(f"- {project[0].upper()}{project[1:]}\n" for project in chosen)
        + "\nNew here? Say hello in the forum, or just come along to the next meeting."
    )


def _wide_description(rng: random.Random, name: str, level: int, spanish: bool) -> str:
    if level == ChapterLevel.INTERNATIONAL:
        return (
            "Everyone in the organisation belongs here. Decisions that affect us all are "
            "proposed, deliberated and voted on in this chapter, **each member with a say "
            "in proportion to how much they are affected**.\n\n"
            "Most of the work happens in local chapters: find yours on the "
            "[map](/c/map/) and come to a meeting."
        )
    if spanish:
        return (
            f"El capítulo de **{name}** reúne a los capítulos locales de su territorio. "
            "Aquí se deciden los asuntos que afectan a todo el territorio; lo demás se "
            "decide más cerca, en cada ciudad y barrio.\n\n"
            f"Próxima asamblea: {rng.choice(['en primavera', 'en otoño', 'en junio'])}, "
            "con transmisión en línea."
        )
    return (
        f"The **{name}** chapter brings together the local chapters within it. Matters "
        f"that affect all of {name} are decided here; everything else is decided closer "
        "to home, in each city and neighbourhood.\n\n"
        f"Next general assembly: {rng.choice(['in the spring', 'in the autumn', 'in June'])}, "
        "streamed for those who cannot travel."
    )


# -- Planning ---------------------------------------------------------------------------


def _cities_for(members: int) -> int:
    """How many of a country's cities a share of `members` spreads over.

    Sub-linear: a hundred members live in about a dozen cities, thirty thousand
    in about a thousand and a half (a million members make ~50,000 chapters).
    """
    return max(3, round(0.26 * members**0.83))


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


class _Plan(NamedTuple):
    cities: list[_City]
    city_counts: list[int]  # members living in each city (its neighbourhoods included)
    profiles: dict[str, CountryProfile]
    home_city: array  # per member: an index into cities
    home_hood: array  # per member: an index into its city's neighbourhoods, or -1
    hoods_used: dict[int, int]  # city index: how many of its neighbourhoods have chapters


def _profile(code: str) -> CountryProfile:
    # Countries without a profile get English names.
    return COUNTRIES.get(code, CountryProfile(("en_US",), ("en",), 1))


def _city(place: Place, neighbourhoods: tuple[str, ...] = ()) -> _City:
    parent = place.parent
    in_region = parent is not None and parent.parent_id is not None
    return _City(
        place=place,
        country_code=place.country_code,
        region_id=parent.pk if in_region else None,  # type: ignore[union-attr]
        country_id=parent.parent_id if in_region else place.parent_id,  # type: ignore[union-attr,arg-type]
        neighbourhoods=neighbourhoods,
    )


def _plan_demo(rng: random.Random, members: int) -> _Plan:
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
    cities: list[_City] = []
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
    return _Plan(cities, city_counts, profiles, home_city, home_hood, hoods_used)


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


def _plan_shape(rng: random.Random, members: int, chapters: int, exponent: float) -> _Plan:
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
    return _Plan(cities, city_counts, profiles, home_city, home_hood, hoods_used)


def _many_neighbourhoods(place: Place, count: int) -> tuple[str, ...]:
    """`count` neighbourhood names for a city: its real ones, the district names of its
    language, then numbered wards."""
    if not count:
        return ()
    language = _profile(place.country_code).languages[0]
    names = list(dict.fromkeys(_neighbourhood_names(place.country_code, place, language)))
    names += [f"Ward {n}" for n in range(1, count - len(names) + 1)]
    return tuple(names[:count])


# -- Loading ----------------------------------------------------------------------------


def _batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _demo_member() -> Member | None:
    return Member.objects.filter(user__email=DEMO_EMAIL).select_related("home_chapter").first()


def recount_member_counts(*, batch_size: int = BATCH_SIZE) -> int:
    """Set every chapter's member_count from the members, in one pass.

    Counts members per home chapter with one GROUP BY, rolls them up to every
    ancestor in Python, and writes only the counts that differ. Returns how many
    chapters changed. Exact whatever the counts were before.
    """
    per_home = dict(
        Member.objects.order_by().values_list("home_chapter_id").annotate(n=Count("pk"))
    )
    chapters = list(Chapter.objects.order_by().only("pk", "path", "member_count"))
    path_of = {chapter.pk: chapter.path for chapter in chapters}
    totals: Counter[str] = Counter()
    step = Chapter.steplen
    for home_id, count in per_home.items():
        path = path_of[home_id]
        for end in range(step, len(path) + 1, step):
            totals[path[:end]] += count
    changed = []
    for chapter in chapters:
        if chapter.member_count != totals[chapter.path]:
            chapter.member_count = totals[chapter.path]
            changed.append(chapter)
    Chapter.objects.bulk_update(changed, ["member_count"], batch_size=batch_size)
    return len(changed)


class _Names:
    """Names from each locale, drawn through Faker seeded once per locale.

    With `pool`, each locale's names (and jobs) are drawn once into a pool of that
    size and then picked from it: Faker costs ~100 µs a name, too slow for millions.
    """

    def __init__(self, seed: int, pool: int = 0) -> None:
        self.seed = seed
        self.pool = pool
        self._fakers: dict[str, Any] = {}
        self._pools: dict[str, list[tuple[str, str, str]]] = {}
        self._jobs: list[str] = []
        self._rng = random.Random(seed)

    def faker(self, locale: str) -> Any:
        if locale not in self._fakers:
            from faker import Faker

            # Only the providers used: loading all of them costs ~50 ms per locale.
            fake = Faker(locale, providers=["faker.providers.person", "faker.providers.job"])
            fake.seed_instance(f"{self.seed}:{locale}")
            self._fakers[locale] = fake
        return self._fakers[locale]

    def job(self) -> str:
        if not self.pool:
            return self.faker("en_GB").job()
        if not self._jobs:
            self._jobs = [self.faker("en_GB").job() for _ in range(min(self.pool, 500))]
        return self._rng.choice(self._jobs)

    def person(self, locale: str) -> tuple[str, str, str]:
        """(display name, first name, last name)."""
        if self.pool:
            if locale not in self._pools:
                self._pools[locale] = [self._draw(locale) for _ in range(self.pool)]
            return self._rng.choice(self._pools[locale])
        return self._draw(locale)

    def _draw(self, locale: str) -> tuple[str, str, str]:
        fake = self.faker(locale)
        first, last = fake.first_name(), fake.last_name()
        if locale in FAMILY_FIRST_NO_SPACE:
            return f"{last}{first}", first, last
        if locale in FAMILY_FIRST:
            return f"{last} {first}", first, last
        return f"{first} {last}", first, last


def seed_demo(
    *,
    members: int = DEFAULT_MEMBERS,
    seed: int = DEFAULT_SEED,
    batch_size: int = BATCH_SIZE,
    chapters: int | None = None,
    zipf: float = 1.0,
    progress: Callable[[str], None] | None = None,
    show_bar: bool = False,
) -> DemoReport:
    """Create the demo organisation (or find it) and return its ready-made login.

    With `chapters`, the organisation has the benchmark's shape instead (see
    _plan_shape): about that many chapters over the most populous cities of every
    loaded country, with Zipf-distributed (exponent `zipf`) members per chapter.

    Idempotent: when the demo login exists nothing is written and the report has
    `created=False`. Everything else happens in one transaction, so a failed run
    leaves nothing behind. Raises GazetteerEmpty when no cities are loaded.
    """
    existing = _demo_member()
    if existing is not None:
        return DemoReport(DEMO_EMAIL, DEMO_PASSWORD, existing.home_chapter, created=False)
    if not Place.objects.filter(kind=PlaceKind.CITY).exists():
        raise GazetteerEmpty
    say = progress or (lambda message: None)
    started = time.monotonic()
    timings: dict[str, float] = {}
    rng = random.Random(seed)
    names = _Names(seed, pool=NAME_POOL if members >= POOL_FROM else 0)

    # 1. Plan: how many members in which country, city and neighbourhood.
    mark = time.monotonic()
    if chapters is not None:
        shape = _plan_shape(rng, members, chapters, zipf)
    else:
        shape = _plan_demo(rng, members)
    cities, city_counts, profiles, home_city, home_hood, hoods_used = shape
    order = list(range(len(home_city)))
    rng.shuffle(order)
    timings["plan"] = time.monotonic() - mark
    say(f"Planned {members} members in {len(cities)} cities of {len(profiles)} countries.")

    with transaction.atomic():
        # 2. Chapters, in bulk, as the chapter services would create them one by one.
        mark = time.monotonic()
        chapters_before = set(Chapter.objects.values_list("pk", flat=True))
        made = chapter_services.bulk_ensure_place_chapters(city.place for city in cities)
        city_chapter = [made[city.place.pk] for city in cities]
        wanted = [
            (city_chapter[index], cities[index].neighbourhoods[hood])
            for index in range(len(cities)) for hood in range(hoods_used.get(index, 0))
        ]
        hoods = chapter_services.bulk_ensure_neighbourhoods(wanted)
        hood_chapter = {
            (index, hood): hoods[(city_chapter[index].pk, cities[index].neighbourhoods[hood])]
            for index in range(len(cities)) for hood in range(hoods_used.get(index, 0))
        }
        timings["chapters"] = time.monotonic() - mark
        say(f"Chapters ready ({Chapter.objects.count()}).")

        # 3. Users, members and email addresses, in batches, one password hash for all.
        mark = time.monotonic()
        loader = _Loader(
            rng=rng, names=names, cities=cities, profiles=profiles, home_city=home_city,
            home_hood=home_hood, city_chapter=city_chapter, hood_chapter=hood_chapter,
        )
        bar = None
        if show_bar:
            from tqdm import tqdm

            bar = tqdm(total=len(order), unit="members", desc="members")
        for batch in _batched(order, batch_size):
            loader.load(batch)
            if bar is not None:
                bar.update(len(batch))
        if bar is not None:
            bar.close()
        timings["members"] = time.monotonic() - mark
        say(f"Members loaded ({'COPY' if loader.copy else 'bulk_create'}).")

        # 4. The ready-made login, in the busiest city, facilitating it; exact counts.
        mark = time.monotonic()
        busiest = max(range(len(cities)), key=lambda i: (city_counts[i], -i))
        demo = _create_demo_login(
            city=cities[busiest], home=city_chapter[busiest], names=names,
            profile=profiles[cities[busiest].country_code], now=loader.now,
        )
        recount_member_counts(batch_size=batch_size)

        # 5. Facilitators and descriptions.
        _add_facilitators(
            rng=rng, loader=loader, demo=demo, cities=cities, city_counts=city_counts,
            city_chapter=city_chapter,
        )
        _describe(rng=rng, chapters_before=chapters_before)
        timings["finish"] = time.monotonic() - mark

    _analyze()
    demo.home_chapter.refresh_from_db()
    return DemoReport(
        email=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        home=demo.home_chapter,
        created=True,
        members=len(order) + 1,
        countries=len({city.country_code for city in cities}),
        chapters=Chapter.objects.count(),
        seconds=time.monotonic() - started,
        timings=timings,
    )


def _analyze() -> None:
    """Refresh the planner's statistics: after a bulk load they are far off, and
    PostgreSQL then picks plans that are slower by orders of magnitude."""
    from allauth.account.models import EmailAddress

    if connection.vendor not in {"postgresql", "sqlite"}:
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (User, Member, EmailAddress, Chapter, ChapterRole):
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")


def _email_local(display: str) -> str:
    local = slugify(display).replace("-", ".")
    return local[:40].strip(".") or "member"


def _visibility(rng: random.Random) -> dict[str, object]:
    roll = rng.random()
    return {
        "profile_visibility": Visibility.PUBLIC
        if roll < 0.35
        else (Visibility.MEMBERS if roll < 0.88 else Visibility.HIDDEN),
        "listed_in_directory": rng.random() < 0.92,
        "show_bio": rng.random() < 0.9,
        "show_languages": rng.random() < 0.95,
        "show_presence": rng.random() < 0.75,
        "show_location": rng.random() < 0.85,
    }


def _bio(rng: random.Random, city: str, spanish: bool, names: _Names) -> str:
    if rng.random() < 0.35:
        return ""
    year = rng.randint(2012, 2026)
    if spanish:
        return rng.choice(_BIO_ES).format(city=city, topic_es=rng.choice(_TOPICS_ES), year=year)
    job = names.job()
    return rng.choice(_BIO_EN).format(
        job=job, job_lower=job[0].lower() + job[1:], topic=rng.choice(_TOPICS_EN), city=city,
        year=year, language=rng.choice(_LANGUAGE_NAMES),
    )


def _languages(rng: random.Random, profile: CountryProfile) -> list[str]:
    spoken = [profile.languages[0]]
    for extra in profile.languages[1:]:
        if rng.random() < 0.5:
            spoken.append(extra)
    if "en" not in spoken and rng.random() < 0.4:
        spoken.append("en")
    if rng.random() < 0.08:
        spoken.append(rng.choice(("es", "fr", "de", "pt", "ar", "it")))
    return list(dict.fromkeys(spoken))


class _Loader:
    """Writes batches of users, members and email addresses.

    On PostgreSQL the rows go in with COPY (user ids drawn from the table's
    sequence first); elsewhere with bulk_create. Either way no model is saved
    one by one and the password hash is computed once. Remembers a few members
    of each home chapter as candidate facilitators.
    """

    def __init__(
        self, *, rng: random.Random, names: _Names, cities: list[_City],
        profiles: dict[str, CountryProfile], home_city: array, home_hood: array,
        city_chapter: list[Chapter], hood_chapter: dict[tuple[int, int], Chapter],
    ) -> None:
        self.rng, self.names, self.cities, self.profiles = rng, names, cities, profiles
        self.home_city, self.home_hood = home_city, home_hood
        self.city_chapter, self.hood_chapter = city_chapter, hood_chapter
        self.password_hash = make_password(DEMO_PASSWORD)
        self.now = timezone.now()
        self.serial = (User.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.copy = connection.vendor == "postgresql"
        self.candidates: dict[int, list[int]] = defaultdict(list)

    def load(self, batch: list[int]) -> None:
        from allauth.account.models import EmailAddress

        users, members = self._rows(batch)
        if self.copy:
            ids = next_ids(User, len(users))
            for user, user_id in zip(users, ids, strict=True):
                user["id"] = user_id
            copy_into(User, users)
        else:
            created = User.objects.bulk_create([User(**user) for user in users])
            if any(user.pk is None for user in created):  # a backend that returns no ids
                by_email = dict(User.objects.filter(
                    email__in=[u.email for u in created]).values_list("email", "pk"))
                ids = [by_email[user.email] for user in created]
            else:
                ids = [user.pk for user in created]
        for member, user_id in zip(members, ids, strict=True):
            member["user_id"] = user_id
            home = self.candidates[member["home_chapter_id"]]  # type: ignore[index]
            if len(home) < 3 and member["profile_visibility"] != Visibility.HIDDEN:
                home.append(user_id)
        addresses = [
            {"user_id": user_id, "email": user["email"], "verified": True, "primary": True}
            for user, user_id in zip(users, ids, strict=True)
        ]
        if self.copy:
            copy_into(Member, members)
            copy_into(EmailAddress, addresses)
        else:
            Member.objects.bulk_create([Member(**member) for member in members])
            EmailAddress.objects.bulk_create([EmailAddress(**row) for row in addresses])

    def _rows(self, batch: list[int]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        rng, now = self.rng, self.now
        users: list[dict[str, object]] = []
        members: list[dict[str, object]] = []
        for member_index in batch:
            city_index = self.home_city[member_index]
            hood = self.home_hood[member_index]
            city = self.cities[city_index]
            profile = self.profiles[city.country_code]
            locale = rng.choice(profile.locales)
            display, first, last = self.names.person(locale)
            joined = now - timedelta(days=rng.random() * 3 * 365)
            users.append({
                "email": f"{_email_local(display)}.{self.serial}@example.org",
                "password": self.password_hash,
                "first_name": first[:150],
                "last_name": last[:150],
                "date_joined": joined,
            })
            self.serial += 1
            seen = rng.random()
            home = (
                self.hood_chapter[(city_index, hood)] if hood >= 0
                else self.city_chapter[city_index]
            )
            members.append({
                "public_id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "display_name": display[:80],
                "bio": _bio(rng, city.place.name, city.country_code in SPANISH_SPEAKING,
                            self.names),
                "languages": _languages(rng, profile),
                "home_chapter_id": home.pk,
                "country_id": city.country_id,
                "region_id": city.region_id,
                "city_id": city.place.pk,
                "neighbourhood": city.neighbourhoods[hood] if hood >= 0 else "",
                "joined_at": joined,
                "last_seen": None if seen < 0.1
                else now - timedelta(minutes=rng.random() * 4) if seen < 0.13
                else now - timedelta(hours=rng.random() * 24 * 60),
                **_visibility(rng),
            })
        return users, members


def next_ids(model: type, count: int) -> list[int]:
    """`count` primary keys drawn from `model`'s sequence (PostgreSQL), for rows that
    are COPYed with their ids (so other rows can refer to them)."""
    table, column = model._meta.db_table, model._meta.pk.column  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_into(model: type, rows: list[dict[str, object]]) -> None:
    """COPY `rows` (attname → value) into `model`'s table (PostgreSQL).

    Every concrete column is written: the value given, else the field's default
    (called per row when it is callable), so a column added later is filled like
    bulk_create would fill it. The primary key is left to the database unless given.
    Rows are written as COPY text, without a round through the fields' converters:
    values must be plain Python values (JSON fields take lists and dicts).
    """
    if not rows:
        return
    meta = model._meta  # type: ignore[attr-defined]
    fields = [
        field for field in meta.concrete_fields
        if not (field.primary_key and field.attname not in rows[0])
    ]
    columns: list[Callable[[dict[str, object]], str]] = []
    for column in fields:
        as_json = isinstance(column, models.JSONField)
        encoder = getattr(column, "encoder", None)
        if column.attname in rows[0]:
            columns.append(_column(column.attname, as_json, encoder))
        elif callable(column.default):
            columns.append(_default(column, as_json, encoder))
        else:
            constant = copy_text(column.get_default(), as_json, encoder)
            columns.append(_constant(constant))
    copy_rows(meta.db_table, [field.column for field in fields],
              ("\t".join([value(row) for value in columns]) for row in rows))


def _default(field: Any, as_json: bool, encoder: Any) -> Callable[[dict[str, object]], str]:
    return lambda row: copy_text(field.get_default(), as_json, encoder)


def _constant(text: str) -> Callable[[dict[str, object]], str]:
    return lambda row: text


def _column(attname: str, as_json: bool, encoder: Any) -> Callable[[dict[str, object]], str]:
    if as_json:
        return lambda row: copy_text(row[attname], True, encoder)
    return lambda row: copy_text(row[attname])


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: object, as_json: bool = False, encoder: Any = None) -> str:
    """`value` as a field of PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if as_json:
        value = json.dumps(value, cls=encoder, ensure_ascii=False)
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES) if _NEEDS_ESCAPE.search(value) else value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float | uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"No COPY text for {type(value).__name__}")


def copy_rows(table: str, columns: list[str], lines: Iterable[str],
              chunk: int = 2000) -> None:
    """COPY lines of tab-separated COPY text (see copy_text) into `table`."""
    quote = connection.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for batch in _batched(lines, chunk):
            copy.write("\n".join(batch) + "\n")


def _create_demo_login(
    *, city: _City, home: Chapter, names: _Names, profile: CountryProfile, now: datetime,
) -> Member:
    from allauth.account.models import EmailAddress

    display, first, last = names.person(profile.locales[0])
    user = User.objects.create_user(
        DEMO_EMAIL, DEMO_PASSWORD, first_name=first[:150], last_name=last[:150]
    )
    EmailAddress.objects.create(user=user, email=DEMO_EMAIL, verified=True, primary=True)
    member = Member.objects.create(
        user=user,
        display_name=display[:80],
        bio=(
            "I look after the demo of this site. Try everything: **edit this profile**, "
            "move city, open the map, and find the chapters you belong to."
        ),
        languages=list(profile.languages[:1]) + (["en"] if profile.languages[0] != "en" else []),
        home_chapter=home,
        country_id=city.country_id,
        region_id=city.region_id,
        city=city.place,
        joined_at=now - timedelta(days=400),
        last_seen=now,
        profile_visibility=Visibility.PUBLIC,
    )
    chapter_services.grant_role(chapter=home, member=member, source=ChapterRole.Source.ADMIN)
    return member


def _add_facilitators(
    *, rng: random.Random, loader: _Loader, demo: Member, cities: list[_City],
    city_counts: list[int], city_chapter: list[Chapter],
) -> None:
    """One or two facilitators, living there, for every country and the busiest local
    chapters, picked among the first members loaded into each home chapter."""
    local = list(
        Chapter.objects.filter(level__gte=ChapterLevel.CITY)
        .order_by("-member_count", "path")
        .values_list("pk", flat=True)[: max(10, len(loader.candidates) // 20)]
    )
    busiest_in_country: dict[str, int] = {}
    for index in sorted(range(len(cities)), key=lambda i: (-city_counts[i], i)):
        busiest_in_country.setdefault(cities[index].country_code, index)
    countries = {
        chapter.url_path.upper(): chapter.pk
        for chapter in Chapter.objects.filter(level=ChapterLevel.COUNTRY).only("pk", "url_path")
    }
    picks: list[tuple[int, int]] = []  # (chapter pk, user id)
    for code, index in sorted(busiest_in_country.items()):
        if code in countries:
            for user_id in loader.candidates.get(city_chapter[index].pk, [])[:1]:
                picks.append((countries[code], user_id))
    for chapter_pk in local:
        users = loader.candidates.get(chapter_pk, [])
        for user_id in rng.sample(users, min(len(users), rng.choice((1, 1, 2)))):
            picks.append((chapter_pk, user_id))
    member_of: dict[int, int] = {}
    for chunk in _batched(sorted({user_id for _pk, user_id in picks}), 5000):
        member_of.update(Member.objects.filter(user_id__in=chunk).values_list("user_id", "pk"))
    now = loader.now
    ChapterRole.objects.bulk_create(
        [
            ChapterRole(
                chapter_id=chapter_pk, member_id=member_of[user_id],
                role=ChapterRole.Role.FACILITATOR, source=ChapterRole.Source.ADMIN,
                invited_at=now, accepted_at=now,
            )
            for chapter_pk, user_id in picks
            if member_of.get(user_id) not in (None, demo.pk)
        ],
        ignore_conflicts=True,
        batch_size=BATCH_SIZE,
    )


def _describe(*, rng: random.Random, chapters_before: set[int]) -> None:
    """A plausible Markdown description for every chapter this run created."""
    created = [
        chapter for chapter in Chapter.objects.filter(description="")
        .only("pk", "name", "level", "url_path")
        if chapter.pk not in chapters_before
    ]
    for chapter in created:
        spanish = chapter.url_path.split("/")[0].upper() in SPANISH_SPEAKING
        if chapter.level >= ChapterLevel.CITY:
            chapter.description = _local_description(rng, chapter.name, spanish)
        else:
            chapter.description = _wide_description(rng, chapter.name, chapter.level, spanish)
    Chapter.objects.bulk_update(created, ["description"], batch_size=1000)
