"""A believable demo organisation, generated fast and reproducibly.

`seed_demo()` spreads members over real cities of the gazetteer (whatever
`load_places` loaded), with names from each country's locale, neighbourhoods in
the busier cities, Markdown descriptions for the chapters, a few facilitators,
and one ready-made login who lives in and facilitates a well-populated city.

It bulk-loads: the chapters are created in bulk by the chapter tree's bulk builder
(chapters.bulk: the same tree as creating them one by one), then users, members and
email addresses go in batches (lib.bulk: COPY on PostgreSQL) with one precomputed
password hash, and the member counts of every chapter are recounted in one pass at
the end. A fixed seed gives the same organisation every time. The benchmark suite
reuses it to build its large organisations: `chapters=` gives them its shape (see
plan.plan_shape).

Idempotent: when the demo login exists, nothing is written.
"""

from __future__ import annotations

import random
import time
import uuid
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from typing import TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from chapterhouse.chapters import bulk as chapter_bulk
from chapterhouse.chapters import services as chapter_services
from chapterhouse.chapters.models import Chapter, ChapterLevel, ChapterRole
from chapterhouse.lib import bulk
from chapterhouse.lib.collation import fold
from chapterhouse.members.models import Member, User, Visibility
from chapterhouse.members.selectors import recounted_member_counts
from chapterhouse.places.models import Place, PlaceKind

from .plan import City, CountryProfile, plan_demo, plan_shape
from .text import (
    SPANISH_SPEAKING,
    Names,
    bio,
    email_local,
    local_description,
    spoken_languages,
    wide_description,
)

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "demo-chapterhouse"  # noqa: S105 - published: it is the demo login
DEFAULT_MEMBERS = 3000
DEFAULT_SEED = 2012
BATCH_SIZE = 5000
# From this many members on, names are picked from a pool drawn once per locale.
POOL_FROM = 100_000
NAME_POOL = 1000
T = TypeVar("T")


class GazetteerEmpty(Exception):
    """No cities are loaded: run `manage.py load_places` first."""


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


# -- Loading ----------------------------------------------------------------------------


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _demo_member() -> Member | None:
    return Member.objects.filter(user__email=DEMO_EMAIL).select_related("home_chapter").first()


def recount_member_counts(*, batch_size: int = BATCH_SIZE) -> int:
    """Set every chapter's member_count from the members, in one pass.

    Recounts with `members.selectors.recounted_member_counts` (one GROUP BY) and
    writes only the counts that differ. Returns how many chapters changed. Exact
    whatever the counts were before.
    """
    totals = recounted_member_counts()
    chapters = list(Chapter.objects.order_by().only("pk", "path", "member_count"))
    changed = []
    for chapter in chapters:
        if chapter.member_count != totals[chapter.path]:
            chapter.member_count = totals[chapter.path]
            changed.append(chapter)
    Chapter.objects.bulk_update(changed, ["member_count"], batch_size=batch_size)
    return len(changed)


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
    plan_shape): about that many chapters over the most populous cities of every
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
    names = Names(seed, pool=NAME_POOL if members >= POOL_FROM else 0)

    # 1. Plan: how many members in which country, city and neighbourhood.
    mark = time.monotonic()
    if chapters is not None:
        shape = plan_shape(rng, members, chapters, zipf)
    else:
        shape = plan_demo(rng, members)
    cities, city_counts, profiles, home_city, home_hood, hoods_used = shape
    order = list(range(len(home_city)))
    rng.shuffle(order)
    timings["plan"] = time.monotonic() - mark
    say(f"Planned {members} members in {len(cities)} cities of {len(profiles)} countries.")

    with transaction.atomic():
        # 2. Chapters, in bulk, as the chapter services would create them one by one.
        mark = time.monotonic()
        chapters_before = set(Chapter.objects.values_list("pk", flat=True))
        made = chapter_bulk.bulk_ensure_place_chapters(city.place for city in cities)
        city_chapter = [made[city.place.pk] for city in cities]
        wanted = [
            (city_chapter[index], cities[index].neighbourhoods[hood])
            for index in range(len(cities)) for hood in range(hoods_used.get(index, 0))
        ]
        hoods = chapter_bulk.bulk_ensure_neighbourhoods(wanted)
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


class _Loader:
    """Writes batches of users, members and email addresses.

    Through lib.bulk: on PostgreSQL the rows go in with COPY (user ids drawn from the
    table's sequence first); elsewhere with bulk_create. Either way no model is saved
    one by one and the password hash is computed once. Remembers a few members
    of each home chapter as candidate facilitators.
    """

    def __init__(
        self, *, rng: random.Random, names: Names, cities: list[City],
        profiles: dict[str, CountryProfile], home_city: array[int], home_hood: array[int],
        city_chapter: list[Chapter], hood_chapter: dict[tuple[int, int], Chapter],
    ) -> None:
        self.rng, self.names, self.cities, self.profiles = rng, names, cities, profiles
        self.home_city, self.home_hood = home_city, home_hood
        self.city_chapter, self.hood_chapter = city_chapter, hood_chapter
        self.password_hash = make_password(DEMO_PASSWORD)
        self.now = timezone.now()
        self.serial = (User.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.copy = bulk.uses_copy()
        self.candidates: dict[int, list[int]] = defaultdict(list)

    def load(self, batch: list[int]) -> None:
        from allauth.account.models import EmailAddress

        users, members = self._rows(batch)
        ids = bulk.insert_rows(User, users, returning_ids=True)
        for member, user_id in zip(members, ids, strict=True):
            member["user_id"] = user_id
            home = self.candidates[member["home_chapter_id"]]  # type: ignore[index]
            if len(home) < 3 and member["profile_visibility"] != Visibility.HIDDEN:
                home.append(user_id)
        addresses = [
            {"user_id": user_id, "email": user["email"], "verified": True, "primary": True}
            for user, user_id in zip(users, ids, strict=True)
        ]
        bulk.insert_rows(Member, members)
        bulk.insert_rows(EmailAddress, addresses)

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
                "email": f"{email_local(display)}.{self.serial}@example.org",
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
                "sort_name": fold(display[:80])[:80],
                "bio": bio(rng, city.place.name, city.country_code in SPANISH_SPEAKING,
                            self.names),
                "languages": spoken_languages(rng, profile),
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


def _create_demo_login(
    *, city: City, home: Chapter, names: Names, profile: CountryProfile, now: datetime,
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
    *, rng: random.Random, loader: _Loader, demo: Member, cities: list[City],
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
            chapter.description = local_description(rng, chapter.name, spanish)
        else:
            chapter.description = wide_description(rng, chapter.name, chapter.level, spanish)
    Chapter.objects.bulk_update(created, ["description"], batch_size=1000)
