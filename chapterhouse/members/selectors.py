"""Reads about members across relations."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.core.cache import cache
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from chapterhouse.chapters.models import Chapter, ChapterLevel, ChapterRole
from chapterhouse.chapters.selectors import chapter_label
from chapterhouse.lib.languages import language_name

from . import account_data
from .models import Member, Visibility

# Members suggested at most by a search (members:search, mentions).
SEARCH_SUGGESTIONS = 10


def chapters_of(member: Member) -> list[Chapter]:
    """The member's chapters, International first and the home chapter last (one query)."""
    return list(
        Chapter.objects.containing(member.home_chapter).order_by("depth")
    )


# How long the dashboard's list of a home chapter's chain is reused: names and member
# counts may be this old (as in the chapter pages' breadcrumb); the chain itself only
# changes when the member moves, which changes the key.
HOME_CHAIN_CACHE_SECONDS = 60


def chapters_of_cached(member: Member) -> list[Chapter]:
    """`chapters_of`, shared through the cache by every member of the same home chapter
    (the member's home page): one cache read, the query once a minute."""
    key = f"members:home-chain:{member.home_chapter_id}"
    found: list[Chapter] | None = cache.get(key)
    if found is None:
        found = chapters_of(member)
        cache.set(key, found, HOME_CHAIN_CACHE_SECONDS)
    return found


def members_named(query: str, *, limit: int = SEARCH_SUGGESTIONS, near: Member | None = None,
                  first: Sequence[int] = ()) -> list[Member]:
    """Members a name picker suggests for `query` (mentions, decisions' pickers).

    A name matches when `query` (spaces allowed: "Haruto Ta") begins one of its words
    ("@Har" finds Haruto and Harnett, not Eberhardt or Richardson). Ranked: the
    members in `first` (those who posted in the thread), then those who share the
    deepest chapter with `near` (the same neighbourhood, city, region, country),
    then names that begin with the query, then by name. Only members listed in the
    directory whose profile other members may see, active accounts only: the people
    a member can find in a chapter's members list.
    """
    query = " ".join(query.split())
    if not query:
        return []
    words = Q(display_name__istartswith=query)
    for separator in (" ", "-", "'", "’"):
        words |= Q(display_name__icontains=separator + query)
    ranks: list[Any] = []
    if first:
        ranks.append(Case(When(pk__in=list(first), then=Value(0)), default=Value(1)))
    home = near.home_chapter if near is not None else None
    if home is not None:
        step = home.steplen
        ranks.append(Case(
            *(When(home_chapter__path__startswith=home.path[: step * depth], then=Value(-depth))
              for depth in range(home.depth, 0, -1)),
            default=Value(0)))
    ranks.append(Case(When(display_name__istartswith=query, then=Value(0)), default=Value(1)))
    return list(
        Member.objects.active().filter(
            words,
            listed_in_directory=True,
            profile_visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS],
        )
        .select_related("home_chapter")
        .order_by(*ranks, "sort_name", "display_name", "pk")[:limit]
    )


def chapters_shown_to(member: Member, chapters: list[Chapter], *, is_owner: bool) -> list[Chapter]:
    """Those of `chapters` others may see.

    City and neighbourhood only if the member shows their location; country and
    region always (they say little about where someone lives).
    """
    if is_owner or member.show_location:
        return chapters
    return [chapter for chapter in chapters if chapter.level < ChapterLevel.CITY]


def active_role_chapter_ids(member: Member) -> set[int]:
    """The chapters in which the member holds an accepted role."""
    roles = ChapterRole.objects.active().filter(member=member)
    return set(roles.values_list("chapter_id", flat=True))


