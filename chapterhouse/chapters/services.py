"""Writes to the chapter tree. Chapters exist where members are."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chapterhouse.lib import audit, pagecache
from chapterhouse.lib import cache as lib_cache
from chapterhouse.lib.errors import Refused
from chapterhouse.places.models import Place, PlaceKind

from . import insertion, limits, sections, selectors, signals
from .models import Chapter, ChapterLevel, ChapterRole, name_fields
from .selectors import GEOJSON_VERSION_KEY

if TYPE_CHECKING:
    from chapterhouse.members.models import Member

# Words that name pages under a chapter's URL (/c/<path>/members/ …) or under /c/
# itself; a chapter slug must never be one of them, or the page would hide it.
RESERVED_SLUGS = frozenset({
    "announcements", "blog", "chapters", "decisions", "dues", "edit", "events", "forums", "map",
    "members", "mine", "moderation", "mutual-aid", "mutualaid", "polls", "projects", "resources",
    "roles",
})

_LEVEL_OF_PLACE = {
    PlaceKind.COUNTRY: ChapterLevel.COUNTRY,
    PlaceKind.REGION: ChapterLevel.REGION,
    PlaceKind.CITY: ChapterLevel.CITY,
}


def get_international() -> Chapter:
    """The root chapter, created on first use."""
    root = Chapter.objects.get_first_root_node()
    if root is not None:
        return root
    with transaction.atomic():
        root = Chapter.objects.get_first_root_node()
        if root is None:
            root = Chapter.objects.add_root(
                {"name": "International", "slug": "", "url_path": "",
                 "level": ChapterLevel.INTERNATIONAL}
            )
        return root


def _place_slug(place: Place) -> str:
    if place.kind == PlaceKind.COUNTRY:
        return place.code.lower()
    if place.kind == PlaceKind.REGION:
        return slugify(place.code.split("-", 1)[-1]) or slugify(place.ascii_name)
    return slugify(place.ascii_name or place.name)[:70] or place.code.lower()


def _unique_child_slug(parent: Chapter, slug: str, fallback: str) -> str:
    taken = slug in RESERVED_SLUGS or Chapter.objects.children_of(parent).filter(slug=slug).exists()
    return slugify(f"{slug}-{fallback}") if taken else slug


# Adding a chapter can find a unique column taken by a transaction that committed
# meanwhile (the same place or neighbourhood added at the same moment): look again,
# then add once more.
_ATTEMPTS = 2


def _crowded(parent: Chapter) -> Refused:
    return Refused(_("A chapter could not be added under %(chapter)s just now; please "
                     "try again.") % {"chapter": parent.display_name()})


def bump_geojson_version() -> None:
    """Make the next map request rebuild its cached GeoJSON (see selectors)."""
    lib_cache.bump_version(GEOJSON_VERSION_KEY)


def _add_child(parent: Chapter, **fields: object) -> Chapter | None:
    """A new last child of `parent`, in one statement (chapters.insertion), or None when
    a concurrent transaction took one of its unique columns first (nothing written).
    Callers hold a transaction; the map shows the new chapter once it commits."""
    child = insertion.add_child(parent, fields)
    if child is not None:
        transaction.on_commit(bump_geojson_version)
    return child


def ensure_place_chapter(place: Place) -> tuple[Chapter, list[Chapter]]:
    """The chapter of `place`, creating it and any missing ancestors.

    Returns the chapter and the list of chapters created by this call.
    """
    existing = Chapter.objects.filter(place=place).first()
    if existing is not None:
        return existing, []
    with transaction.atomic():
        if place.parent_id is None:
            parent, created = get_international(), list[Chapter]()
        else:
            parent, created = ensure_place_chapter(place.parent)  # type: ignore[arg-type]
        for _attempt in range(_ATTEMPTS):
            existing = Chapter.objects.filter(place=place).first()
            if existing is not None:
                return existing, created
            slug = _unique_child_slug(parent, _place_slug(place), place.code.lower())
            chapter = _add_child(
                parent,
                name=place.name,
                names=place.names,
                slug=slug,
                url_path=f"{parent.url_path}/{slug}".strip("/"),
                level=_LEVEL_OF_PLACE[PlaceKind(place.kind)],
                place=place,
                latitude=place.latitude,
                longitude=place.longitude,
            )
            if chapter is not None:
                return chapter, [*created, chapter]
    raise _crowded(parent)


def refresh_place_names(*, batch_size: int = 1000) -> int:
    """Copy each place's names into its chapter (with their sort keys), after
    `load_places` brought names in more languages. Returns how many chapters
    changed; idempotent: a second run changes none. Neighbourhoods, which have no
    place, keep the name members gave them."""
    changed: list[Chapter] = []
    with transaction.atomic():
        rows = (
            Chapter.objects.filter(place__isnull=False)
            .select_related("place")
            .only("pk", "name", "names", "sort_name", "sort_names", "place__name", "place__names")
            .order_by("pk")
        )
        for chapter in rows.iterator(chunk_size=batch_size):
            place = chapter.place
            assert place is not None  # by the filter
            fields = {"name": place.name, "names": place.names,
                      **name_fields(place.name, place.names)}
            if any(getattr(chapter, field) != value for field, value in fields.items()):
                for field, value in fields.items():
                    setattr(chapter, field, value)
                changed.append(chapter)
        Chapter.objects.bulk_update(
            changed, ["name", "names", "sort_name", "sort_names"], batch_size=batch_size
        )
        if changed:
            transaction.on_commit(bump_geojson_version)
    return len(changed)


def neighbourhood_slug(name: str) -> str:
    """The slug of a neighbourhood name; equal names (ignoring case, accents and
    punctuation) give equal slugs. A name in another script ("新宿") keeps its
    letters (an IRI path segment). Empty only for a name of punctuation alone.
    Reserved words get a suffix so a neighbourhood cannot shadow a chapter page
    (/c/<city>/members/).
    """
    slug = slugify(name)[:70] or slugify(name, allow_unicode=True)[:70]
    if slug in RESERVED_SLUGS:
        slug = f"{slug}-area"
    return slug


def ensure_neighbourhood(city_chapter: Chapter, name: str) -> tuple[Chapter, bool]:
    """The neighbourhood chapter called `name` inside a city, created if new.

    The same name (ignoring case, accents and punctuation) in the same city is
    the same neighbourhood.
    """
    slug = neighbourhood_slug(name)
    url_path = f"{city_chapter.url_path}/{slug}"
    with transaction.atomic():
        for _attempt in range(_ATTEMPTS):
            # Its url_path is unique: the same slug in the same city is this chapter.
            existing = selectors.chapter_at(url_path)
            if existing is not None:
                return existing, False
            chapter = _add_child(
                city_chapter,
                name=" ".join(name.split()),
                slug=slug,
                url_path=url_path,
                level=ChapterLevel.NEIGHBOURHOOD,
                latitude=city_chapter.latitude,
                longitude=city_chapter.longitude,
            )
            if chapter is not None:
                return chapter, True
    raise _crowded(city_chapter)


def resolve_home_chapter(
    *, city: Place, neighbourhood: str = ""
) -> tuple[Chapter, list[Chapter]]:
    """The chapter a member living in `city` (and `neighbourhood`) calls home."""
    chapter, created = ensure_place_chapter(city)
    if neighbourhood.strip():
        chapter, is_new = ensure_neighbourhood(chapter, neighbourhood)
        if is_new:
            created.append(chapter)
    return chapter, created


def adjust_member_counts(chapter: Chapter, delta: int) -> None:
    """Add `delta` to the member count of `chapter` and every ancestor, in SQL."""
    Chapter.objects.filter(path__in=chapter.ancestor_paths()).update(
        member_count=F("member_count") + delta
    )


def _page_changed(chapter: Chapter) -> None:
    """Signed-out visitors see the chapter page anew once this commits (its
    description and facilitators; lib.pagecache)."""
    path = chapter.get_absolute_url()
    transaction.on_commit(lambda: pagecache.forget(path))


def _roles_changed(chapter_role: ChapterRole) -> None:
    """The member's roles changed: once this commits, the pages cached for them are
    chosen afresh (selectors.facilitated_url_paths)."""
    member_id = chapter_role.member_id
    transaction.on_commit(lambda: cache.delete(selectors.facilitated_key(member_id)))


def update_chapter(
    *, chapter: Chapter, description: str, actor: Member | None = None,
    members_may_announce: bool | None = None,
) -> Chapter:
    """Save the chapter's description and (unless None) whether its members may write
    announcements; a change of that rule is audited on its own."""
    with transaction.atomic():
        chapter.description = description
        fields = ["description"]
        rule_changed = (
            members_may_announce is not None
            and members_may_announce != chapter.members_may_announce
        )
        if rule_changed:
            chapter.members_may_announce = bool(members_may_announce)
            fields.append("members_may_announce")
        chapter.save(update_fields=fields)
        audit.record(actor=actor, action="chapters.update_description", target=chapter,
                     chapter=chapter, data={"description": description})
        if rule_changed:
            audit.record(actor=actor, action="chapters.change_announcing", target=chapter,
                         chapter=chapter,
                         data={"members_may_announce": chapter.members_may_announce})
        _page_changed(chapter)
    return chapter


def set_section(*, chapter: Chapter, change: dict[str, object],
                actor: Member | None = None) -> sections.Setting:
    """Apply a section change a decision carries (sections.clean_change checks it):
    whether the section is shown, who sees it, who posts in it. Audited."""
    change = sections.clean_change(change)
    key = str(change.pop("section"))
    with transaction.atomic():
        locked = Chapter.objects.select_for_update().only("pk", "sections").get(pk=chapter.pk)
        before = sections.setting(locked, key)
        stored = dict(locked.sections or {})
        stored[key] = {**dict(stored.get(key) or {}), **change}
        Chapter.objects.filter(pk=chapter.pk).update(sections=stored)
        chapter.sections = stored
        after = sections.setting(chapter, key)
        audit.record(actor=actor, action="chapters.change_section", target=chapter,
                     chapter=chapter, data={"section": key, "before": before.__dict__,
                                            "after": after.__dict__})
        _page_changed(chapter)
        # Who sees the chapter's content changed: the apps that keep copies of who sees
        # what (the search index, the activity) follow, after the commit.
        transaction.on_commit(lambda: signals.sections_changed.send(
            sender=Chapter, chapter=chapter, section=key))
    return after


def set_newcomer_limits(*, chapter: Chapter, change: Mapping[str, object],
                        actor: Member | None = None) -> limits.Limits:
    """Apply a change of the chapter's newcomer limits a decision carries
    (limits.clean_change checks it), over the limits that applied to it until now (its
    own, or those it took from above). Audited; returns the chapter's limits after."""
    checked = limits.clean_change(change)
    with transaction.atomic():
        locked = Chapter.objects.select_for_update().get(pk=chapter.pk)
        before = limits.limits_for(locked)
        after = replace(before, **checked)
        stored = limits.as_dict(after)
        Chapter.objects.filter(pk=chapter.pk).update(newcomer_limits=stored)
        chapter.newcomer_limits = stored
        audit.record(actor=actor, action="chapters.change_newcomer_limits", target=chapter,
                     chapter=chapter, data={"before": limits.as_dict(before), "after": stored})
    return after