def language_names(codes: list[str]) -> list[str]:
    return [language_name(code) for code in codes]


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export_data_for(member: Member) -> dict[str, Any]:
    """Everything the site stores about a member, for them to download: their account,
    profile, chapters, roles and notices, then what the apps above this one hold
    (account_data: posts, proposals, amendments, stakes, ballots). A constant number
    of queries whatever the member has."""
    from allauth.account.models import EmailAddress

    from chapterhouse.notifications.models import EmailPreference, Notification

    user = member.user
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("email")
            ],
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "profile": {
            "public_id": str(member.public_id),
            "display_name": member.display_name,
            "bio": member.bio,
            "avatar": member.avatar.url if member.avatar else None,
            "languages": list(member.languages),
            "country": member.country.code if member.country else None,
            "region": member.region.code if member.region else None,
            "city": member.city.name if member.city else None,
            "neighbourhood": member.neighbourhood,
            "joined_at": _iso(member.joined_at),
            "last_seen": _iso(member.last_seen),
            "profile_visibility": member.profile_visibility,
            "listed_in_directory": member.listed_in_directory,
            "show_bio": member.show_bio,
            "show_languages": member.show_languages,
            "show_presence": member.show_presence,
            "show_location": member.show_location,
        },
        "chapters": [
            {"name": chapter.name, "level": ChapterLevel(chapter.level).name.lower(),
             "url": chapter.get_absolute_url(), "home": chapter.pk == member.home_chapter_id}
            for chapter in chapters_of(member)
        ],
        "roles": [
            {
                "chapter": role.chapter.name,
                "chapter_url": role.chapter.get_absolute_url(),
                "role": role.role,
                "source": role.source,
                "invited_at": _iso(role.invited_at),
                "accepted_at": _iso(role.accepted_at),
            }
            for role in ChapterRole.objects.filter(member=member).select_related("chapter")
            .order_by("invited_at", "pk")
        ],
        "notifications": [
            {
                "kind": notice.kind,
                "text": notice.text,
                "url": notice.url,
                "created_at": _iso(notice.created_at),
                "read_at": _iso(notice.read_at),
                "emailed_at": _iso(notice.emailed_at),
            }
            for notice in Notification.objects.filter(recipient=member).order_by("created_at", "pk")
        ],
        "email_preferences": {
            preference.kind: preference.delivery
            for preference in EmailPreference.objects.filter(member=member).order_by("kind")
        },
    }
    for holding in account_data.holdings():
        data.update(holding.export(member))
    return data


def is_members_only_profile(public_id: uuid.UUID | str) -> bool:
    """Whether `public_id` is a profile that signed-in members may see (and visitors
    may not): what a visitor is told to sign in for. Hidden profiles are not."""
    return Member.objects.filter(public_id=public_id, profile_visibility=Visibility.MEMBERS
                                 ).exists()


def members_listed_for(chapter: Chapter, viewer: Member | None) -> QuerySet[Member]:
    """Members belonging to `chapter` whom `viewer` (None: anonymous) may see listed.

    Only members who chose to be listed; anonymous visitors see only public
    profiles; members see public and members-only profiles (and themselves). A city's
    or neighbourhood's list leaves out those who do not show their city: being listed
    there would say where they live (country and region lists still show them).
    """
    members = Member.objects.active().filter(listed_in_directory=True).belonging_to(chapter)
    if chapter.level >= ChapterLevel.CITY:
        members = members.filter(
            Q(show_location=True) | (Q(pk=viewer.pk) if viewer is not None else Q(pk__in=[]))
        )
    if viewer is None:
        members = members.filter(profile_visibility=Visibility.PUBLIC)
    else:
        members = members.filter(
            Q(profile_visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS]) | Q(pk=viewer.pk)
        )
    return members.select_related("home_chapter").order_by("sort_name", "display_name", "pk")


def recounted_member_counts() -> Counter[str]:
    """Each chapter's member count recounted from the members, by tree path: everyone
    whose home chapter is that chapter or below it (what `Chapter.member_count`
    stores). One GROUP BY, rolled up to the ancestors in Python; a chapter nobody
    belongs to is absent (0)."""
    per_home = (
        Member.objects.order_by().values_list("home_chapter__path").annotate(n=Count("pk"))
    )
    step = Chapter.steplen
    totals: Counter[str] = Counter()
    for path, count in per_home:
        for end in range(step, len(path) + 1, step):
            totals[path[:end]] += count
    return totals


def member_count_problems() -> list[str]:
    """The chapters whose stored member count differs from a recount, in plain
    sentences (empty when every count is exact)."""
    totals = recounted_member_counts()
    return [
        f"Chapter {chapter_label(url_path)}: stores {stored} members, but "
        f"{totals[path]} belong to it."
        for path, url_path, stored in Chapter.objects.order_by("path").values_list(
            "path", "url_path", "member_count")
        if stored != totals[path]
    ]