def grant_role(
    *, chapter: Chapter, member: Member, role: str = ChapterRole.Role.FACILITATOR, source: str,
    accepted: bool = True, actor: Member | None = None,
) -> ChapterRole:
    """Grant (or invite to) a role. Idempotent: granting twice keeps one row."""
    with transaction.atomic():
        chapter_role, _ = ChapterRole.objects.get_or_create(
            chapter=chapter, member=member, role=role, defaults={"source": source}
        )
        if accepted and chapter_role.accepted_at is None:
            chapter_role.accepted_at = timezone.now()
            chapter_role.save(update_fields=["accepted_at"])
        audit.record(actor=actor, action="roles.grant" if accepted else "roles.invite",
                     target=chapter_role, chapter=chapter, data={"role": role, "source": source})
        _page_changed(chapter)
        _roles_changed(chapter_role)
    return chapter_role


def accept_role(*, chapter_role: ChapterRole) -> ChapterRole:
    """Take up a role one was invited to; only in a chapter one belongs to."""
    with transaction.atomic():
        if not chapter_role.chapter.contains(chapter_role.member.home_chapter):
            raise Refused(
                _("You no longer belong to %(chapter)s, so you cannot take a role there.")
                % {"chapter": chapter_role.chapter.display_name()}
            )
        if chapter_role.accepted_at is None:
            chapter_role.accepted_at = timezone.now()
            chapter_role.save(update_fields=["accepted_at"])
        audit.record(actor=chapter_role.member, action="roles.accept", target=chapter_role,
                     chapter=chapter_role.chapter)
        _page_changed(chapter_role.chapter)
        _roles_changed(chapter_role)
    return chapter_role


def decline_role(*, chapter_role: ChapterRole) -> None:
    with transaction.atomic():
        audit.record(actor=chapter_role.member, action="roles.decline", target=chapter_role,
                     chapter=chapter_role.chapter)
        _roles_changed(chapter_role)
        chapter_role.delete()


def revoke_role(*, chapter_role: ChapterRole, actor: Member | None = None) -> None:
    """Remove a role or an invitation (a site administrator, until chapters decide it)."""
    with transaction.atomic():
        audit.record(actor=actor, action="roles.revoke", target=chapter_role,
                     chapter=chapter_role.chapter, data={"role": chapter_role.role})
        _page_changed(chapter_role.chapter)
        _roles_changed(chapter_role)
        chapter_role.delete()


def end_roles_outside(*, member: Member, home: Chapter) -> list[ChapterRole]:
    """End `member`'s roles and invitations in every chapter that does not contain
    `home` (they moved away): each is audited; returns the ended ones (their chapters
    loaded), for the caller to tell the member."""
    with transaction.atomic():
        ended = [
            chapter_role
            for chapter_role in ChapterRole.objects.filter(member=member)
            .select_related("chapter").select_for_update(of=("self",))
            if not chapter_role.chapter.contains(home)
        ]
        for chapter_role in ended:
            audit.record(
                actor=member, action="roles.end_on_move", target=chapter_role,
                chapter=chapter_role.chapter,
                data={"role": chapter_role.role, "accepted": chapter_role.is_active},
            )
            _page_changed(chapter_role.chapter)
            _roles_changed(chapter_role)
        ChapterRole.objects.filter(pk__in=[r.pk for r in ended]).delete()
    return ended
